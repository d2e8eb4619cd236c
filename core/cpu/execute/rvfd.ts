/**
 * The F and D extensions (Unpriv ch. 11 and 12): OP-FP (0x53) and the fused multiply-adds
 * (0x43 FMADD, 0x47 FMSUB, 0x4b FNMSUB, 0x4f FNMADD) for RV64, bit-exact with QEMU.
 *
 * Hot path: host doubles wherever the answer is provably right. The host rounds to nearest
 * even; error-free transformations (TwoSum, Dekker's product, exact remainders of quotients
 * and roots) give the exact rest of each result, which sets NX and turns the RNE result into
 * the RTZ/RDN/RUP/RMM one by at most one ulp step. Singles are computed in double and rounded
 * with Math.fround, which is correctly rounded for + - * / sqrt because 53 >= 2*24 + 2.
 * Everything else (NaNs, infinities, overflow, tiny results, operands outside the error-free
 * range, double-rounding midpoints) goes to the exact soft-float in ../float/softfloat.ts,
 * which is also the reference the fast path must agree with.
 */
import type { FpuState } from '../fpu-state.js';
import {
  F32,
  F64,
  FLAG_NX,
  FLAG_UF,
  RM_RDN,
  RM_RMM,
  RM_RNE,
  RM_RTZ,
  RM_RUP,
  sfAdd,
  sfCompare,
  sfConvert,
  sfDiv,
  sfFma,
  sfFromInt,
  sfMinMax,
  sfMul,
  sfSqrt,
  sfStatus,
  sfSub,
  sfToInt,
} from '../float/softfloat.js';

const MIN_NORMAL_D = 2.2250738585072014e-308;
const MIN_NORMAL_S = 1.1754943508222875e-38;
const MAX_S = 3.4028234663852886e38;
const MAX_D = Number.MAX_VALUE;
/** Veltkamp's splitter for binary64: 2^27 + 1. */
const SPLIT = 134217729;
/** Dekker's product is exact when operands stay below this (no overflow in the split)... */
const DEKKER_OPERAND_MAX = 2 ** 995;
/** ...and the product lies in this range (its error term neither underflows nor overflows). */
const DEKKER_PRODUCT_MIN = 2 ** -960;
const DEKKER_PRODUCT_MAX = 2 ** 1020;
/** Keeps a residual's own rounding error from carrying it to half an ulp. */
const RESIDUAL_MARGIN = 1 - 2 ** -50;
const TWO32 = 4294967296;
const TWO63 = 2 ** 63;
const TWO64 = 2 ** 64;
const CANONICAL_NAN_S = 0x7fc00000;

/** a * b - p exactly, for p = fl(a * b) with a, b, p in Dekker's range. */
function twoProductErr(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** a + b - s exactly, for s = fl(a + b) (Knuth's TwoSum). */
function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

const scratchD = new Float64Array(1);
const scratchDW = new Int32Array(scratchD.buffer);
const scratchS = new Float32Array(1);
const scratchSW = new Int32Array(scratchS.buffer);

/** The double one ulp farther from zero (dir = 1) or nearer to it (dir = -1) than finite r != 0. */
function stepD(r: number, dir: number): number {
  scratchD[0] = r;
  const lo = (scratchDW[0] >>> 0) + dir;
  if (lo > 0xffffffff) {
    scratchDW[0] = 0;
    scratchDW[1] += 1;
  } else if (lo < 0) {
    scratchDW[0] = -1;
    scratchDW[1] -= 1;
  } else {
    scratchDW[0] = lo;
  }
  return scratchD[0];
}

/** The single one ulp farther from zero (dir = 1) or nearer to it (dir = -1) than R != 0. */
function stepS(R: number, dir: number): number {
  scratchS[0] = R;
  scratchSW[0] += dir;
  return scratchS[0];
}

/**
 * The rounding under rm of exact = r + err, where r = RN(exact) is a double with
 * MIN_NORMAL_D < |r| < MAX_D and err != 0 has the sign of exact - r. With `ties` err is the
 * exact difference (needed by RMM); without, exact cannot be a tie (quotients and roots).
 */
/** Half the spacing of doubles at a normal, finite r: 2^(exponent(r) - 53). */
function halfUlpD(r: number): number {
  scratchD[0] = r;
  scratchDW[1] &= 0x7ff00000;
  scratchDW[0] = 0;
  return scratchD[0] * 2 ** -53;
}

function directedD(r: number, err: number, rm: number, ties: boolean): number {
  switch (rm) {
    case RM_RNE:
      return r;
    case RM_RTZ:
      return err > 0 === r > 0 ? r : stepD(r, -1);
    case RM_RDN:
      return err > 0 ? r : stepD(r, r > 0 ? -1 : 1);
    case RM_RUP:
      return err < 0 ? r : stepD(r, r > 0 ? 1 : -1);
    default: {
      if (!ties || err > 0 !== r > 0) return r;
      const n = stepD(r, 1);
      return n - r === 2 * err ? n : r;
    }
  }
}

/** Scales a tiny double result by 2^600 so that the host's 53-bit rounding is unbounded. */
const TINY_SCALE_D = 2 ** 600;
const UNSCALE_D = 2 ** -600;
const SCALED_MIN_NORMAL_D = 2 ** -422;
/** Half the spacing of the subnormal grid, 2^-1075, scaled by 2^600. */
const SCALED_HALF_GRID_D = 2 ** -475;

/**
 * Finishes a small double result: X = RN(exact * 2^600), a double in Dekker's range, and err
 * the sign of exact * 2^600 - X (its exact value when `ties`). A result that is normal after
 * rounding is just scaled back; a tiny one is rounded onto the subnormal grid under rm, with
 * UF (tininess after rounding, judged at the scaled level) when inexact.
 */
function smallD(s: FpuState, rd: number, X: number, err: number, rm: number, ties: boolean): boolean {
  const unbounded = err === 0 ? X : directedD(X, err, rm, ties);
  if (Math.abs(unbounded) >= SCALED_MIN_NORMAL_D) {
    if (err !== 0) s.fflags |= FLAG_NX;
    s.f64[rd] = unbounded * UNSCALE_D; // exact: the result is normal
    return true;
  }
  const Q = X * UNSCALE_D; // RNE onto the grid: a single rounding of X
  const rest = X - Q * TINY_SCALE_D; // exact; its sign dominates err's
  if (rest === 0 && err === 0) {
    s.f64[rd] = Q;
    return true;
  }
  s.fflags |= FLAG_NX | FLAG_UF;
  const positive = X > 0;
  let res = Q;
  if (rm === RM_RNE || rm === RM_RMM) {
    // Q is the nearest grid point to X; only when X is exactly halfway can err (or RMM) move it.
    if (Math.abs(rest) === SCALED_HALF_GRID_D) {
      const towardRest = err !== 0 ? err > 0 === rest > 0 : rm === RM_RMM && rest > 0 === positive;
      if (towardRest) res = stepD(Q, rest > 0 === positive ? 1 : -1);
    }
  } else {
    const e = rest !== 0 ? rest : err;
    if (rm === RM_RTZ) res = e > 0 === positive ? Q : stepD(Q, -1);
    else if (rm === RM_RDN) res = e > 0 ? Q : stepD(Q, positive ? -1 : 1);
    else res = e < 0 ? Q : stepD(Q, positive ? 1 : -1);
  }
  s.f64[rd] = res;
  return true;
}

/** fmul.d whose result lies below Dekker's range: the smaller operand is scaled up first. */
function mulTinyD(s: FpuState, rd: number, a: number, b: number, rm: number): boolean {
  const small = Math.abs(a) < Math.abs(b);
  const x = (small ? a : b) * TINY_SCALE_D; // exact: |x| < 2^120 when the product is tiny
  const y = small ? b : a;
  const X = x * y;
  return inDekkerRange(x, y, X) && smallD(s, rd, X, twoProductErr(x, y, X), rm, true);
}

/** fdiv.d whose result lies below Dekker's range: the dividend is scaled up first. */
function divTinyD(s: FpuState, rd: number, a: number, b: number, rm: number): boolean {
  const x = a * TINY_SCALE_D; // exact: a tiny quotient means |a| < 2^64
  const X = x / b;
  if (!inDekkerRange(X, b, x)) return false;
  const p = X * b;
  const rem = x - p - twoProductErr(X, b, p);
  return smallD(s, rd, X, b > 0 ? rem : -rem, rm, false);
}

/**
 * RTZ, RDN or RUP of a single: exact = R + err, R its nearest single (possibly a zero), err
 * != 0, and `positive` the sign of exact.
 */
function directedS(R: number, err: number, rm: number, positive: boolean): number {
  if (rm === RM_RTZ) return err > 0 === positive ? R : stepS(R, -1);
  if (rm === RM_RDN) return err > 0 ? R : stepS(R, positive ? -1 : 1);
  return err < 0 ? R : stepS(R, positive ? 1 : -1);
}

/** The fflags of the last roundS result: 0, NX, or NX and UF. */
let roundSFlags = 0;

/** Scales a tiny single into the normal range to round it as if exponents were unbounded. */
const TINY_SCALE_S = 2 ** 200;
const SCALED_MIN_NORMAL_S = 2 ** 74;

/**
 * The single that rm makes of exact = r + t, where r is the double nearest to exact and t
 * the exact rest; its flags in roundSFlags. Returns NaN where the fast path cannot be sure:
 * overflow, a tiny result unless r is exact (t = 0), and r exactly halfway between two
 * singles with t != 0 under RNE or RMM, where double rounding would lose the tie-break.
 * (Math.fround of a double that is the exact value is a single rounding; otherwise double
 * rounding can only go wrong at such a midpoint.)
 */
function roundS(r: number, t: number, rm: number): number {
  const R = Math.fround(r);
  const d = r - R; // exact
  if (d === 0 && t === 0) {
    roundSFlags = 0;
    return R;
  }
  roundSFlags = FLAG_NX;
  const aR = Math.abs(R);
  if (!(aR > MIN_NORMAL_S && aR < MAX_S)) {
    if (!(aR <= MIN_NORMAL_S && t === 0)) return NaN;
    // Tininess is judged after rounding to 24 bits with an unbounded exponent.
    const S = r * TINY_SCALE_S; // exact
    const RS = Math.fround(S);
    if (Math.abs(RS === S ? S : roundNearOrDirectedS(S, RS, S - RS, rm)) < SCALED_MIN_NORMAL_S) roundSFlags |= FLAG_UF;
    return roundNearOrDirectedS(r, R, d, rm);
  }
  if (d === 0) return rm === RM_RNE || rm === RM_RMM ? R : directedS(R, t, rm, r > 0); // |t| is below half an ulp
  if (t !== 0 && (rm === RM_RNE || rm === RM_RMM)) {
    const mirror = 2 * r - R; // the other single around r when r is a midpoint
    if (Math.fround(mirror) === mirror) return NaN;
    return R;
  }
  return roundNearOrDirectedS(r, R, d, rm);
}

/** rm-rounding of the exact double r whose nearest single is R = fround(r), d = r - R != 0. */
function roundNearOrDirectedS(r: number, R: number, d: number, rm: number): number {
  if (rm === RM_RNE) return R;
  if (rm !== RM_RMM) return directedS(R, d, rm, r > 0);
  // RMM differs from RNE only on a tie, where fround chose the even neighbour.
  const mirror = 2 * r - R;
  return Math.fround(mirror) === mirror && Math.abs(R) < Math.abs(r) ? stepS(R, 1) : R;
}

function inDekkerRange(a: number, b: number, p: number): boolean {
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  const ap = Math.abs(p);
  return (
    aa > MIN_NORMAL_D &&
    aa < DEKKER_OPERAND_MAX &&
    ab > MIN_NORMAL_D &&
    ab < DEKKER_OPERAND_MAX &&
    ap >= DEKKER_PRODUCT_MIN &&
    ap < DEKKER_PRODUCT_MAX
  );
}

// ---- register access for the slow path ------------------------------------------------

function bitsD(f: Int32Array, r: number): bigint {
  return (BigInt(f[2 * r + 1] >>> 0) << 32n) | BigInt(f[2 * r] >>> 0);
}

/** A single operand; Unpriv §12.2: an improperly NaN-boxed value reads as the canonical NaN. */
function bitsS(f: Int32Array, r: number): bigint {
  return f[2 * r + 1] === -1 ? BigInt(f[2 * r] >>> 0) : BigInt(CANONICAL_NAN_S);
}

function setD(f: Int32Array, r: number, bits: bigint): void {
  f[2 * r] = Number(bits & 0xffffffffn) | 0;
  f[2 * r + 1] = Number(bits >> 32n) | 0;
}

function setS(f: Int32Array, r: number, bits: bigint): void {
  f[2 * r] = Number(bits) | 0;
  f[2 * r + 1] = -1;
}

function setX(x: Int32Array, r: number, lo: number, hi: number): void {
  if (r !== 0) {
    x[2 * r] = lo;
    x[2 * r + 1] = hi;
  }
}

function setXBig(x: Int32Array, r: number, v: bigint): void {
  setX(x, r, Number(BigInt.asUintN(32, v)) | 0, Number(BigInt.asUintN(32, v >> 32n)) | 0);
}

/** The single in f[r] as a number, or NaN when it is a NaN or not properly boxed. */
function valueS(s: FpuState, r: number): number {
  return s.f[2 * r + 1] === -1 ? s.f32[2 * r] : NaN;
}

function writeS(s: FpuState, r: number, v: number): void {
  s.f32[2 * r] = v;
  s.f[2 * r + 1] = -1;
}

// ---- the instruction set --------------------------------------------------------------

/**
 * Executes one OP-FP or fused multiply-add instruction. Returns 0, or -1 for an illegal
 * encoding (reserved or invalid dynamic rounding mode, unknown function), with no state changed.
 */
export function executeFp(s: FpuState, insn: number): number {
  const opcode = insn & 0x7f;
  const rd = (insn >>> 7) & 31;
  const rs1 = (insn >>> 15) & 31;
  const rs2 = (insn >>> 20) & 31;
  const funct3 = (insn >>> 12) & 7;
  if (opcode === 0x53) return executeOpFp(s, insn >>> 25, rd, rs1, rs2, funct3);
  if (opcode === 0x43 || opcode === 0x47 || opcode === 0x4b || opcode === 0x4f) {
    const fmt = (insn >>> 25) & 3;
    if (fmt > 1) return -1;
    const rm = funct3 === 7 ? s.frm : funct3;
    if (rm > 4) return -1;
    // FMSUB: a*b - c; FNMSUB: -(a*b) + c; FNMADD: -(a*b) - c.
    const negProd = opcode === 0x4b || opcode === 0x4f;
    const negC = opcode === 0x47 || opcode === 0x4f;
    if (fmt === 1) fmaD(s, rd, rs1, rs2, insn >>> 27, negProd, negC, rm);
    else fmaS(s, rd, rs1, rs2, insn >>> 27, negProd, negC, rm);
    return 0;
  }
  return -1;
}

function fmaD(s: FpuState, rd: number, rs1: number, rs2: number, rs3: number, negProd: boolean, negC: boolean, rm: number): void {
  const a = negProd ? -s.f64[rs1] : s.f64[rs1];
  const b = s.f64[rs2];
  const c = negC ? -s.f64[rs3] : s.f64[rs3];
  const p = a * b;
  if ((a === 0 || b === 0) && a - a === 0 && b - b === 0 && c - c === 0) {
    // A zero factor (sparse data): the product is an exact signed zero, so the sum is exact: c
    // itself, or for 0 + 0 the sign rule of IEEE 754 §6.3 (RDN gives -0 unless both are +0).
    const r = p + c;
    s.f64[rd] = r === 0 && rm === RM_RDN && (1 / p < 0 || 1 / c < 0) ? -0 : r;
    return;
  }
  if (inDekkerRange(a, b, p)) {
    // a*b + c = p + pe + c = s1 + t + pe = s1 + u + v, every step exact. When v is zero,
    // r = fl(s1 + u) is the correctly rounded (RNE) result and w its exact error. (v is
    // nonzero only when t and pe lie more than 53 bits apart: rare, left to the slow path.)
    const pe = twoProductErr(a, b, p);
    const s1 = p + c;
    const t = twoSumErr(p, c, s1);
    const u = t + pe;
    const v = twoSumErr(t, pe, u);
    const r = s1 + u;
    const w = twoSumErr(s1, u, r);
    // Now a*b + c = r + w + v exactly, r = fl(s1 + u), |w| <= ulp(r)/2.
    if (v === 0) {
      if (w === 0 && r - r === 0) {
        // Exact. A zero here is the cancellation of a nonzero product: -0 under RDN only.
        s.f64[rd] = r === 0 && rm === RM_RDN ? -0 : r;
        return;
      }
      const ar = Math.abs(r);
      if (ar > MIN_NORMAL_D && ar < MAX_D && w - w === 0) {
        s.fflags |= FLAG_NX;
        s.f64[rd] = directedD(r, w, rm, true);
        return;
      }
    } else {
      // t and pe lie far apart: the residual is z = fl(w + v), whose own error (< |z|/2^53) cannot
      // change its sign. When |z| stays below half an ulp of r with room for that error, r is the
      // nearest double and z's sign rounds the other modes.
      const z = w + v;
      const ar = Math.abs(r);
      if (ar > MIN_NORMAL_D && ar < MAX_D && z - z === 0 && Math.abs(z) < halfUlpD(r) * RESIDUAL_MARGIN) {
        if (z === 0) {
          s.f64[rd] = r; // w = -v: exact
          return;
        }
        s.fflags |= FLAG_NX;
        s.f64[rd] = directedD(r, z, rm, true);
        return;
      }
    }
  }
  sfStatus.flags = 0;
  const res = sfFma(F64, bitsD(s.f, rs1), bitsD(s.f, rs2), bitsD(s.f, rs3), negProd, negC, rm);
  s.fflags |= sfStatus.flags;
  setD(s.f, rd, res);
}

function fmaS(s: FpuState, rd: number, rs1: number, rs2: number, rs3: number, negProd: boolean, negC: boolean, rm: number): void {
  const a = valueS(s, rs1);
  const b = valueS(s, rs2);
  const c0 = valueS(s, rs3);
  const c = negC ? -c0 : c0;
  const p = negProd ? -(a * b) : a * b; // exact: a 48-bit product
  const r = p + c;
  const R = roundS(r, twoSumErr(p, c, r), rm);
  // An exact zero takes the RNE sign of the host's sum except under RDN.
  if (R === R && (R !== 0 || rm !== RM_RDN)) {
    s.fflags |= roundSFlags;
    writeS(s, rd, R);
    return;
  }
  sfStatus.flags = 0;
  const res = sfFma(F32, bitsS(s.f, rs1), bitsS(s.f, rs2), bitsS(s.f, rs3), negProd, negC, rm);
  s.fflags |= sfStatus.flags;
  setS(s.f, rd, res);
}

function executeOpFp(s: FpuState, funct7: number, rd: number, rs1: number, rs2: number, funct3: number): number {
  const rm = funct3 === 7 ? s.frm : funct3;
  switch (funct7) {
    case 0x00: // fadd.s
    case 0x04: // fsub.s
    case 0x08: // fmul.s
    case 0x0c: // fdiv.s
      if (rm > 4) return -1;
      arithS(s, funct7, rd, rs1, rs2, rm);
      return 0;
    case 0x01: // fadd.d
    case 0x05: // fsub.d
    case 0x09: // fmul.d
    case 0x0d: // fdiv.d
      if (rm > 4) return -1;
      arithD(s, funct7, rd, rs1, rs2, rm);
      return 0;
    case 0x2c: // fsqrt.s
      if (rm > 4 || rs2 !== 0) return -1;
      sqrtS(s, rd, rs1, rm);
      return 0;
    case 0x2d: // fsqrt.d
      if (rm > 4 || rs2 !== 0) return -1;
      sqrtD(s, rd, rs1, rm);
      return 0;
    case 0x10: // fsgnj.s, fsgnjn.s, fsgnjx.s
    case 0x11: // fsgnj.d, fsgnjn.d, fsgnjx.d
      if (funct3 > 2) return -1;
      signInject(s, funct7 & 1, funct3, rd, rs1, rs2);
      return 0;
    case 0x14: // fmin.s, fmax.s
    case 0x15: // fmin.d, fmax.d
      if (funct3 > 1) return -1;
      minMax(s, funct7 & 1, funct3 === 1, rd, rs1, rs2);
      return 0;
    case 0x20: // fcvt.s.d
      if (rm > 4 || rs2 !== 1) return -1;
      cvtSD(s, rd, rs1, rm);
      return 0;
    case 0x21: {
      // fcvt.d.s: exact, but QEMU still rejects a reserved rm.
      if (rm > 4 || rs2 !== 0) return -1;
      const a = valueS(s, rs1);
      if (a === a) {
        s.f64[rd] = a;
      } else {
        sfStatus.flags = 0;
        const res = sfConvert(F32, F64, bitsS(s.f, rs1), rm);
        s.fflags |= sfStatus.flags;
        setD(s.f, rd, res);
      }
      return 0;
    }
    case 0x50: // fle.s, flt.s, feq.s
    case 0x51: // fle.d, flt.d, feq.d
      if (funct3 > 2) return -1;
      compare(s, funct7 & 1, funct3, rd, rs1, rs2);
      return 0;
    case 0x60: // fcvt.{w,wu,l,lu}.s
    case 0x61: // fcvt.{w,wu,l,lu}.d
      if (rm > 4 || rs2 > 3) return -1;
      cvtToInt(s, funct7 & 1, rs2, rd, rs1, rm);
      return 0;
    case 0x68: // fcvt.s.{w,wu,l,lu}
    case 0x69: // fcvt.d.{w,wu,l,lu}
      if (rm > 4 || rs2 > 3) return -1;
      cvtFromInt(s, funct7 & 1, rs2, rd, rs1, rm);
      return 0;
    case 0x70: // fmv.x.w, fclass.s
      if (rs2 !== 0 || funct3 > 1) return -1;
      if (funct3 === 0) {
        const lo = s.f[2 * rs1];
        setX(s.x, rd, lo, lo >> 31);
      } else {
        setX(s.x, rd, classS(s.f[2 * rs1 + 1] === -1 ? s.f[2 * rs1] : CANONICAL_NAN_S), 0);
      }
      return 0;
    case 0x71: // fmv.x.d, fclass.d
      if (rs2 !== 0 || funct3 > 1) return -1;
      if (funct3 === 0) setX(s.x, rd, s.f[2 * rs1], s.f[2 * rs1 + 1]);
      else setX(s.x, rd, classD(s.f[2 * rs1 + 1], s.f[2 * rs1]), 0);
      return 0;
    case 0x78: // fmv.w.x
      if (rs2 !== 0 || funct3 !== 0) return -1;
      s.f[2 * rd] = s.x[2 * rs1];
      s.f[2 * rd + 1] = -1;
      return 0;
    case 0x79: // fmv.d.x
      if (rs2 !== 0 || funct3 !== 0) return -1;
      s.f[2 * rd] = s.x[2 * rs1];
      s.f[2 * rd + 1] = s.x[2 * rs1 + 1];
      return 0;
    default:
      return -1;
  }
}

function arithD(s: FpuState, funct7: number, rd: number, rs1: number, rs2: number, rm: number): void {
  const a = s.f64[rs1];
  const b = s.f64[rs2];
  let r: number;
  let err = NaN; // exact - r once known; NaN sends the instruction to the slow path
  let ties = true;
  switch (funct7) {
    case 0x01:
    case 0x05: {
      const bb = funct7 === 0x05 ? -b : b;
      r = a + bb;
      err = twoSumErr(a, bb, r); // NaN unless all finite
      // Exact sums (subnormal ones included) are done; an exact zero carries the host's RNE
      // sign, which is right in every mode but RDN.
      if (err === 0 && r === 0 && rm === RM_RDN) err = NaN;
      break;
    }
    case 0x09:
      r = a * b;
      if (inDekkerRange(a, b, r)) err = twoProductErr(a, b, r);
      else if (r === 0 && (a === 0 || b === 0)) err = 0; // exact zero, sign of the operands
      else if (Math.abs(r) < DEKKER_PRODUCT_MIN && mulTinyD(s, rd, a, b, rm)) return;
      break;
    default:
      r = a / b;
      if (inDekkerRange(r, b, a)) {
        const p = r * b;
        const rem = a - p - twoProductErr(r, b, p); // a - r*b; a - p is exact (Sterbenz)
        err = b > 0 ? rem : -rem;
        ties = false; // a quotient is never exactly halfway between two doubles
      } else if (a === 0 && b !== 0 && b === b) {
        err = 0;
      } else if (Math.abs(r) < DEKKER_PRODUCT_MIN && divTinyD(s, rd, a, b, rm)) {
        return;
      }
      break;
  }
  if (err === 0) {
    s.f64[rd] = r;
    return;
  }
  const ar = Math.abs(r);
  if (ar > MIN_NORMAL_D && ar < MAX_D && err - err === 0) {
    s.fflags |= FLAG_NX;
    s.f64[rd] = directedD(r, err, rm, ties);
    return;
  }
  const ba = bitsD(s.f, rs1);
  const bb = bitsD(s.f, rs2);
  sfStatus.flags = 0;
  let res: bigint;
  if (funct7 === 0x01) res = sfAdd(F64, ba, bb, rm);
  else if (funct7 === 0x05) res = sfSub(F64, ba, bb, rm);
  else if (funct7 === 0x09) res = sfMul(F64, ba, bb, rm);
  else res = sfDiv(F64, ba, bb, rm);
  s.fflags |= sfStatus.flags;
  setD(s.f, rd, res);
}

function arithS(s: FpuState, funct7: number, rd: number, rs1: number, rs2: number, rm: number): void {
  const a = valueS(s, rs1);
  const b = valueS(s, rs2);
  let R: number;
  let flags: number;
  if (funct7 === 0x0c) {
    // fdiv.s: fround(a / b) is the RNE quotient; the exact remainder a - R*b gives the rest.
    R = Math.fround(a / b);
    const rem = a - R * b; // R * b is exact (24 x 24 bits), and so is the difference
    flags = rem !== 0 ? FLAG_NX : 0;
    const aR = Math.abs(R);
    if (flags !== 0 && aR > MIN_NORMAL_S && aR < MAX_S && rem - rem === 0) {
      // Quotients never tie, so RMM is RNE.
      if (rm !== RM_RNE && rm !== RM_RMM) R = directedS(R, b > 0 ? rem : -rem, rm, R > 0);
    } else if (flags !== 0) {
      R = NaN; // overflow, tininess, NaNs, infinities, division by zero
    }
  } else {
    const bb = funct7 === 0x04 ? -b : b;
    const r = funct7 === 0x08 ? a * b : a + bb; // the product is exact
    R = roundS(r, funct7 === 0x08 ? 0 : twoSumErr(a, bb, r), rm);
    flags = roundSFlags;
    if (R === 0 && rm === RM_RDN && funct7 !== 0x08) R = NaN; // an exact zero sum's sign
  }
  if (R === R) {
    s.fflags |= flags;
    writeS(s, rd, R);
    return;
  }
  const ba = bitsS(s.f, rs1);
  const bb = bitsS(s.f, rs2);
  sfStatus.flags = 0;
  let res: bigint;
  if (funct7 === 0x00) res = sfAdd(F32, ba, bb, rm);
  else if (funct7 === 0x04) res = sfSub(F32, ba, bb, rm);
  else if (funct7 === 0x08) res = sfMul(F32, ba, bb, rm);
  else res = sfDiv(F32, ba, bb, rm);
  s.fflags |= sfStatus.flags;
  setS(s.f, rd, res);
}

function sqrtD(s: FpuState, rd: number, rs1: number, rm: number): void {
  const a = s.f64[rs1];
  if (a >= DEKKER_PRODUCT_MIN && a < DEKKER_PRODUCT_MAX) {
    const r = Math.sqrt(a);
    const p = r * r;
    const rem = a - p - twoProductErr(r, r, p); // a - r*r, sign of sqrt(a) - r
    if (rem !== 0) s.fflags |= FLAG_NX;
    s.f64[rd] = rem === 0 ? r : directedD(r, rem, rm, false); // roots never tie
    return;
  }
  if (a === 0) {
    s.f64[rd] = a; // sqrt(-0) = -0
    return;
  }
  sfStatus.flags = 0;
  const res = sfSqrt(F64, bitsD(s.f, rs1), rm);
  s.fflags |= sfStatus.flags;
  setD(s.f, rd, res);
}

function sqrtS(s: FpuState, rd: number, rs1: number, rm: number): void {
  const a = valueS(s, rs1);
  if (a > 0 && a <= MAX_S) {
    const R = Math.fround(Math.sqrt(a));
    const rem = a - R * R; // exact: R * R has 48 bits
    if (rem !== 0) s.fflags |= FLAG_NX;
    writeS(s, rd, rem === 0 || rm === RM_RNE || rm === RM_RMM ? R : directedS(R, rem, rm, true));
    return;
  }
  if (a === 0) {
    writeS(s, rd, a);
    return;
  }
  sfStatus.flags = 0;
  const res = sfSqrt(F32, bitsS(s.f, rs1), rm);
  s.fflags |= sfStatus.flags;
  setS(s.f, rd, res);
}

function signInject(s: FpuState, isD: number, funct3: number, rd: number, rs1: number, rs2: number): void {
  const f = s.f;
  if (isD) {
    const lo = f[2 * rs1];
    const hi1 = f[2 * rs1 + 1];
    const hi2 = f[2 * rs2 + 1];
    const sign = funct3 === 0 ? hi2 : funct3 === 1 ? ~hi2 : hi1 ^ hi2;
    f[2 * rd] = lo;
    f[2 * rd + 1] = (hi1 & 0x7fffffff) | (sign & 0x80000000);
  } else {
    const a = f[2 * rs1 + 1] === -1 ? f[2 * rs1] : CANONICAL_NAN_S;
    const b = f[2 * rs2 + 1] === -1 ? f[2 * rs2] : CANONICAL_NAN_S;
    const sign = funct3 === 0 ? b : funct3 === 1 ? ~b : a ^ b;
    f[2 * rd] = (a & 0x7fffffff) | (sign & 0x80000000);
    f[2 * rd + 1] = -1;
  }
}

function minMax(s: FpuState, isD: number, isMax: boolean, rd: number, rs1: number, rs2: number): void {
  const f = s.f;
  const a = isD ? s.f64[rs1] : valueS(s, rs1);
  const b = isD ? s.f64[rs2] : valueS(s, rs2);
  if (a === a && b === b) {
    // Unpriv §11.7: -0 is less than +0; among equal values either operand will do.
    let pickA: boolean;
    if (a === b) pickA = (f[2 * rs1 + isD] < 0) !== isMax;
    else pickA = a < b !== isMax;
    const src = pickA ? rs1 : rs2;
    const lo = f[2 * src];
    f[2 * rd + 1] = f[2 * src + 1];
    f[2 * rd] = lo;
    return;
  }
  sfStatus.flags = 0;
  if (isD) {
    const res = sfMinMax(F64, bitsD(f, rs1), bitsD(f, rs2), isMax);
    setD(f, rd, res);
  } else {
    const res = sfMinMax(F32, bitsS(f, rs1), bitsS(f, rs2), isMax);
    setS(f, rd, res);
  }
  s.fflags |= sfStatus.flags;
}

function compare(s: FpuState, isD: number, funct3: number, rd: number, rs1: number, rs2: number): void {
  const a = isD ? s.f64[rs1] : valueS(s, rs1);
  const b = isD ? s.f64[rs2] : valueS(s, rs2);
  let r: number;
  if (a === a && b === b) {
    r = funct3 === 2 ? +(a === b) : funct3 === 1 ? +(a < b) : +(a <= b);
  } else {
    sfStatus.flags = 0;
    const kind = funct3 === 2 ? 'eq' : funct3 === 1 ? 'lt' : 'le';
    r = isD ? sfCompare(F64, bitsD(s.f, rs1), bitsD(s.f, rs2), kind) : sfCompare(F32, bitsS(s.f, rs1), bitsS(s.f, rs2), kind);
    s.fflags |= sfStatus.flags;
  }
  setX(s.x, rd, r, 0);
}

/** fclass.s of a single's bits (Unpriv §11.9). */
function classS(w: number): number {
  const exp = (w >>> 23) & 0xff;
  const frac = w & 0x7fffff;
  const neg = w < 0;
  if (exp === 0xff) {
    if (frac === 0) return neg ? 1 << 0 : 1 << 7;
    return frac & 0x400000 ? 1 << 9 : 1 << 8;
  }
  if (exp === 0) {
    if (frac === 0) return neg ? 1 << 3 : 1 << 4;
    return neg ? 1 << 2 : 1 << 5;
  }
  return neg ? 1 << 1 : 1 << 6;
}

/** fclass.d of a double's bits. */
function classD(hi: number, lo: number): number {
  const exp = (hi >>> 20) & 0x7ff;
  const fracZero = (hi & 0xfffff) === 0 && lo === 0;
  const neg = hi < 0;
  if (exp === 0x7ff) {
    if (fracZero) return neg ? 1 << 0 : 1 << 7;
    return hi & 0x80000 ? 1 << 9 : 1 << 8;
  }
  if (exp === 0) {
    if (fracZero) return neg ? 1 << 3 : 1 << 4;
    return neg ? 1 << 2 : 1 << 5;
  }
  return neg ? 1 << 1 : 1 << 6;
}

function cvtSD(s: FpuState, rd: number, rs1: number, rm: number): void {
  const R = roundS(s.f64[rs1], 0, rm);
  if (R === R) {
    s.fflags |= roundSFlags;
    writeS(s, rd, R);
    return;
  }
  sfStatus.flags = 0;
  const res = sfConvert(F64, F32, bitsD(s.f, rs1), rm);
  s.fflags |= sfStatus.flags;
  setS(s.f, rd, res);
}

/** Rounds a finite a to an integer under rm (doubles from 2^52 up are integers already). */
function roundToInt(a: number, rm: number): number {
  switch (rm) {
    case 1:
      return Math.trunc(a);
    case 2:
      return Math.floor(a);
    case 3:
      return Math.ceil(a);
    default: {
      let n = Math.trunc(a);
      const d = a - n; // exact
      if (rm === 0) {
        if (d > 0.5 || (d === 0.5 && n % 2 !== 0)) n += 1;
        else if (d < -0.5 || (d === -0.5 && n % 2 !== 0)) n -= 1;
      } else {
        if (d >= 0.5) n += 1;
        else if (d <= -0.5) n -= 1;
      }
      return n;
    }
  }
}

/** fcvt.{w,wu,l,lu}.{s,d}; kind is the rs2 field: 0 w, 1 wu, 2 l, 3 lu. */
function cvtToInt(s: FpuState, isD: number, kind: number, rd: number, rs1: number, rm: number): void {
  const a = isD ? s.f64[rs1] : valueS(s, rs1);
  if (Math.abs(a) < TWO64) {
    const n = roundToInt(a, rm);
    let ok = true;
    let lo = 0;
    let hi = 0;
    switch (kind) {
      case 0:
        ok = n >= -2147483648 && n <= 2147483647;
        lo = n | 0;
        hi = lo >> 31;
        break;
      case 1:
        // RV64: the 32-bit result is sign-extended.
        ok = n >= 0 && n <= 4294967295;
        lo = n | 0;
        hi = lo >> 31;
        break;
      default: {
        ok = kind === 2 ? n >= -TWO63 && n < TWO63 : n >= 0; // |n| < 2^64 already
        const h = Math.floor(n / TWO32); // exact, and so is the low word below
        hi = h | 0;
        lo = (n - h * TWO32) | 0;
        break;
      }
    }
    if (ok) {
      if (n !== a) s.fflags |= FLAG_NX;
      setX(s.x, rd, lo, hi);
      return;
    }
  }
  sfStatus.flags = 0;
  const bits = isD ? bitsD(s.f, rs1) : bitsS(s.f, rs1);
  const width = kind < 2 ? 32 : 64;
  const v = sfToInt(isD ? F64 : F32, bits, rm, width, (kind & 1) === 0);
  s.fflags |= sfStatus.flags;
  setXBig(s.x, rd, width === 32 ? BigInt.asIntN(32, v) : v);
}

/** fcvt.{s,d}.{w,wu,l,lu}; kind is the rs2 field. */
function cvtFromInt(s: FpuState, isD: number, kind: number, rd: number, rs1: number, rm: number): void {
  const lo = s.x[2 * rs1];
  const hi = s.x[2 * rs1 + 1];
  // The integer as hiPart + low, both exact; their double sum is its one RNE rounding.
  const hiPart = kind === 2 ? hi * TWO32 : kind === 3 ? (hi >>> 0) * TWO32 : 0;
  const low = kind === 0 ? lo : lo >>> 0;
  const v = hiPart + low;
  const t = twoSumErr(hiPart, low, v);
  if (isD) {
    // |v| <= 2^64: normal and far from overflow
    if (t !== 0) s.fflags |= FLAG_NX;
    s.f64[rd] = t === 0 ? v : directedD(v, t, rm, true);
    return;
  }
  const R = roundS(v, t, rm);
  if (R === R) {
    s.fflags |= roundSFlags;
    writeS(s, rd, R);
    return;
  }
  let n: bigint;
  if (kind === 0) n = BigInt(lo);
  else if (kind === 1) n = BigInt(lo >>> 0);
  else {
    const u = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    n = kind === 2 ? BigInt.asIntN(64, u) : u;
  }
  sfStatus.flags = 0;
  if (isD) setD(s.f, rd, sfFromInt(F64, n, rm));
  else setS(s.f, rd, sfFromInt(F32, n, rm));
  s.fflags |= sfStatus.flags;
}
