/**
 * The F and D extensions (Unpriv ch. 11 and 12): OP-FP (0x53) and the fused multiply-adds
 * (0x43 FMADD, 0x47 FMSUB, 0x4b FNMSUB, 0x4f FNMADD) for RV64, bit-exact with QEMU.
 *
 * Hot path: host doubles wherever the answer is provably the correctly rounded one (round to
 * nearest even, normal results), with exceptions detected by error-free transformations
 * (TwoSum, Dekker's product, remainder checks). Singles are computed in double and rounded
 * with Math.fround, which is correctly rounded for + - * / sqrt because 53 >= 2*24 + 2.
 * Anything else (other rounding modes, NaNs, infinities, overflow, tiny results, operands out
 * of the error-free range) goes to the exact soft-float in ../float/softfloat.ts.
 */
import type { FpuState } from '../fpu-state.js';
import {
  F32,
  F64,
  FLAG_NX,
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
/** Veltkamp's splitter for binary64: 2^27 + 1. */
const SPLIT = 134217729;
/** Dekker's product is exact when operands stay below this (no overflow in the split)... */
const DEKKER_OPERAND_MAX = 2 ** 995;
/** ...and the product lies in this range (its error term neither underflows nor overflows). */
const DEKKER_PRODUCT_MIN = 2 ** -960;
const DEKKER_PRODUCT_MAX = 2 ** 1020;
const TWO32 = 4294967296;
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

/**
 * The single nearest (ties to even) to the exact value r + t, where r is the double nearest to
 * it and t the (exact) rest; NaN when r lies exactly halfway between two singles and t != 0,
 * where only the slow path knows which way the tie breaks. Rounding a double that is itself
 * the exact value with Math.fround is a single rounding; otherwise double rounding could only
 * go wrong at such a midpoint.
 */
function roundToSingle(r: number, t: number): number {
  const R = Math.fround(r);
  if (t === 0 || R === r) return R;
  const mirror = 2 * r - R; // the other single around r, if r is a midpoint
  return Math.fround(mirror) === mirror ? NaN : R;
}

function inDekkerRange(a: number, b: number, p: number): boolean {
  const aa = Math.abs(a);
  const ab = Math.abs(b);
  const ap = Math.abs(p);
  return (
    aa >= MIN_NORMAL_D &&
    aa < DEKKER_OPERAND_MAX &&
    ab >= MIN_NORMAL_D &&
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
  if (rm === 0) {
    const a = negProd ? -s.f64[rs1] : s.f64[rs1];
    const b = s.f64[rs2];
    const c = negC ? -s.f64[rs3] : s.f64[rs3];
    const p = a * b;
    if (inDekkerRange(a, b, p)) {
      // a*b + c = p + pe + c = s1 + t + pe = s1 + u + v, every step exact. When v is zero,
      // r = fl(s1 + u) is the one correctly rounded result and w its exact error. (v is
      // nonzero only when t and pe lie more than 53 bits apart: rare, left to the slow path.)
      const pe = twoProductErr(a, b, p);
      const s1 = p + c;
      const t = twoSumErr(p, c, s1);
      const u = t + pe;
      if (twoSumErr(t, pe, u) === 0) {
        const r = s1 + u;
        const w = twoSumErr(s1, u, r);
        const ar = Math.abs(r);
        if (ar > MIN_NORMAL_D && ar < Infinity && w - w === 0) {
          if (w !== 0) s.fflags |= FLAG_NX;
          s.f64[rd] = r;
          return;
        }
        if (r === 0 && w === 0) {
          // Exact cancellation of a nonzero product: +0 under RNE.
          s.f64[rd] = 0;
          return;
        }
      }
    }
  }
  sfStatus.flags = 0;
  const res = sfFma(F64, bitsD(s.f, rs1), bitsD(s.f, rs2), bitsD(s.f, rs3), negProd, negC, rm);
  s.fflags |= sfStatus.flags;
  setD(s.f, rd, res);
}

function fmaS(s: FpuState, rd: number, rs1: number, rs2: number, rs3: number, negProd: boolean, negC: boolean, rm: number): void {
  if (rm === 0) {
    const a = valueS(s, rs1);
    const b = valueS(s, rs2);
    const c0 = valueS(s, rs3);
    const c = negC ? -c0 : c0;
    const p = negProd ? -(a * b) : a * b; // exact: 48-bit product
    const r = p + c;
    const t = twoSumErr(p, c, r);
    const R = roundToSingle(r, t);
    const aR = Math.abs(R);
    if (aR > MIN_NORMAL_S && aR <= MAX_S) {
      if (t !== 0 || R !== r) s.fflags |= FLAG_NX;
      writeS(s, rd, R);
      return;
    } else if (r === 0 && t === 0 && p !== 0) {
      // Exact cancellation of a nonzero product: +0 under RNE.
      writeS(s, rd, 0);
      return;
    }
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
  if (rm === 0) {
    const a = s.f64[rs1];
    const b = s.f64[rs2];
    switch (funct7) {
      case 0x01:
      case 0x05: {
        const bb = funct7 === 0x05 ? -b : b;
        const r = a + bb;
        if (r - r === 0) {
          // Finite sums (subnormal ones included) are exact or merely inexact.
          const err = twoSumErr(a, bb, r);
          if (err === 0 || err - err === 0) {
            if (err !== 0) s.fflags |= FLAG_NX;
            s.f64[rd] = r;
            return;
          }
        }
        break;
      }
      case 0x09: {
        const r = a * b;
        if (inDekkerRange(a, b, r)) {
          if (twoProductErr(a, b, r) !== 0) s.fflags |= FLAG_NX;
          s.f64[rd] = r;
          return;
        }
        if (r === 0 && (a === 0 || b === 0)) {
          s.f64[rd] = r;
          return;
        }
        break;
      }
      default: {
        const r = a / b;
        if (inDekkerRange(r, b, a)) {
          const p = r * b;
          if (p !== a || twoProductErr(r, b, p) !== 0) s.fflags |= FLAG_NX;
          s.f64[rd] = r;
          return;
        }
        if (a === 0 && b !== 0 && b === b) {
          s.f64[rd] = r;
          return;
        }
        break;
      }
    }
  }
  const a = bitsD(s.f, rs1);
  const b = bitsD(s.f, rs2);
  sfStatus.flags = 0;
  let res: bigint;
  if (funct7 === 0x01) res = sfAdd(F64, a, b, rm);
  else if (funct7 === 0x05) res = sfSub(F64, a, b, rm);
  else if (funct7 === 0x09) res = sfMul(F64, a, b, rm);
  else res = sfDiv(F64, a, b, rm);
  s.fflags |= sfStatus.flags;
  setD(s.f, rd, res);
}

function arithS(s: FpuState, funct7: number, rd: number, rs1: number, rs2: number, rm: number): void {
  if (rm === 0) {
    const a = valueS(s, rs1);
    const b = valueS(s, rs2);
    let r: number;
    let R: number;
    let inexact: boolean;
    switch (funct7) {
      case 0x00:
      case 0x04: {
        const bb = funct7 === 0x04 ? -b : b;
        r = a + bb;
        R = Math.fround(r);
        inexact = R !== r || twoSumErr(a, bb, r) !== 0;
        break;
      }
      case 0x08:
        r = a * b; // exact
        R = Math.fround(r);
        inexact = R !== r;
        break;
      default:
        r = a / b;
        R = Math.fround(r);
        inexact = R * b !== a; // R * b is exact: 24 x 24 bits
        break;
    }
    const aR = Math.abs(R);
    if ((aR > MIN_NORMAL_S && aR <= MAX_S) || (R === 0 && !inexact && a === a && b === b)) {
      if (inexact) s.fflags |= FLAG_NX;
      writeS(s, rd, R);
      return;
    }
  }
  const a = bitsS(s.f, rs1);
  const b = bitsS(s.f, rs2);
  sfStatus.flags = 0;
  let res: bigint;
  if (funct7 === 0x00) res = sfAdd(F32, a, b, rm);
  else if (funct7 === 0x04) res = sfSub(F32, a, b, rm);
  else if (funct7 === 0x08) res = sfMul(F32, a, b, rm);
  else res = sfDiv(F32, a, b, rm);
  s.fflags |= sfStatus.flags;
  setS(s.f, rd, res);
}

function sqrtD(s: FpuState, rd: number, rs1: number, rm: number): void {
  if (rm === 0) {
    const a = s.f64[rs1];
    if (a >= DEKKER_PRODUCT_MIN && a < DEKKER_PRODUCT_MAX) {
      const r = Math.sqrt(a);
      const p = r * r;
      if (p !== a || twoProductErr(r, r, p) !== 0) s.fflags |= FLAG_NX;
      s.f64[rd] = r;
      return;
    }
  }
  sfStatus.flags = 0;
  const res = sfSqrt(F64, bitsD(s.f, rs1), rm);
  s.fflags |= sfStatus.flags;
  setD(s.f, rd, res);
}

function sqrtS(s: FpuState, rd: number, rs1: number, rm: number): void {
  if (rm === 0) {
    const a = valueS(s, rs1);
    if (a > 0 && a <= MAX_S) {
      const R = Math.fround(Math.sqrt(a));
      if (R * R !== a) s.fflags |= FLAG_NX; // R * R is exact in double
      writeS(s, rd, R);
      return;
    }
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
  const a = s.f64[rs1];
  const R = Math.fround(a);
  const aR = Math.abs(R);
  if (R === a || (rm === 0 && aR > MIN_NORMAL_S && aR <= MAX_S)) {
    // Exact (any rm, including zeros and infinities), or a normal RNE result.
    if (R !== a) s.fflags |= FLAG_NX;
    writeS(s, rd, R);
    return;
  }
  sfStatus.flags = 0;
  const res = sfConvert(F64, F32, bitsD(s.f, rs1), rm);
  s.fflags |= sfStatus.flags;
  setS(s.f, rd, res);
}

/** Rounds a finite |a| < 2^52 to an integer under rm. */
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
  if (Math.abs(a) < 4503599627370496) {
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
        ok = kind === 2 || n >= 0;
        const h = Math.floor(n / TWO32);
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
    if (t === 0 || rm === 0) {
      if (t !== 0) s.fflags |= FLAG_NX;
      s.f64[rd] = v;
      return;
    }
  } else {
    const R = roundToSingle(v, t);
    if (R === R && (rm === 0 || (t === 0 && R === v))) {
      if (t !== 0 || R !== v) s.fflags |= FLAG_NX;
      writeS(s, rd, R);
      return;
    }
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
