/**
 * Instruction fields and immediate decoders, one per encoding format (Unpriv ISA §2.3, §16.2).
 *
 * Every function takes the raw instruction bits (a 32-bit or 16-bit number, any sign) and
 * returns a plain number: registers 0..31, signed immediates as signed numbers. They are pure
 * integer math and cheap enough for the hart's decode switch.
 */

/** Integer or FP register fields of the 32-bit formats. */
export const rd = (i: number): number => (i >>> 7) & 31;
export const rs1 = (i: number): number => (i >>> 15) & 31;
export const rs2 = (i: number): number => (i >>> 20) & 31;
export const rs3 = (i: number): number => i >>> 27;
export const funct3 = (i: number): number => (i >>> 12) & 7;
export const funct7 = (i: number): number => i >>> 25;
/** Rounding-mode field of FP instructions (same bits as funct3). */
export const rm = (i: number): number => (i >>> 12) & 7;
export const csr = (i: number): number => i >>> 20;
/** The 5-bit unsigned immediate of CSRR*I (in the rs1 position). */
export const zimm = (i: number): number => (i >>> 15) & 31;
/** RV64 shift amount (6 bits) and RV32/W shift amount (5 bits). */
export const shamt = (i: number): number => (i >>> 20) & 63;
export const shamtw = (i: number): number => (i >>> 20) & 31;
export const aq = (i: number): number => (i >>> 26) & 1;
export const rl = (i: number): number => (i >>> 25) & 1;
/** FENCE predecessor / successor sets (bits I,O,R,W = 8,4,2,1). */
export const pred = (i: number): number => (i >>> 24) & 15;
export const succ = (i: number): number => (i >>> 20) & 15;
export const fm = (i: number): number => i >>> 28;

/** I-type immediate, sign-extended from 12 bits. */
export const immI = (i: number): number => i >> 20;
/** S-type immediate. */
export const immS = (i: number): number => ((i >> 20) & ~31) | ((i >>> 7) & 31);
/** B-type branch offset (even, ±4 KiB). */
export const immB = (i: number): number =>
  ((i >> 19) & ~0xfff) | ((i << 4) & 0x800) | ((i >>> 20) & 0x7e0) | ((i >>> 7) & 0x1e);
/** U-type immediate: bits 31:12 in place, low 12 bits zero (sign-extended to 64 on RV64). */
export const immU = (i: number): number => i & ~0xfff;
/** J-type jump offset (even, ±1 MiB). */
export const immJ = (i: number): number =>
  ((i >> 11) & ~0xfffff) | (i & 0xff000) | ((i >>> 9) & 0x800) | ((i >>> 20) & 0x7fe);

// ---- compressed (RVC) fields, Unpriv §16.2 Table 16.1 ----

/** Full 5-bit rd/rs1 (CR, CI, CSS... formats) and rs2 (bits 6:2). */
export const cRd = (i: number): number => (i >>> 7) & 31;
export const cRs1 = cRd;
export const cRs2 = (i: number): number => (i >>> 2) & 31;
/** 3-bit "prime" registers x8..x15: rd'/rs2' at bits 4:2, rs1'/rd' at bits 9:7. */
export const cRdP = (i: number): number => 8 + ((i >>> 2) & 7);
export const cRs2P = cRdP;
export const cRs1P = (i: number): number => 8 + ((i >>> 7) & 7);

/** CI signed 6-bit immediate: imm[5] = bit 12, imm[4:0] = bits 6:2. */
export const cImm6 = (i: number): number => ((i << 19) >> 26 & ~31) | ((i >>> 2) & 31);
/** CI unsigned 6-bit shift amount for C.SLLI/C.SRLI/C.SRAI. */
export const cShamt = (i: number): number => ((i >>> 7) & 32) | ((i >>> 2) & 31);
/** C.LUI: nzimm[17] = bit 12, nzimm[16:12] = bits 6:2, returned as the shifted value. */
export const cImmLui = (i: number): number => cImm6(i) << 12;
/** C.ADDI16SP: nzimm[9|4|6|8:7|5], a multiple of 16. */
export const cImmAddi16sp = (i: number): number =>
  (((i << 19) >> 31) & ~511) | ((i >>> 2) & 16) | ((i << 1) & 64) | ((i << 4) & 384) | ((i << 3) & 32);
/** C.ADDI4SPN: nzuimm[5:4|9:6|2|3] at bits 12:5, a multiple of 4. */
export const cImmAddi4spn = (i: number): number =>
  ((i >>> 7) & 0x30) | ((i >>> 1) & 0x3c0) | ((i >>> 4) & 4) | ((i >>> 2) & 8);
/** C.LW/C.SW (and C.FLW): uimm[5:3] bits 12:10, uimm[2|6] bits 6:5. */
export const cUimmW = (i: number): number => ((i >>> 7) & 0x38) | ((i >>> 4) & 4) | ((i << 1) & 0x40);
/** C.LD/C.SD/C.FLD/C.FSD: uimm[5:3] bits 12:10, uimm[7:6] bits 6:5. */
export const cUimmD = (i: number): number => ((i >>> 7) & 0x38) | ((i << 1) & 0xc0);
/** C.LWSP: uimm[5] bit 12, uimm[4:2|7:6] bits 6:2. */
export const cUimmLwsp = (i: number): number => ((i >>> 7) & 0x20) | ((i >>> 2) & 0x1c) | ((i << 4) & 0xc0);
/** C.LDSP/C.FLDSP: uimm[5] bit 12, uimm[4:3|8:6] bits 6:2. */
export const cUimmLdsp = (i: number): number => ((i >>> 7) & 0x20) | ((i >>> 2) & 0x18) | ((i << 4) & 0x1c0);
/** C.SWSP: uimm[5:2|7:6] bits 12:7. */
export const cUimmSwsp = (i: number): number => ((i >>> 7) & 0x3c) | ((i >>> 1) & 0xc0);
/** C.SDSP/C.FSDSP: uimm[5:3|8:6] bits 12:7. */
export const cUimmSdsp = (i: number): number => ((i >>> 7) & 0x38) | ((i >>> 1) & 0x1c0);
/** C.J/C.JAL: offset[11|4|9:8|10|6|7|3:1|5]. */
export const cImmJ = (i: number): number =>
  (((i << 19) >> 31) & ~0x7ff) |
  ((i >>> 7) & 0x10) |
  ((i >>> 1) & 0x300) |
  ((i << 2) & 0x400) |
  ((i >>> 1) & 0x40) |
  ((i << 1) & 0x80) |
  ((i >>> 2) & 0xe) |
  ((i << 3) & 0x20);
/** C.BEQZ/C.BNEZ: offset[8|4:3] bits 12:10, offset[7:6|2:1|5] bits 6:2. */
export const cImmB = (i: number): number =>
  (((i << 19) >> 31) & ~0xff) | ((i >>> 7) & 0x18) | ((i << 1) & 0xc0) | ((i >>> 2) & 6) | ((i << 3) & 0x20);

/**
 * Every named operand field an instruction's `syntax` may mention, with its extractor.
 * Register fields name the register file through their prefix: r* integer, f* floating point.
 */
export const FIELDS = {
  rd,
  rs1,
  rs2,
  fd: rd,
  fs1: rs1,
  fs2: rs2,
  fs3: rs3,
  rm,
  csr,
  zimm,
  shamt,
  shamtw,
  pred,
  succ,
  imm_i: immI,
  imm_s: immS,
  imm_b: immB,
  imm_u: (i: number): number => immU(i) >>> 12,
  imm_j: immJ,
  c_rd: cRd,
  c_rs1: cRs1,
  c_rs2: cRs2,
  c_fd: cRd,
  c_fs2: cRs2,
  c_rdp: cRdP,
  c_rs1p: cRs1P,
  c_rs2p: cRs2P,
  c_fdp: cRdP,
  c_fs2p: cRs2P,
  c_imm6: cImm6,
  c_shamt: cShamt,
  c_imm_lui: (i: number): number => cImm6(i) & 0xfffff,
  c_imm_addi16sp: cImmAddi16sp,
  c_imm_addi4spn: cImmAddi4spn,
  c_uimm_w: cUimmW,
  c_uimm_d: cUimmD,
  c_uimm_lwsp: cUimmLwsp,
  c_uimm_ldsp: cUimmLdsp,
  c_uimm_swsp: cUimmSwsp,
  c_uimm_sdsp: cUimmSdsp,
  c_imm_j: cImmJ,
  c_imm_b: cImmB,
} as const satisfies Record<string, (insn: number) => number>;

export type FieldName = keyof typeof FIELDS;
