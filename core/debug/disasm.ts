/**
 * RISC-V disassembler driven by the core/isa table. It prints exactly what
 * `riscv64-unknown-elf-objdump -d -M no-aliases` (binutils 2.40) prints in its instruction column:
 * the mnemonic, a tab, then comma-separated operands without spaces; ABI register names; CSR names;
 * CSR names as objdump spells them (./objdump-csr-names.ts, generated from objdump, covers the
 * RV32, hypervisor and debug CSRs the hart does not implement);
 * branch and jump targets as absolute hex addresses (objdump's ` <symbol>` and `# comment`
 * decorations are not printed); `.4byte 0x…` / `.2byte 0x…` for encodings that are not instructions.
 *
 * Known, deliberate differences from objdump 2.40 (both on encodings objdump itself treats oddly):
 * - fcvt.d.s / fcvt.d.w / fcvt.d.wu with a non-zero rm field execute normally on the hart (the
 *   result is exact, rm is ignored) and print with their rounding mode; objdump 2.40 prints `.4byte`.
 * - c.addi16sp with a zero immediate is reserved: printed as `.2byte` (objdump names it).
 *
 * Pure TypeScript with no Node or DOM dependency: the renderer uses it too.
 */
import {
  CSR_NAMES,
  FIELDS,
  INSTRUCTIONS_16,
  instructionLength,
  lookup,
  type FieldName,
  type InstructionSpec,
} from '../isa/index.js';
import { OBJDUMP_CSR_NAMES } from './objdump-csr-names.js';

export const X_ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];
export const F_ABI_NAMES: readonly string[] = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3',
  'fa4', 'fa5', 'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11',
  'ft8', 'ft9', 'ft10', 'ft11',
];
/** Rounding modes as objdump spells them (5 and 6 are reserved). */
const RM_NAMES = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'unknown', 'unknown', 'dyn'];
const AQRL_SUFFIX = ['', '.rl', '.aq', '.aqrl'];
/** Conversions whose result is exact: objdump prints no rounding mode for rm = 0. */
const EXACT_CONVERSIONS = new Set(['fcvt.d.s', 'fcvt.d.w', 'fcvt.d.wu']);

type Kind = 'x' | 'f' | 'dec' | 'hex' | 'pcrel' | 'csr' | 'fence';

const FIELD_KIND: Record<FieldName, Kind> = {
  rd: 'x', rs1: 'x', rs2: 'x', c_rd: 'x', c_rs1: 'x', c_rs2: 'x', c_rdp: 'x', c_rs1p: 'x', c_rs2p: 'x',
  fd: 'f', fs1: 'f', fs2: 'f', fs3: 'f', c_fd: 'f', c_fs2: 'f', c_fdp: 'f', c_fs2p: 'f',
  rm: 'dec', zimm: 'dec', imm_i: 'dec', imm_s: 'dec', c_imm6: 'dec', c_imm_addi16sp: 'dec',
  c_imm_addi4spn: 'dec', c_uimm_w: 'dec', c_uimm_d: 'dec', c_uimm_lwsp: 'dec', c_uimm_ldsp: 'dec',
  c_uimm_swsp: 'dec', c_uimm_sdsp: 'dec',
  shamt: 'hex', shamtw: 'hex', c_shamt: 'hex', imm_u: 'hex', c_imm_lui: 'hex',
  imm_b: 'pcrel', imm_j: 'pcrel', c_imm_j: 'pcrel', c_imm_b: 'pcrel',
  csr: 'csr',
  pred: 'fence', succ: 'fence',
};

const MASK64 = (1n << 64n) - 1n;
const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

function fenceSet(bits: number): string {
  if (bits === 0) return 'unknown';
  return (bits & 8 ? 'i' : '') + (bits & 4 ? 'o' : '') + (bits & 2 ? 'r' : '') + (bits & 1 ? 'w' : '');
}

function operand(name: FieldName, insn: number, pc: bigint): string {
  const v = FIELDS[name](insn);
  switch (FIELD_KIND[name]) {
    case 'x':
      return X_ABI_NAMES[v];
    case 'f':
      return F_ABI_NAMES[v];
    case 'dec':
      return String(v);
    case 'hex':
      return hex(v);
    case 'pcrel':
      return ((pc + BigInt(v)) & MASK64).toString(16);
    case 'csr':
      return OBJDUMP_CSR_NAMES.get(v) ?? CSR_NAMES.get(v) ?? hex(v);
    case 'fence':
      return fenceSet(v);
  }
}

/** `.4byte` / `.2byte` for a word that is not an instruction, as objdump prints it. */
function dataWord(insn: number, length: 2 | 4): string {
  return length === 4 ? `.4byte\t${hex(insn)}` : `.2byte\t${hex(insn & 0xffff)}`;
}

const C_SLLI = INSTRUCTIONS_16.find((s) => s.name === 'c.slli');

/** objdump's names for encodings the table treats differently (compressed HINTs and zero shifts). */
function special(spec: InstructionSpec, insn: number): string | undefined {
  switch (spec.name) {
    case 'c.nop':
      return 'c.addi\tzero,0';
    case 'c.slli':
    case 'c.srli':
    case 'c.srai': {
      // A zero shift amount is the RV128 "64" form; objdump names it so.
      if (FIELDS.c_shamt(insn) !== 0) return undefined;
      const reg = spec === C_SLLI ? FIELDS.c_rd(insn) : FIELDS.c_rs1p(insn);
      return `${spec.name}64\t${X_ABI_NAMES[reg]}`;
    }
    case 'fence':
      // Only fm = 0 (and fence.tso, matched earlier) are defined.
      return insn >>> 28 === 0 ? undefined : dataWord(insn, 4);
    default:
      return undefined;
  }
}

/**
 * Disassembles one instruction. `insn` holds a 32-bit instruction, or a compressed one in its low
 * halfword (bits 1:0 ≠ 11). `pc` is the instruction's address, used for branch and jump targets.
 */
export function disassemble(insn: number, pc = 0n): string {
  const length = instructionLength(insn & 0xffff);
  const bits = length === 4 ? insn >>> 0 : insn & 0xffff;
  if (length === 2 && bits === 0) return 'c.unimp';
  const spec = lookup(bits);
  if (spec === undefined) return dataWord(bits, length);
  const sp = special(spec, bits);
  if (sp !== undefined) return sp;
  let name = spec.name;
  if (spec.aqrl) name += AQRL_SUFFIX[(bits >>> 25) & 3];
  let ops = spec.syntax.replace(/[a-z_0-9]+/g, (token) =>
    token === 'x2' ? 'sp' : token in FIELDS ? operand(token as FieldName, bits, pc) : token,
  );
  ops = ops.replace(/,\s+/g, ',');
  if (spec.hasRm) {
    const rm = FIELDS.rm(bits);
    if (rm !== 7 && !(rm === 0 && EXACT_CONVERSIONS.has(spec.name))) ops += `,${RM_NAMES[rm]}`;
  }
  return ops === '' ? name : `${name}\t${ops}`;
}

/** One instruction of a disassembled buffer. */
export interface DisassembledInstruction {
  readonly address: bigint;
  /** Bytes consumed: 2 or 4 (1 for a trailing odd byte). */
  readonly length: 1 | 2 | 4;
  /** The instruction bits (a halfword for compressed instructions). */
  readonly bits: number;
  readonly text: string;
}

/**
 * Disassembles a little-endian code buffer that mixes 32-bit and compressed instructions, starting
 * at `address`. A 32-bit instruction cut off by the end of the buffer prints as `.2byte`.
 */
export function disassembleBytes(bytes: Uint8Array, address = 0n): DisassembledInstruction[] {
  const out: DisassembledInstruction[] = [];
  let i = 0;
  while (i < bytes.length) {
    const pc = (address + BigInt(i)) & MASK64;
    if (i + 1 >= bytes.length) {
      out.push({ address: pc, length: 1, bits: bytes[i], text: `.byte\t${hex(bytes[i])}` });
      break;
    }
    const half = bytes[i] | (bytes[i + 1] << 8);
    if (instructionLength(half) === 4 && i + 3 < bytes.length) {
      const word = (half | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0;
      out.push({ address: pc, length: 4, bits: word, text: disassemble(word, pc) });
      i += 4;
    } else {
      const text = instructionLength(half) === 4 ? dataWord(half, 2) : disassemble(half, pc);
      out.push({ address: pc, length: 2, bits: half, text });
      i += 2;
    }
  }
  return out;
}
