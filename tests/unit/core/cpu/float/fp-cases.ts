/**
 * Generator of F/D instruction cases for the differential test against qemu-riscv64.
 *
 * A case is one instruction word with fixed registers (fp sources f1/f2/f3, fp destination
 * f4, integer source a1 = x11, integer destination a0 = x10), the operand bits and the
 * dynamic rounding mode. Operands are drawn from edge-case pools (zeros, infinities, NaNs,
 * subnormals, boundaries of every integer conversion, halfway values) and from constructions
 * that put results on rounding boundaries (operands an exact half-ulp apart, products that
 * cancel the addend, doubles halfway between two singles).
 */
import { Sfc32 } from '../../../../helpers/sfc32.js';

export const RS1 = 1;
export const RS2 = 2;
export const RS3 = 3;
export const RD = 4;
export const XRS1 = 11;
export const XRD = 10;
/** Written to f4 and a0 before every case, so untouched destinations are visible. */
export const SENTINEL = 0x5a5a5a5aa5a5a5a5n;

export interface FpCase {
  /** Mnemonic with rounding mode, for messages. */
  name: string;
  insn: number;
  frm: number;
  f1: bigint;
  f2: bigint;
  f3: bigint;
  x11: bigint;
}

/** sfc32, seeded: the same seed always gives the same cases. */
export class Rng extends Sfc32 {
  constructor(seed: number) {
    super(seed | 0, 0x9e3779b9, 0x2545f491);
  }
}

const view = new DataView(new ArrayBuffer(8));
export function dbits(x: number): bigint {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}
export function sbits(x: number): bigint {
  view.setFloat32(0, x);
  return BigInt(view.getUint32(0));
}
export function fromDbits(b: bigint): number {
  view.setBigUint64(0, b);
  return view.getFloat64(0);
}
export function fromSbits(b: bigint): number {
  view.setUint32(0, Number(b & 0xffffffffn));
  return view.getFloat32(0);
}
const BOX = 0xffffffff00000000n;
export function box(s: bigint): bigint {
  return BOX | (s & 0xffffffffn);
}

interface Fmt {
  p: number;
  expBits: number;
  bias: number;
  bits: (x: number) => bigint;
  value: (b: bigint) => number;
  specials: bigint[];
  signBit: bigint;
}

const NUMBERS = [
  0, -0, 1, -1, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, 0.49999999999999994, 0.75, 2, 3, 10, 0.1, 1 / 3, Math.PI,
  2 ** 31, 2 ** 31 - 1, 2 ** 31 - 0.5, 2 ** 31 + 0.5, 2 ** 31 - 1.5, -(2 ** 31), -(2 ** 31) - 0.5, -(2 ** 31) - 1, -(2 ** 31) + 0.5,
  2 ** 32, 2 ** 32 - 1, 2 ** 32 - 0.5, 2 ** 32 - 1.5, 2 ** 32 + 1, -(2 ** 32),
  2 ** 63, 2 ** 63 - 1024, -(2 ** 63), -(2 ** 63) - 2048, 2 ** 64, 2 ** 64 - 2048, 2 ** 64 + 4096,
  2 ** 53, 2 ** 53 + 2, 2 ** 53 - 1, 2 ** 52 + 0.5, 2 ** 52 + 1.5, 2 ** 24, 2 ** 24 + 1, 2 ** 24 + 2, 2 ** 24 - 1, 2 ** 23 + 0.5,
  Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, 2.225073858507201e-308,
  -2.2250738585072014e-308, 2 ** -1023, 2 ** -1022 * 1.5,
  3.4028234663852886e38, 3.4028235677973366e38, 3.4028235677973362e38, 3.4028236e38, 3.4028234e38,
  1.1754943508222875e-38, 1.1754942106924411e-38, 1.401298464324817e-45, 2 ** -150, 2 ** -150 * 1.5, 2 ** -127, 2 ** -149 * 3,
  1e300, -1e300, 1e-300, 1e38, 1e-38, 1e-45, 65504, 1e16, 1e-7,
];

const D_NANS = [
  0x7ff8000000000000n, 0xfff8000000000000n, 0x7ff8000000000001n, 0x7fffffffffffffffn, 0x7ff0000000000001n,
  0x7ff4000000000000n, 0xfff0000000000001n, 0x7ff7ffffffffffffn,
];
const S_NANS = [0x7fc00000n, 0xffc00000n, 0x7fc00001n, 0x7fffffffn, 0x7f800001n, 0x7fa00000n, 0xff800001n, 0x7fbfffffn];

const F64: Fmt = {
  p: 53,
  expBits: 11,
  bias: 1023,
  bits: dbits,
  value: fromDbits,
  specials: [...NUMBERS.map(dbits), dbits(Infinity), dbits(-Infinity), ...D_NANS, 0x000fffffffffffffn, 1n, 0x8000000000000001n],
  signBit: 1n << 63n,
};
const F32: Fmt = {
  p: 24,
  expBits: 8,
  bias: 127,
  bits: sbits,
  value: fromSbits,
  specials: [
    ...NUMBERS.filter((x) => Math.fround(x) === x || Object.is(x, -0)).map(sbits),
    sbits(Infinity),
    sbits(-Infinity),
    ...S_NANS,
    0x007fffffn,
    1n,
    0x80000001n,
    0x00800000n,
    0x7f7fffffn,
    0xff7fffffn,
  ],
  signBit: 1n << 31n,
};

function fields(f: Fmt, b: bigint): { sign: bigint; exp: bigint; frac: bigint } {
  const fb = BigInt(f.p - 1);
  return { sign: (b >> (fb + BigInt(f.expBits))) & 1n, exp: (b >> fb) & ((1n << BigInt(f.expBits)) - 1n), frac: b & ((1n << fb) - 1n) };
}
function make(f: Fmt, sign: bigint, exp: bigint, frac: bigint): bigint {
  const fb = BigInt(f.p - 1);
  const emaxField = (1n << BigInt(f.expBits)) - 1n;
  if (exp < 0n) exp = 0n;
  if (exp > emaxField) exp = emaxField;
  return (sign << (fb + BigInt(f.expBits))) | (exp << fb) | (frac & ((1n << fb) - 1n));
}

/** A random frac: uniform, few top bits, all ones, or a tie pattern. */
function randomFrac(r: Rng, f: Fmt): bigint {
  const fb = f.p - 1;
  const mask = (1n << BigInt(fb)) - 1n;
  switch (r.below(5)) {
    case 0:
      return r.u64() & mask;
    case 1: {
      const k = r.range(0, fb);
      return (r.u64() & ((1n << BigInt(k)) - 1n)) << BigInt(fb - k);
    }
    case 2:
      return mask ^ (r.chance(0.5) ? 0n : 1n);
    case 3:
      return (r.u64() & mask & ~0xffn) | BigInt(r.pick([0x80, 0x7f, 0x81, 0x40, 0xc0, 0x01]));
    default:
      return (r.u64() & mask) >> BigInt(r.range(0, fb));
  }
}

function randomExp(r: Rng, f: Fmt): bigint {
  const emaxField = (1 << f.expBits) - 1;
  switch (r.below(7)) {
    case 0:
      return BigInt(r.range(0, emaxField));
    case 1:
      return BigInt(r.range(0, 3)); // subnormal and lowest normals
    case 2:
      return BigInt(r.range(emaxField - 4, emaxField - 1)); // near overflow
    default:
      return BigInt(f.bias + r.range(-40, 40));
  }
}

export function randomFloat(r: Rng, f: Fmt): bigint {
  const k = r.below(10);
  if (k < 2) return r.pick(f.specials);
  if (k === 2) return r.u64() & ((1n << BigInt(f.p + f.expBits)) - 1n);
  return make(f, r.chance(0.5) ? 1n : 0n, randomExp(r, f), randomFrac(r, f));
}

/** An operand related to `a` so that a op b lands near rounding boundaries. */
function relatedFloat(r: Rng, f: Fmt, a: bigint): bigint {
  const { sign, exp, frac } = fields(f, a);
  switch (r.below(7)) {
    case 0:
      return a;
    case 1:
      return a ^ f.signBit;
    case 2: // same sign or opposite, exponent a little apart
      return make(f, r.chance(0.5) ? sign : sign ^ 1n, exp + BigInt(r.range(-3, 3)), randomFrac(r, f));
    case 3: // about half an ulp of a (ties and near-ties in add/sub)
      return make(f, r.chance(0.5) ? sign : sign ^ 1n, exp - BigInt(f.p + r.range(-2, 2)), r.chance(0.5) ? 0n : randomFrac(r, f));
    case 4: // one ulp apart (cancellation)
      return make(f, sign, exp, frac + BigInt(r.range(-2, 2)));
    case 5: // exponents summing near the extremes (mul/div overflow and underflow)
      return make(f, r.chance(0.5) ? sign : sign ^ 1n, BigInt(2 * f.bias) - exp + BigInt(r.range(-f.p - 2, f.p + 2)), randomFrac(r, f));
    default:
      return make(f, r.chance(0.5) ? sign : sign ^ 1n, exp + BigInt(r.range(-f.p - 8, f.p + 8)), randomFrac(r, f));
  }
}

/** A single with mostly proper NaN-boxing; improperly boxed ones must read as the canonical NaN. */
function boxed(r: Rng, s: bigint): bigint {
  if (r.chance(0.03)) return (BigInt(r.pick([0, 0x7fffffff, 0xfffffffe, r.u32()])) << 32n) | s;
  return box(s);
}

/** A float operand for conversions to integers: near integer boundaries, halves, random. */
function intBoundaryFloat(r: Rng, f: Fmt): bigint {
  if (r.chance(0.4)) return randomFloat(r, f);
  const base = r.pick([0, 1, 2, 3, 7, 2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64, 2 ** 24, 2 ** 53, 2 ** 30]);
  const off = r.pick([-2, -1.5, -1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.5, 2]);
  const v = (r.chance(0.5) ? -1 : 1) * (base + off);
  const b = f.bits(f.p === 24 ? Math.fround(v) : v);
  // and sometimes the neighbouring representable value
  return r.chance(0.3) ? b + BigInt(r.range(-1, 1)) : b;
}

/** A double near the rounding boundaries of binary32 (for fcvt.s.d). */
function nearSingleDouble(r: Rng): bigint {
  if (r.chance(0.3)) return randomFloat(r, F64);
  if (r.chance(0.3)) {
    // within a few half-ulps of the smallest normal single or of the largest finite one
    const v = r.chance(0.6)
      ? 1.1754943508222875e-38 - r.range(-4, 12) * 2 ** -152 - (r.chance(0.5) ? 0 : r.range(-2, 2) * 2 ** -170)
      : 3.4028234663852886e38 + r.range(-8, 8) * 2 ** 102 + r.range(-2, 2) * 2 ** 80;
    return dbits(r.chance(0.5) ? v : -v);
  }
  const e = BigInt(1023 + r.pick([r.range(-160, -120), r.range(120, 130), r.range(-30, 30)]));
  const low = r.pick([0n, 1n << 28n, (1n << 28n) - 1n, (1n << 28n) + 1n, r.u64() & ((1n << 29n) - 1n), (1n << 29n) - 1n]);
  const hi = (r.u64() & ((1n << 23n) - 1n)) << 29n;
  return make(F64, r.chance(0.5) ? 1n : 0n, e, hi | low);
}

const INT_SPECIALS = [
  0n, 1n, 2n, 3n, 0xffffffffffffffffn, 0x80000000n, 0x7fffffffn, 0xffffffff80000000n, 0xffffffffn, 0x100000000n,
  0x8000000000000000n, 0x7fffffffffffffffn, 0x8000000000000001n, 0x1000001n, 0x1000003n, 0xffffffffff000001n,
  0x20000000000001n, 0x20000000000003n, 0x1fffffffffffffn, 0xffffffn, 0x7fffffbfn, 0xfffffffffffff800n, 0xfffffbffn,
  0x7ffffffffffffdffn, 0xffffffff7fffffffn,
  // halfway between two singles, plus a bit below double precision: only exact rounding gets these
  0x1000001000000001n, 0xefffffefffffffffn, 0x8000008000000001n, 0x1000000fffffffffn, 0x0020000000000001n,
];

function randomInt(r: Rng): bigint {
  switch (r.below(4)) {
    case 0:
      return r.pick(INT_SPECIALS);
    case 1:
      return r.u64();
    case 2: {
      const k = r.range(1, 64);
      const v = (r.u64() & ((1n << BigInt(k)) - 1n)) | (1n << BigInt(k - 1));
      return r.chance(0.5) ? v : BigInt.asUintN(64, -v);
    }
    default: {
      // k significant bits ending anywhere: exercises rounding to 24 and 53 bits
      const k = r.range(20, 60);
      const top = r.range(k, 64);
      const v = ((r.u64() | 1n) & ((1n << BigInt(k)) - 1n)) << BigInt(top - k);
      return BigInt.asUintN(64, r.chance(0.5) ? v : -v);
    }
  }
}

// ---- instruction encodings --------------------------------------------------------------

const RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'rm5', 'rm6', 'dyn'];

export function opFp(funct7: number, rs2: number, rs1: number, funct3: number, rd: number): number {
  return ((funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x53) >>> 0;
}

export function r4(opcode: number, fmt: number, rs3: number, rs2: number, rs1: number, rm: number, rd: number): number {
  return ((rs3 << 27) | (fmt << 25) | (rs2 << 20) | (rs1 << 15) | (rm << 12) | (rd << 7) | opcode) >>> 0;
}

type Kind = 'arith2' | 'sqrt' | 'fma' | 'sgnj' | 'minmax' | 'cmp' | 'toint' | 'fromint' | 'cvtsd' | 'cvtds' | 'mvclass' | 'mvfromx';

interface OpDef {
  name: string;
  kind: Kind;
  d: boolean;
  weight: number;
  encode: (rm: number) => number;
  usesRm: boolean;
}

function defs(): OpDef[] {
  const out: OpDef[] = [];
  for (const d of [false, true]) {
    const sfx = d ? '.d' : '.s';
    const fmt = d ? 1 : 0;
    for (const [n, f7] of [['fadd', 0x00], ['fsub', 0x04], ['fmul', 0x08], ['fdiv', 0x0c]] as const)
      out.push({ name: n + sfx, kind: 'arith2', d, weight: 6, usesRm: true, encode: (rm) => opFp(f7 | fmt, RS2, RS1, rm, RD) });
    out.push({ name: 'fsqrt' + sfx, kind: 'sqrt', d, weight: 4, usesRm: true, encode: (rm) => opFp(0x2c | fmt, 0, RS1, rm, RD) });
    for (const [n, op] of [['fmadd', 0x43], ['fmsub', 0x47], ['fnmsub', 0x4b], ['fnmadd', 0x4f]] as const)
      out.push({ name: n + sfx, kind: 'fma', d, weight: 5, usesRm: true, encode: (rm) => r4(op, fmt, RS3, RS2, RS1, rm, RD) });
    for (const [n, f3] of [['fsgnj', 0], ['fsgnjn', 1], ['fsgnjx', 2]] as const)
      out.push({ name: n + sfx, kind: 'sgnj', d, weight: 1, usesRm: false, encode: () => opFp(0x10 | fmt, RS2, RS1, f3, RD) });
    for (const [n, f3] of [['fmin', 0], ['fmax', 1]] as const)
      out.push({ name: n + sfx, kind: 'minmax', d, weight: 2, usesRm: false, encode: () => opFp(0x14 | fmt, RS2, RS1, f3, RD) });
    for (const [n, f3] of [['fle', 0], ['flt', 1], ['feq', 2]] as const)
      out.push({ name: n + sfx, kind: 'cmp', d, weight: 2, usesRm: false, encode: () => opFp(0x50 | fmt, RS2, RS1, f3, XRD) });
    for (const [n, k] of [['w', 0], ['wu', 1], ['l', 2], ['lu', 3]] as const) {
      out.push({ name: `fcvt.${n}${sfx}`, kind: 'toint', d, weight: 4, usesRm: true, encode: (rm) => opFp(0x60 | fmt, k, RS1, rm, XRD) });
      out.push({ name: `fcvt${sfx}.${n}`, kind: 'fromint', d, weight: 3, usesRm: true, encode: (rm) => opFp(0x68 | fmt, k, XRS1, rm, RD) });
    }
    out.push({ name: (d ? 'fmv.x.d' : 'fmv.x.w'), kind: 'mvclass', d, weight: 1, usesRm: false, encode: () => opFp(0x70 | fmt, 0, RS1, 0, XRD) });
    out.push({ name: 'fclass' + sfx, kind: 'mvclass', d, weight: 2, usesRm: false, encode: () => opFp(0x70 | fmt, 0, RS1, 1, XRD) });
    out.push({ name: (d ? 'fmv.d.x' : 'fmv.w.x'), kind: 'mvfromx', d, weight: 1, usesRm: false, encode: () => opFp(0x78 | fmt, 0, XRS1, 0, RD) });
  }
  out.push({ name: 'fcvt.s.d', kind: 'cvtsd', d: true, weight: 5, usesRm: true, encode: (rm) => opFp(0x20, 1, RS1, rm, RD) });
  out.push({ name: 'fcvt.d.s', kind: 'cvtds', d: false, weight: 2, usesRm: true, encode: (rm) => opFp(0x21, 0, RS1, rm, RD) });
  return out;
}

const OPS = defs();
const TOTAL_WEIGHT = OPS.reduce((s, o) => s + o.weight, 0);

function pickOp(r: Rng): OpDef {
  let w = r.below(TOTAL_WEIGHT);
  for (const o of OPS) {
    if (w < o.weight) return o;
    w -= o.weight;
  }
  return OPS[0];
}

/** Encodings QEMU's rv64 CPU rejects (besides reserved rounding modes). */
const ILLEGAL_WORDS: [string, number][] = [
  ['fsgnj.d funct3=3', opFp(0x11, RS2, RS1, 3, RD)],
  ['fmin.s funct3=2', opFp(0x14, RS2, RS1, 2, RD)],
  ['feq.d funct3=3', opFp(0x51, RS2, RS1, 3, XRD)],
  ['fsqrt.d rs2=1', opFp(0x2d, 1, RS1, 0, RD)],
  ['fcvt.w.d rs2=4', opFp(0x61, 4, RS1, 0, XRD)],
  ['fcvt.d.s rs2=1', opFp(0x21, 1, RS1, 0, RD)],
  ['fcvt.s.d rs2=0', opFp(0x20, 0, RS1, 0, RD)],
  ['fmv.x.d funct3=2', opFp(0x71, 0, RS1, 2, XRD)],
  ['fmv.x.w rs2=1', opFp(0x70, 1, RS1, 0, XRD)],
  ['fmv.d.x funct3=1', opFp(0x79, 0, XRS1, 1, RD)],
  ['OP-FP funct7=0x7f', opFp(0x7f, RS2, RS1, 0, RD)],
  ['OP-FP funct7=0x30', opFp(0x30, RS2, RS1, 0, RD)],
  ['fmadd.q', r4(0x43, 3, RS3, RS2, RS1, 0, RD)],
];

/** A result value at a boundary: the smallest normal (tininess after rounding), the largest finite, subnormals. */
function targetValue(r: Rng, f: Fmt): number {
  const minN = f.p === 53 ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
  const max = f.p === 53 ? Number.MAX_VALUE : 3.4028234663852886e38;
  const minSub = f.p === 53 ? Number.MIN_VALUE : 1.401298464324817e-45;
  const t = r.pick([minN, minN, minN, minN, max, max, minSub * r.range(1, 5), minN * 2, minN / 2]);
  return r.chance(0.5) ? t : -t;
}

/** The bits of v in f, moved by a few units in the last place. */
function perturbed(r: Rng, f: Fmt, v: number): bigint | undefined {
  if (!Number.isFinite(v) || v === 0) return undefined;
  const b = f.bits(f.p === 24 ? Math.fround(v) : v) + BigInt(r.range(-6, 6));
  const top = (1n << BigInt(f.p + f.expBits)) - 1n;
  return b < 0n || b > top ? undefined : b;
}

/** Operands whose exact result lies within a few ulps of a boundary value. */
function aimAtBoundary(r: Rng, op: OpDef, f: Fmt, ops: { f1: bigint; f2: bigint; f3: bigint }): void {
  const T = targetValue(r, f);
  const a = f.value(ops.f1);
  if (!Number.isFinite(a) || a === 0) return;
  const base = op.name.split('.')[0];
  let v: number | undefined;
  switch (base) {
    case 'fadd':
      v = T - a;
      break;
    case 'fsub':
      v = a - T;
      break;
    case 'fmul':
      v = T / a;
      break;
    case 'fdiv':
      v = a / T;
      break;
    default: {
      // fused: pick b so a*b is near T's scale, then c to land the sum on T
      const b0 = perturbed(r, f, (T / a) * r.pick([0.5, 1, 1.5, 2, -1, -3]));
      if (b0 === undefined) return;
      ops.f2 = b0;
      const p = a * f.value(b0);
      const c = base === 'fmadd' ? T - p : base === 'fmsub' ? p - T : base === 'fnmsub' ? T + p : -T - p;
      const cb = perturbed(r, f, c);
      if (cb !== undefined) ops.f3 = cb;
      return;
    }
  }
  const b = perturbed(r, f, v);
  if (b !== undefined) ops.f2 = b;
}

function operandsFor(r: Rng, op: OpDef): { f1: bigint; f2: bigint; f3: bigint; x11: bigint } {
  const f = op.d ? F64 : F32;
  const wrap = (b: bigint): bigint => (op.d ? b : boxed(r, b));
  let f1 = randomFloat(r, f);
  let f2 = r.chance(0.5) ? relatedFloat(r, f, f1) : randomFloat(r, f);
  let f3 = r.chance(0.5) ? relatedFloat(r, f, f1) : randomFloat(r, f);
  if (op.kind === 'fma' && r.chance(0.6)) {
    // An addend near -(a*b): cancellation, ties and sticky bits in the fused sum.
    const a = f.value(f1);
    const b = f.value(f2);
    let p = a * b;
    if (!op.d) p = Math.fround(p);
    if (Number.isFinite(p)) {
      const pb = f.bits(r.chance(0.5) ? -p : p);
      f3 = r.chance(0.5) ? pb + BigInt(r.range(-3, 3)) : relatedFloat(r, f, pb);
      if (f3 < 0n) f3 = 0n;
    }
  }
  if ((op.kind === 'arith2' || op.kind === 'fma') && r.chance(0.3)) {
    const e1 = r.chance(0.5) ? f.bias + r.range(-30, 30) : r.range(1, 2 * f.bias);
    const o = { f1: make(f, r.chance(0.5) ? 1n : 0n, BigInt(e1), randomFrac(r, f)), f2, f3 };
    aimAtBoundary(r, op, f, o);
    ({ f1, f2, f3 } = o);
  }
  if (op.kind === 'fma' && r.chance(0.2)) {
    // a*b exactly halfway between two representables (3 times an odd significand often is),
    // and an addend far below it that must break the tie.
    const e1 = BigInt(f.bias + r.range(-20, 20));
    const e2 = BigInt(f.bias + r.range(-20, 20));
    f1 = make(f, r.chance(0.5) ? 1n : 0n, e1, 1n << BigInt(f.p - 2)); // 1.5 * 2^e
    f2 = make(f, r.chance(0.5) ? 1n : 0n, e2, randomFrac(r, f) | 1n);
    const short = (r.u64() & 0x3ffn) << BigInt(f.p - 11); // often exactly representable sums
    f3 = make(f, r.chance(0.5) ? 1n : 0n, e1 + e2 - BigInt(f.bias + f.p + r.range(-2, 70)), r.chance(0.5) ? short : randomFrac(r, f));
  }
  if (op.kind === 'toint') f1 = intBoundaryFloat(r, f);
  if (op.kind === 'cvtsd') f1 = nearSingleDouble(r);
  if (op.kind === 'cvtds') {
    f1 = randomFloat(r, F32);
    return { f1: boxed(r, f1), f2: 0n, f3: 0n, x11: randomInt(r) };
  }
  if (op.kind === 'sqrt' && r.chance(0.5)) f1 &= ~f.signBit;
  if (op.kind === 'cvtsd') return { f1, f2: dbits(1), f3: dbits(2), x11: randomInt(r) };
  const mask = (1n << BigInt(f.p + f.expBits)) - 1n;
  f1 &= mask;
  f2 &= mask;
  f3 &= mask;
  return { f1: wrap(f1), f2: wrap(f2), f3: wrap(f3), x11: randomInt(r) };
}

/** `count` cases from `seed`: every op, every rounding mode (static and dynamic), a few illegal ones. */
export function generateCases(seed: number, count: number): FpCase[] {
  const r = new Rng(seed);
  const cases: FpCase[] = [];
  for (let i = 0; i < count; i++) {
    const op = pickOp(r);
    const ops = operandsFor(r, op);
    if (r.chance(0.01)) {
      const [name, insn] = r.pick(ILLEGAL_WORDS);
      cases.push({ name, insn, frm: r.range(0, 4), ...ops });
      continue;
    }
    let rm: number;
    let frm = r.range(0, 4);
    if (op.usesRm) {
      // Round to nearest even is what programs run (and what the fast paths serve): half the cases.
      const k = r.below(100);
      if (k < 2) rm = r.pick([5, 6]);
      else if (k < 4) {
        rm = 7;
        frm = r.pick([5, 6, 7]);
      } else if (k < 30) {
        rm = 7;
        frm = r.chance(0.6) ? 0 : frm;
      } else if (k < 50) rm = 0;
      else rm = r.range(0, 4);
    } else {
      rm = 0;
      if (r.chance(0.1)) frm = r.range(5, 7); // an invalid frm must not matter here
    }
    const name = op.usesRm ? `${op.name} ${RM_NAMES[rm]}${rm === 7 ? ` frm=${frm}` : ''}` : op.name;
    cases.push({ name, insn: op.encode(rm), frm, ...ops });
  }
  return cases;
}

// ---- the exhaustive sweep of special operands ---------------------------------------------

const SWEEP_D = [
  0n, 1n << 63n, dbits(Infinity), dbits(-Infinity), 0x7ff8000000000000n, 0x7ff0000000000001n, 0xfff8000000000005n,
  1n, 0x8000000000000001n, 0x000fffffffffffffn, 0x0010000000000000n, 0x8010000000000000n, 0x7fefffffffffffffn,
  0xffefffffffffffffn, dbits(1), dbits(-1), dbits(1) + 1n, dbits(1.5), dbits(-2.5), dbits(3), dbits(2 ** -537),
  dbits(2 ** 512), dbits(1 / 3), dbits(2 ** -1022 * 1.5),
];
const SWEEP_S = [
  0n, 1n << 31n, sbits(Infinity), sbits(-Infinity), 0x7fc00000n, 0x7f800001n, 0xffc00005n, 1n, 0x80000001n,
  0x007fffffn, 0x00800000n, 0x80800000n, 0x7f7fffffn, 0xff7fffffn, sbits(1), sbits(-1), sbits(1) + 1n, sbits(1.5),
  sbits(-2.5), sbits(3), sbits(2 ** -75), sbits(2 ** 64), sbits(Math.fround(1 / 3)), sbits(2 ** -126 * 1.5),
];
const SWEEP_FMA = [0, 1, 2, 4, 5, 7, 10, 15, 19];

/**
 * Every pair of special operands (zeros, infinities, quiet and signalling NaNs, subnormals,
 * extremes, ones) through every two-operand instruction under every rounding mode, every
 * triple from a subset through the fused multiply-adds, and every special through the
 * one-operand instructions and conversions.
 */
export function specialCases(): FpCase[] {
  const out: FpCase[] = [];
  const rms = [0, 1, 2, 3, 4, 7];
  for (const d of [false, true]) {
    const vals = d ? SWEEP_D : SWEEP_S;
    const w = (b: bigint): bigint => (d ? b : box(b));
    const ops = OPS.filter((o) => o.d === d || (o.kind === 'cvtds' && !d));
    for (const op of ops) {
      const modes = !op.usesRm ? [0] : op.kind === 'fma' ? [0, 1, 2, 3, 4] : rms;
      for (const rm of modes) {
        const frm = rm === 7 ? 3 : 0;
        const name = op.usesRm ? `${op.name} ${RM_NAMES[rm]}${rm === 7 ? ` frm=${frm}` : ''}` : op.name;
        const insn = op.encode(rm);
        if (op.kind === 'fma') {
          for (const i of SWEEP_FMA)
            for (const j of SWEEP_FMA)
              for (const k of SWEEP_FMA) out.push({ name, insn, frm, f1: w(vals[i]), f2: w(vals[j]), f3: w(vals[k]), x11: 0n });
        } else if (op.kind === 'arith2' || op.kind === 'sgnj' || op.kind === 'minmax' || op.kind === 'cmp') {
          for (const a of vals) for (const b of vals) out.push({ name, insn, frm, f1: w(a), f2: w(b), f3: 0n, x11: 0n });
        } else if (op.kind === 'fromint' || op.kind === 'mvfromx') {
          for (const n of INT_SPECIALS) out.push({ name, insn, frm, f1: 0n, f2: 0n, f3: 0n, x11: n });
        } else {
          const src = op.kind === 'cvtsd' ? SWEEP_D : op.kind === 'cvtds' ? SWEEP_S.map(box) : vals.map(w);
          for (const a of src) out.push({ name, insn, frm, f1: a, f2: 0n, f3: 0n, x11: 0n });
        }
      }
    }
  }
  return out;
}
