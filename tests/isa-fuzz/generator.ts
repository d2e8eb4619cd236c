/**
 * Random but valid RV64GC + Zba/Zbb/Zbc/Zbs instruction sequences for differential testing.
 *
 * A sequence is a handful of "units" (usually one instruction; a few are short idioms such as
 * `addi t, p, off; amoadd.d rd, rs2, (t)`), its register inputs, the dynamic rounding mode and 64
 * bytes of scratch memory. Every sequence reserves one pointer register `p` (chosen at random, so
 * every register is exercised as a destination across sequences) that holds the address of its data
 * block and is never written by the sequence. Control flow only goes forward, to a label inside the
 * sequence or its end. Everything is derived from (seed, index), so a case is reproducible from the
 * two numbers alone.
 */
import { INSTRUCTIONS, lookup } from '../../core/isa/index.js';
import { Prng } from './prng.js';
import { boundaryCase, regBits } from './boundary.js';
import { floatValue, intValue } from './operands.js';

export const X_NAMES = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
] as const;
export const F_NAMES = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3',
  'fa4', 'fa5', 'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11',
  'ft8', 'ft9', 'ft10', 'ft11',
] as const;

/** Bytes of scratch memory at the start of each sequence's block (loads, stores, AMOs). */
export const SCRATCH_BYTES = 64;

/** One unit of a sequence: assembly lines; `%L<j>` stands for the label before unit j. */
export interface Unit {
  readonly lines: readonly string[];
}

export interface Sequence {
  readonly seed: number;
  readonly index: number;
  /** The pointer register (1..31) holding the block address. */
  readonly ptr: number;
  /** Dynamic rounding mode written to frm before the sequence (0..4). */
  readonly frm: number;
  /** Inputs of x0..x31 (x0 and x[ptr] are ignored). */
  readonly x: readonly bigint[];
  /** Inputs of f0..f31. */
  readonly f: readonly bigint[];
  /** Initial scratch memory, 8 little-endian doublewords. */
  readonly mem: readonly bigint[];
  readonly units: readonly Unit[];
}

export interface GeneratorOptions {
  /** Longest sequence in units (default 5). */
  maxUnits?: number;
  /** Probability that an ordinary load/store uses a misaligned offset (default 0.05). */
  misaligned?: number;
}

const RMS = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'dyn'] as const;

class Ctx {
  readonly recentX: number[] = [];
  readonly recentF: number[] = [];
  constructor(
    readonly rng: Prng,
    readonly ptr: number,
    readonly unitIndex: () => number,
    readonly unitCount: number,
    readonly misaligned: number,
    /** The sequence's input registers, which boundary cases overwrite for fresh registers. */
    readonly xIn: bigint[],
    readonly fIn: bigint[],
  ) {}

  /** An f register no earlier unit wrote, so its input value is what the next unit reads. */
  freshF(): number {
    let r: number;
    do r = this.rng.range(0, 31);
    while (this.recentF.includes(r));
    return r;
  }
  /** An x register (not x0, not the pointer) no earlier unit wrote. */
  freshX(): number {
    let r: number;
    do r = this.rng.range(1, 31);
    while (r === this.ptr || this.recentX.includes(r));
    return r;
  }

  /** A destination integer register: never the pointer, x0 now and then. */
  xd(): string {
    const { rng } = this;
    if (rng.chance(0.03)) return 'zero';
    let r: number;
    do r = rng.range(1, 31);
    while (r === this.ptr);
    this.recentX.push(r);
    return X_NAMES[r];
  }
  /** A destination other than `keep` (which holds an address still needed). */
  xdExcept(keep: string): string {
    let r: string;
    do r = this.xd();
    while (r === keep);
    return r;
  }
  /** A source integer register: often a recent result, sometimes x0 or the pointer. */
  xs(): string {
    const { rng } = this;
    if (this.recentX.length > 0 && rng.chance(0.4)) return X_NAMES[rng.pick(this.recentX)];
    if (rng.chance(0.04)) return 'zero';
    return X_NAMES[rng.range(1, 31)];
  }
  /** A temporary register for addresses (not x0, not the pointer). */
  xt(): string {
    let r: number;
    do r = this.rng.range(1, 31);
    while (r === this.ptr);
    return X_NAMES[r];
  }
  /** A compressed-form register x8..x15, for writing (never the pointer) or reading. */
  xcd(): string {
    const choices = [8, 9, 10, 11, 12, 13, 14, 15].filter((r) => r !== this.ptr);
    const r = this.rng.pick(choices);
    this.recentX.push(r);
    return X_NAMES[r];
  }
  xcs(): string {
    return X_NAMES[this.rng.range(8, 15)];
  }
  /** A destination register for the full-register compressed forms (not x0, not the pointer). */
  xcdFull(): string {
    let r: number;
    do r = this.rng.range(1, 31);
    while (r === this.ptr);
    this.recentX.push(r);
    return X_NAMES[r];
  }
  fd(): string {
    const r = this.rng.range(0, 31);
    this.recentF.push(r);
    return F_NAMES[r];
  }
  fs(): string {
    if (this.recentF.length > 0 && this.rng.chance(0.5)) return F_NAMES[this.rng.pick(this.recentF)];
    return F_NAMES[this.rng.range(0, 31)];
  }
  fcd(): string {
    const r = this.rng.range(8, 15);
    this.recentF.push(r);
    return F_NAMES[r];
  }
  fcs(): string {
    return F_NAMES[this.rng.range(8, 15)];
  }
  rm(): string {
    return this.rng.chance(0.2) ? '' : `, ${this.rng.pick(RMS)}`;
  }
  /** A forward label: a later unit or the end of the sequence. */
  label(): string {
    return `%L${this.rng.range(this.unitIndex() + 1, this.unitCount)}`;
  }
  simm(bits: number): number {
    const { rng } = this;
    const lim = 1 << (bits - 1);
    return rng.chance(0.3) ? rng.pick([0, 1, -1, lim - 1, -lim]) : rng.range(-lim, lim - 1);
  }
  /** A scratch offset for an access of `size` bytes, usually aligned. */
  memOff(size: number, mayMisalign = true): number {
    if (mayMisalign && size > 1 && this.rng.chance(this.misaligned)) return this.rng.range(0, SCRATCH_BYTES - size);
    return this.rng.range(0, SCRATCH_BYTES / size - 1) * size;
  }
  get p(): string {
    return X_NAMES[this.ptr];
  }
}

type Gen = (c: Ctx) => string | string[] | undefined;

const one = (...names: string[]) => names;
const pick = (c: Ctx, names: readonly string[]): string => c.rng.pick(names);

const R_OPS = one(
  'add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'addw', 'subw', 'sllw', 'srlw', 'sraw',
);
const I_OPS = one('addi', 'slti', 'sltiu', 'xori', 'ori', 'andi', 'addiw');
const SHIFT_I = one('slli', 'srli', 'srai');
const SHIFT_IW = one('slliw', 'srliw', 'sraiw');
const M_OPS = one('mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu', 'mulw', 'divw', 'divuw', 'remw', 'remuw');
const LOADS: readonly [string, number][] = [['lb', 1], ['lh', 2], ['lw', 4], ['ld', 8], ['lbu', 1], ['lhu', 2], ['lwu', 4]];
const STORES: readonly [string, number][] = [['sb', 1], ['sh', 2], ['sw', 4], ['sd', 8]];
const BRANCHES = one('beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu');
const AMOS = one('amoswap', 'amoadd', 'amoxor', 'amoand', 'amoor', 'amomin', 'amomax', 'amominu', 'amomaxu');
const ORDER = ['', '.aq', '.rl', '.aqrl'];
const ZBA_R = one('add.uw', 'sh1add', 'sh2add', 'sh3add', 'sh1add.uw', 'sh2add.uw', 'sh3add.uw');
const ZBB_R = one('andn', 'orn', 'xnor', 'max', 'maxu', 'min', 'minu', 'rol', 'rolw', 'ror', 'rorw');
const ZBB_U = one('clz', 'clzw', 'ctz', 'cpop', 'cpopw', 'sext.b', 'sext.h', 'zext.h', 'orc.b', 'rev8');
const ZBC_R = one('clmul', 'clmulh', 'clmulr');
const ZBS_R = one('bclr', 'bext', 'binv', 'bset');
const ZBS_I = one('bclri', 'bexti', 'binvi', 'bseti');
const F_ARITH = one('fadd', 'fsub', 'fmul', 'fdiv');
const F_NORM = one('fmin', 'fmax', 'fsgnj', 'fsgnjn', 'fsgnjx');
const F_FMA = one('fmadd', 'fmsub', 'fnmsub', 'fnmadd');
const F_CMP = one('feq', 'flt', 'fle');
const FMT = one('s', 'd');
const INT_CVT = one('w', 'wu', 'l', 'lu');

const shamt = (c: Ctx, w: boolean): number =>
  c.rng.chance(0.3) ? c.rng.pick(w ? [0, 1, 31] : [0, 1, 31, 32, 63]) : c.rng.range(0, w ? 31 : 63);

/** Weighted generators per extension. */
const GENERATORS: readonly [number, Gen][] = [
  // RV64I
  [10, (c) => `${pick(c, R_OPS)} ${c.xd()}, ${c.xs()}, ${c.xs()}`],
  [6, (c) => `${pick(c, I_OPS)} ${c.xd()}, ${c.xs()}, ${c.simm(12)}`],
  [3, (c) => `${pick(c, SHIFT_I)} ${c.xd()}, ${c.xs()}, ${shamt(c, false)}`],
  [2, (c) => `${pick(c, SHIFT_IW)} ${c.xd()}, ${c.xs()}, ${shamt(c, true)}`],
  [1, (c) => `lui ${c.xd()}, ${c.rng.chance(0.3) ? c.rng.pick([0, 0x80000, 0xfffff, 0x7ffff]) : c.rng.below(0x100000)}`],
  [1, (c) => `auipc ${c.xd()}, ${c.rng.below(0x100000)}`],
  [4, (c) => { const [op, n] = c.rng.pick(LOADS); return `${op} ${c.xd()}, ${c.memOff(n)}(${c.p})`; }],
  [3, (c) => { const [op, n] = c.rng.pick(STORES); return `${op} ${c.xs()}, ${c.memOff(n)}(${c.p})`; }],
  [3, (c) => `${pick(c, BRANCHES)} ${c.xs()}, ${c.xs()}, ${c.label()}`],
  [1, (c) => `jal ${c.xd()}, ${c.label()}`],
  [1, (c) => { const t = c.xt(); return [`lla ${t}, ${c.label()}`, `jalr ${c.xd()}, 0(${t})`]; }],
  [0.3, (c) => pick(c, ['fence', 'fence rw, rw', 'fence.i', 'fence r, w', 'fence.tso', 'pause'])],
  // M
  [8, (c) => `${pick(c, M_OPS)} ${c.xd()}, ${c.xs()}, ${c.xs()}`],
  // A
  [3, (c) => {
    const w = c.rng.pick(['w', 'd']);
    const t = c.xt();
    const off = c.memOff(w === 'w' ? 4 : 8, false);
    return [`addi ${t}, ${c.p}, ${off}`, `${pick(c, AMOS)}.${w}${pick(c, ORDER)} ${c.xd()}, ${c.xs()}, (${t})`];
  }],
  [2, (c) => {
    const w = c.rng.pick(['w', 'd']);
    const t = c.xt();
    const off = c.memOff(w === 'w' ? 4 : 8, false);
    const lines = [`addi ${t}, ${c.p}, ${off}`];
    if (c.rng.chance(0.85)) lines.push(`lr.${w}${pick(c, ORDER)} ${c.xdExcept(t)}, (${t})`);
    if (c.rng.chance(0.3)) {
      // something in between that keeps t: an ALU op, or a store into the reserved set
      if (c.rng.chance(0.5)) lines.push(`sd ${c.xs()}, ${c.memOff(8)}(${c.p})`);
      else lines.push(`add ${c.xdExcept(t)}, ${c.xs()}, ${c.xs()}`);
    }
    if (c.rng.chance(0.9)) lines.push(`sc.${w}${pick(c, ORDER)} ${c.xd()}, ${c.xs()}, (${t})`);
    return lines;
  }],
  // Zba, Zbb, Zbc, Zbs
  [3, (c) => `${pick(c, ZBA_R)} ${c.xd()}, ${c.xs()}, ${c.xs()}`],
  [1, (c) => `slli.uw ${c.xd()}, ${c.xs()}, ${shamt(c, false)}`],
  [4, (c) => `${pick(c, ZBB_R)} ${c.xd()}, ${c.xs()}, ${c.xs()}`],
  [4, (c) => `${pick(c, ZBB_U)} ${c.xd()}, ${c.xs()}`],
  // QEMU 7.2 (the oracle) computes ctzw of a value whose low word is 0 and high word is not as
  // ctz of all 64 bits (ctzw of 1<<63 gives 63; the spec says 32), so ctzw only sees
  // sign-extended sources here; tests/integration/isa-diff-regressions.test.ts checks the rest.
  [0.5, (c) => { const t = c.xt(); return [`addiw ${t}, ${c.xs()}, 0`, `ctzw ${c.xd()}, ${t}`]; }],
  [1, (c) => `rori ${c.xd()}, ${c.xs()}, ${shamt(c, false)}`],
  [1, (c) => `roriw ${c.xd()}, ${c.xs()}, ${shamt(c, true)}`],
  [2, (c) => `${pick(c, ZBC_R)} ${c.xd()}, ${c.xs()}, ${c.xs()}`],
  [2, (c) => `${pick(c, ZBS_R)} ${c.xd()}, ${c.xs()}, ${c.xs()}`],
  [2, (c) => `${pick(c, ZBS_I)} ${c.xd()}, ${c.xs()}, ${shamt(c, false)}`],
  // F and D
  [12, (c) => `${pick(c, F_ARITH)}.${pick(c, FMT)} ${c.fd()}, ${c.fs()}, ${c.fs()}${c.rm()}`],
  [3, (c) => `fsqrt.${pick(c, FMT)} ${c.fd()}, ${c.fs()}${c.rm()}`],
  [5, (c) => `${pick(c, F_NORM)}.${pick(c, FMT)} ${c.fd()}, ${c.fs()}, ${c.fs()}`],
  [8, (c) => `${pick(c, F_FMA)}.${pick(c, FMT)} ${c.fd()}, ${c.fs()}, ${c.fs()}, ${c.fs()}${c.rm()}`],
  [3, (c) => `${pick(c, F_CMP)}.${pick(c, FMT)} ${c.xd()}, ${c.fs()}, ${c.fs()}`],
  [2, (c) => `fclass.${pick(c, FMT)} ${c.xd()}, ${c.fs()}`],
  [6, (c) => `fcvt.${pick(c, INT_CVT)}.${pick(c, FMT)} ${c.xd()}, ${c.fs()}${c.rm()}`],
  [4, (c) => {
    const f = pick(c, FMT);
    const i = pick(c, INT_CVT);
    const exact = f === 'd' && (i === 'w' || i === 'wu');
    return `fcvt.${f}.${i} ${c.fd()}, ${c.xs()}${exact ? '' : c.rm()}`;
  }],
  [2, (c) => `fcvt.s.d ${c.fd()}, ${c.fs()}${c.rm()}`],
  [2, (c) => `fcvt.d.s ${c.fd()}, ${c.fs()}`],
  [2, (c) => c.rng.chance(0.5) ? `fmv.x.${pick(c, ['w', 'd'])} ${c.xd()}, ${c.fs()}` : `fmv.${pick(c, ['w', 'd'])}.x ${c.fd()}, ${c.xs()}`],
  [2, (c) => { const w = c.rng.chance(0.5); return `${w ? 'flw' : 'fld'} ${c.fd()}, ${c.memOff(w ? 4 : 8)}(${c.p})`; }],
  [2, (c) => { const w = c.rng.chance(0.5); return `${w ? 'fsw' : 'fsd'} ${c.fs()}, ${c.memOff(w ? 4 : 8)}(${c.p})`; }],
  // Zicsr on the FP CSRs (frm only ever receives valid modes, so dynamic rounding stays legal)
  [1, (c) => `csrrs ${c.xd()}, ${pick(c, ['fflags', 'frm', 'fcsr'])}, zero`],
  [1, (c) => `csrr${pick(c, ['w', 's', 'c'])} ${c.xd()}, fflags, ${c.xs()}`],
  [1, (c) => `csrr${pick(c, ['w', 's', 'c'])}i ${c.xd()}, fflags, ${c.rng.below(32)}`],
  [1, (c) => `csrrwi ${c.xd()}, ${pick(c, ['frm', 'fcsr'])}, ${c.rng.below(5)}`],
  // fcsr from a register: bits above 7 are ignored; frm bits kept to rne or rmm (0b100) so it stays valid
  [1, (c) => { const t = c.xt(); return [`andi ${t}, ${c.xs()}, -97`, `csrrw ${c.xd()}, fcsr, ${t}`]; }],
  // F and D operands a few ulps from rounding boundaries (see boundary.ts)
  [10, genBoundary],
  // C
  [14, genCompressed],
];

function genBoundary(c: Ctx): string {
  const p = c.rng.pick(['s', 'd'] as const);
  const { op, f, x } = boundaryCase(c.rng, p);
  const regs = f.map((v) => {
    const r = c.freshF();
    // fcvt.s.d reads a double
    c.fIn[r] = regBits(v, op === 'fcvt.s.d' ? 'd' : p);
    return F_NAMES[r];
  });
  if (x !== undefined) {
    const r = c.freshX();
    c.xIn[r] = x;
    // fcvt.d.w and fcvt.d.wu are exact: the assembler takes no rounding mode for them
    const exact = op === 'fcvt.d.w' || op === 'fcvt.d.wu';
    return `${op} ${c.fd()}, ${X_NAMES[r]}${exact ? '' : c.rm()}`;
  }
  if (op.startsWith('fcvt.s.d')) return `${op} ${c.fd()}, ${regs[0]}${c.rm()}`;
  if (op.startsWith('fcvt')) return `${op} ${c.xd()}, ${regs[0]}${c.rm()}`;
  return `${op}.${p} ${c.fd()}, ${regs.join(', ')}${c.rm()}`;
}

function genCompressed(c: Ctx): string | string[] | undefined {
  const { rng, ptr } = c;
  const pInC = ptr >= 8 && ptr <= 15;
  const nz6 = (): number => rng.pick([-32, -1, 1, 31, rng.range(1, 31), -rng.range(1, 32)]);
  // Memory forms need the pointer in sp or x8..x15: favour them when it is.
  const memoryForm = (pInC || ptr === 2) && rng.chance(0.4);
  switch (memoryForm ? 17 : rng.below(26)) {
    case 0: return ptr === 2 ? undefined : `c.addi4spn ${c.xcd()}, sp, ${rng.range(1, 255) * 4}`;
    case 1: return `c.addi ${c.xcdFull()}, ${nz6()}`;
    case 2: return `c.addiw ${c.xcdFull()}, ${c.simm(6)}`;
    case 3: return `c.li ${c.xcdFull()}, ${c.simm(6)}`;
    case 4: return ptr === 2 ? undefined : `c.addi16sp sp, ${rng.pick([-32, -1, 1, 31, rng.range(1, 31), -rng.range(1, 32)]) * 16}`;
    case 5: {
      const rd = c.xcdFull();
      if (rd === 'sp') return undefined;
      return `c.lui ${rd}, ${rng.chance(0.5) ? rng.range(1, 31) : rng.range(0xfffe0, 0xfffff)}`;
    }
    case 6: return `c.${rng.pick(['srli', 'srai'])} ${c.xcd()}, ${rng.range(1, 63)}`;
    case 7: return `c.andi ${c.xcd()}, ${c.simm(6)}`;
    case 8:
    case 9: return `c.${rng.pick(['sub', 'xor', 'or', 'and', 'subw', 'addw'])} ${c.xcd()}, ${c.xcs()}`;
    case 10: return `c.j ${c.label()}`;
    case 11: return `c.${rng.pick(['beqz', 'bnez'])} ${c.xcs()}, ${c.label()}`;
    case 12: return `c.slli ${c.xcdFull()}, ${rng.range(1, 63)}`;
    case 13: {
      let rs: number;
      do rs = rng.range(1, 31);
      while (rs === ptr);
      return `c.mv ${c.xcdFull()}, ${X_NAMES[rs]}`;
    }
    case 14: return `c.add ${c.xcdFull()}, ${X_NAMES[rng.range(1, 31)]}`;
    case 15: {
      const t = c.xt();
      if (rng.chance(0.5) || ptr === 1) return [`lla ${t}, ${c.label()}`, `c.jr ${t}`];
      return [`lla ${t}, ${c.label()}`, `c.jalr ${t}`];
    }
    case 16: return 'c.nop';
    // loads and stores need the pointer in the right register
    case 17:
    case 18:
      if (pInC) {
        const op = rng.pick(['c.lw', 'c.ld', 'c.fld', 'c.sw', 'c.sd', 'c.fsd']);
        const size = op === 'c.lw' || op === 'c.sw' ? 4 : 8;
        const off = rng.range(0, SCRATCH_BYTES / size - 1) * size;
        const reg = op === 'c.fld' ? c.fcd() : op === 'c.fsd' ? c.fcs() : op.startsWith('c.l') ? c.xcd() : c.xcs();
        return `${op} ${reg}, ${off}(${c.p})`;
      }
      if (ptr === 2) {
        const op = rng.pick(['c.lwsp', 'c.ldsp', 'c.fldsp', 'c.swsp', 'c.sdsp', 'c.fsdsp']);
        const size = op === 'c.lwsp' || op === 'c.swsp' ? 4 : 8;
        const off = rng.range(0, SCRATCH_BYTES / size - 1) * size;
        const reg = op === 'c.fldsp' ? c.fd() : op === 'c.fsdsp' ? c.fs() : op.startsWith('c.l') ? c.xcdFull() : c.xs();
        return `${op} ${reg}, ${off}(sp)`;
      }
      return undefined;
    default:
      return undefined;
  }
}

const TOTAL_WEIGHT = GENERATORS.reduce((s, [w]) => s + w, 0);

function pickGenerator(rng: Prng): Gen {
  let r = (rng.u32() / 0x1_0000_0000) * TOTAL_WEIGHT;
  for (const [w, g] of GENERATORS) {
    r -= w;
    if (r < 0) return g;
  }
  return GENERATORS[GENERATORS.length - 1][1];
}

/** Builds sequence `index` of the run seeded with `seed`. */
export function generateSequence(seed: number, index: number, options: GeneratorOptions = {}): Sequence {
  const rng = new Prng(seed, index);
  const maxUnits = options.maxUnits ?? 5;
  // Pointer: any register but x0; sp and x8..x15 more often so compressed memory forms get exercised.
  const ptr = rng.chance(0.35) ? rng.pick([2, 8, 9, 10, 11, 12, 13, 14, 15]) : rng.range(1, 31);
  const { frm, x, f, mem } = randomInputs(rng);
  const count = rng.range(1, maxUnits);
  const units: Unit[] = [];
  const ctx = new Ctx(rng, ptr, () => units.length, count, options.misaligned ?? 0.05, x, f);
  while (units.length < count) {
    const out = pickGenerator(rng)(ctx);
    if (out === undefined) continue;
    units.push({ lines: typeof out === 'string' ? [out] : out });
  }
  return { seed, index, ptr, frm, x, f, mem, units };
}

function randomInputs(rng: Prng): { frm: number; x: bigint[]; f: bigint[]; mem: bigint[] } {
  const frm = rng.below(5);
  // A third of the sequences draw their inputs from the edge-case lists only.
  const edgy = rng.chance(0.33);
  const x = Array.from({ length: 32 }, (_, i) => (i === 0 ? 0n : intValue(rng, edgy)));
  const f = Array.from({ length: 32 }, () => floatValue(rng, edgy));
  const mem = Array.from({ length: SCRATCH_BYTES / 8 }, () => (rng.chance(0.5) ? intValue(rng) : floatValue(rng)));
  return { frm, x, f, mem };
}

/**
 * Table entries an encoding sequence must not contain: anything that accesses memory at a register
 * address, changes control flow, or asks the environment (ECALL, privileged instructions).
 */
const UNSAFE_ENCODINGS = new Set([
  ...['lb', 'lh', 'lw', 'ld', 'lbu', 'lhu', 'lwu', 'sb', 'sh', 'sw', 'sd', 'flw', 'fsw', 'fld', 'fsd'],
  ...['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu', 'jal', 'jalr', 'ecall', 'ebreak'],
  ...['c.fld', 'c.lw', 'c.ld', 'c.fsd', 'c.sw', 'c.sd', 'c.fldsp', 'c.lwsp', 'c.ldsp', 'c.fsdsp', 'c.swsp', 'c.sdsp'],
  ...['c.j', 'c.jr', 'c.jalr', 'c.beqz', 'c.bnez', 'c.ebreak'],
  ...INSTRUCTIONS.filter((spec) => spec.extension === 'A' || spec.extension === 'Priv').map((spec) => spec.name),
]);

/** Counters read differently on QEMU user mode (host time) and here: not compared. */
const isCounterCsr = (csr: number): boolean => csr >= 0xc00 && csr <= 0xc1f;

/** Major opcodes of 32-bit instructions (bits 6:0 with bits 4:2 != 111, which mark longer ones). */
const MAJOR_OPCODES = Array.from({ length: 32 }, (_, k) => (k << 2) | 3).filter((op) => ((op >>> 2) & 7) !== 7);

function encodingAcceptable(bits: number, length: 2 | 4): boolean {
  const spec = lookup(bits);
  if (spec !== undefined) {
    if (UNSAFE_ENCODINGS.has(spec.name)) return false;
    if (spec.name === 'ctzw') return false; // QEMU 7.2 bug, see the ctzw generator above
    if (spec.extension === 'Zicsr' && isCounterCsr(bits >>> 20)) return false;
    return true;
  }
  if (length === 2) return true;
  const opcode = bits & 0x7f;
  const funct3 = (bits >>> 12) & 7;
  // Unknown words in memory-access majors could be an extension QEMU has and we do not
  // (cache-block ops in MISC-MEM, other widths in LOAD/STORE/LOAD-FP/STORE-FP/AMO): keep out.
  if (opcode === 0x0f) return funct3 <= 1;
  return ![0x03, 0x23, 0x07, 0x27, 0x2f].includes(opcode);
}

/** Registers an encoding may name, so the pointer register can stay clear of them. */
function namedRegisters(bits: number, length: 2 | 4): Set<number> {
  if (length === 4) return new Set([(bits >>> 7) & 31, (bits >>> 15) & 31, (bits >>> 20) & 31]);
  return new Set([2, (bits >>> 7) & 31, (bits >>> 2) & 31, 8, 9, 10, 11, 12, 13, 14, 15]);
}

/**
 * A sequence of one random instruction word: a table entry with random operand bits, or random
 * bits in a major opcode (mostly reserved or illegal encodings). Both sides must agree on whether
 * it traps as illegal and, when it does not, on its result.
 */
export function generateEncodingSequence(seed: number, index: number): Sequence {
  const rng = new Prng(seed ^ 0x3c6e_f372, index);
  let bits: number;
  let length: 2 | 4;
  do {
    if (rng.chance(0.5)) {
      const spec = rng.pick(INSTRUCTIONS);
      length = spec.length;
      const free = ~spec.mask & (length === 4 ? 0xffff_ffff : 0xffff);
      bits = (spec.match | (rng.u32() & free)) >>> 0;
    } else if (rng.chance(0.3)) {
      length = 2;
      bits = rng.u32() & 0xffff;
      if ((bits & 3) === 3) bits &= ~1;
    } else {
      length = 4;
      bits = ((rng.u32() & ~0x7f) | rng.pick(MAJOR_OPCODES)) >>> 0;
    }
  } while (!encodingAcceptable(bits, length));
  const named = namedRegisters(bits, length);
  const free = Array.from({ length: 31 }, (_, i) => i + 1).filter((r) => !named.has(r));
  const ptr = rng.pick(free);
  const word = `0x${bits.toString(16).padStart(length * 2, '0')}`;
  return { seed, index, ptr, ...randomInputs(rng), units: [{ lines: [`.insn ${length}, ${word}`] }] };
}

/** Inputs for a hand-written sequence (regression tests): registers by ABI name, the rest zero. */
export interface ExplicitSequence {
  readonly lines: readonly string[];
  readonly x?: Readonly<Record<string, bigint>>;
  readonly f?: Readonly<Record<string, bigint>>;
  readonly mem?: readonly bigint[];
  readonly frm?: number;
  /** Pointer register (default t6). */
  readonly ptr?: string;
}

/** A sequence from explicit instructions and inputs, one unit per line. */
export function explicitSequence(spec: ExplicitSequence): Sequence {
  const x = Array.from({ length: 32 }, () => 0n);
  const f = Array.from({ length: 32 }, () => 0n);
  for (const [name, v] of Object.entries(spec.x ?? {})) x[X_NAMES.indexOf(name as (typeof X_NAMES)[number])] = v;
  for (const [name, v] of Object.entries(spec.f ?? {})) f[F_NAMES.indexOf(name as (typeof F_NAMES)[number])] = v;
  const mem = Array.from({ length: SCRATCH_BYTES / 8 }, (_, i) => spec.mem?.[i] ?? 0n);
  const ptr = X_NAMES.indexOf((spec.ptr ?? 't6') as (typeof X_NAMES)[number]);
  return { seed: 0, index: 0, ptr, frm: spec.frm ?? 0, x, f, mem, units: spec.lines.map((l) => ({ lines: [l] })) };
}
