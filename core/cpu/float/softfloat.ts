/**
 * Exact IEEE 754-2008 binary32/binary64 arithmetic on raw bit patterns, as RISC-V specifies it
 * and QEMU's softfloat implements it for RISC-V (default-NaN mode, tininess detected after
 * rounding, underflow raised only when the result is also inexact).
 *
 * This is the slow path of the F and D extensions: every value is unpacked into an exact
 * `m * 2^e` with a BigInt significand, the operation is carried out exactly (or with a sticky
 * bit), and `roundPack` performs the one rounding. It handles every operand and every rounding
 * mode; `execute/rvfd.ts` only calls it when its double-precision fast path cannot prove its
 * answer exact. Accrued exception flags are ORed into `sfStatus.flags`.
 */

/** fflags bits (Unpriv §11.2). */
export const FLAG_NX = 1;
export const FLAG_UF = 2;
export const FLAG_OF = 4;
export const FLAG_DZ = 8;
export const FLAG_NV = 16;

/** Rounding modes (the rm field's encoding). */
export const RM_RNE = 0;
export const RM_RTZ = 1;
export const RM_RDN = 2;
export const RM_RUP = 3;
export const RM_RMM = 4;

/** Flags raised by the soft-float operations since the caller last cleared them. */
export const sfStatus = { flags: 0 };

/** A binary interchange format. */
export interface FloatFormat {
  /** Precision in bits, including the hidden bit. */
  readonly p: number;
  readonly emin: number;
  readonly emax: number;
  readonly bias: bigint;
  readonly expMask: bigint;
  readonly fracMask: bigint;
  readonly signBit: bigint;
  readonly hidden: bigint;
  readonly quietBit: bigint;
  readonly defaultNaN: bigint;
  readonly inf: bigint;
  readonly maxFinite: bigint;
}

function makeFormat(expBits: number, p: number): FloatFormat {
  const emax = 2 ** (expBits - 1) - 1;
  const fracBits = BigInt(p - 1);
  const expMask = (1n << BigInt(expBits)) - 1n;
  return {
    p,
    emin: 1 - emax,
    emax,
    bias: BigInt(emax),
    expMask,
    fracMask: (1n << fracBits) - 1n,
    signBit: 1n << BigInt(expBits + p - 1),
    hidden: 1n << fracBits,
    quietBit: 1n << (fracBits - 1n),
    // Unpriv §11.3: the canonical NaN has a positive sign and only the quiet bit set.
    defaultNaN: (expMask << fracBits) | (1n << (fracBits - 1n)),
    inf: expMask << fracBits,
    maxFinite: ((expMask - 1n) << fracBits) | ((1n << fracBits) - 1n),
  };
}

export const F32 = makeFormat(8, 24);
export const F64 = makeFormat(11, 53);

// Operand classes.
const ZERO = 0;
const FINITE = 1; // normal or subnormal, nonzero
const INF = 2;
const QNAN = 3;
const SNAN = 4;

/** An unpacked operand: value = (-1)^sign * m * 2^e for FINITE. */
interface Unpacked {
  cls: number;
  sign: number;
  m: bigint;
  e: number;
}

function unpack(fmt: FloatFormat, bits: bigint): Unpacked {
  const sign = (bits & fmt.signBit) !== 0n ? 1 : 0;
  const exp = (bits >> BigInt(fmt.p - 1)) & fmt.expMask;
  const frac = bits & fmt.fracMask;
  if (exp === fmt.expMask) {
    if (frac === 0n) return { cls: INF, sign, m: 0n, e: 0 };
    return { cls: (frac & fmt.quietBit) !== 0n ? QNAN : SNAN, sign, m: 0n, e: 0 };
  }
  if (exp === 0n) {
    if (frac === 0n) return { cls: ZERO, sign, m: 0n, e: 0 };
    return { cls: FINITE, sign, m: frac, e: fmt.emin - fmt.p + 1 };
  }
  return { cls: FINITE, sign, m: frac | fmt.hidden, e: Number(exp - fmt.bias) - fmt.p + 1 };
}

function isNaNClass(cls: number): boolean {
  return cls >= QNAN;
}

/** Default NaN result; NV when any operand is signalling. */
function nanResult(fmt: FloatFormat, ...ops: Unpacked[]): bigint {
  for (const o of ops) if (o.cls === SNAN) sfStatus.flags |= FLAG_NV;
  return fmt.defaultNaN;
}

function invalid(fmt: FloatFormat): bigint {
  sfStatus.flags |= FLAG_NV;
  return fmt.defaultNaN;
}

function zeroBits(fmt: FloatFormat, sign: number): bigint {
  return sign ? fmt.signBit : 0n;
}

function infBits(fmt: FloatFormat, sign: number): bigint {
  return sign ? fmt.signBit | fmt.inf : fmt.inf;
}

export function bitLength(m: bigint): number {
  if (m === 0n) return 0;
  const hex = m.toString(16);
  return (hex.length - 1) * 4 + 32 - Math.clz32(parseInt(hex[0], 16));
}

/** Whether rounding (toward `sign`) with remainder `r` out of a unit of 2^shift rounds up. */
function roundsUp(rm: number, sign: number, q: bigint, r: bigint, shift: bigint): boolean {
  if (r === 0n) return false;
  const half = 1n << (shift - 1n);
  switch (rm) {
    case RM_RNE:
      return r > half || (r === half && (q & 1n) === 1n);
    case RM_RTZ:
      return false;
    case RM_RDN:
      return sign === 1;
    case RM_RUP:
      return sign === 0;
    default: // RM_RMM
      return r >= half;
  }
}

/**
 * Rounds the exact nonzero value (-1)^sign * m * 2^e into `fmt` under `rm`, raising NX, UF
 * (tiny after rounding and inexact) and OF. A value known only up to a sticky bit must be
 * passed with at least p+1 significant bits and its lowest bit ORed with the sticky bit.
 */
export function roundPack(fmt: FloatFormat, sign: number, m: bigint, e: number, rm: number): bigint {
  const p = fmt.p;
  const len = bitLength(m);
  const E = e + len - 1; // exponent of the leading bit
  let lsb = Math.max(E, fmt.emin) - p + 1;
  let q: bigint;
  let inexact = false;
  const shift = lsb - e;
  if (shift <= 0) {
    q = m << BigInt(-shift);
  } else {
    const sh = BigInt(shift);
    q = m >> sh;
    const r = m - (q << sh);
    inexact = r !== 0n;
    if (roundsUp(rm, sign, q, r, sh)) q += 1n;
  }
  if (q >> BigInt(p) !== 0n) {
    q >>= 1n;
    lsb += 1;
  }
  let flags = inexact ? FLAG_NX : 0;
  if (E < fmt.emin && inexact) {
    // Tininess after rounding: round to p bits as if the exponent range were unbounded.
    let tiny = true;
    if (E === fmt.emin - 1) {
      const sh = BigInt(len - p);
      let qu: bigint;
      if (sh <= 0n) qu = m;
      else {
        qu = m >> sh;
        if (roundsUp(rm, sign, qu, m - (qu << sh), sh)) qu += 1n;
      }
      tiny = bitLength(qu) <= (sh <= 0n ? len : p);
    }
    if (tiny) flags |= FLAG_UF;
  }
  let bits: bigint;
  if (q < fmt.hidden) {
    bits = q; // subnormal or zero
  } else {
    const exp = lsb + p - 1;
    if (exp > fmt.emax) {
      sfStatus.flags |= FLAG_OF | FLAG_NX;
      const toInf = rm === RM_RNE || rm === RM_RMM || (rm === RM_RUP && sign === 0) || (rm === RM_RDN && sign === 1);
      return (sign ? fmt.signBit : 0n) | (toInf ? fmt.inf : fmt.maxFinite);
    }
    bits = (BigInt(exp) + fmt.bias) << BigInt(p - 1) | (q - fmt.hidden);
  }
  sfStatus.flags |= flags;
  return sign ? bits | fmt.signBit : bits;
}

/** Exact sum of two finite-or-zero signed values, rounded; the sign of an exact zero follows rm. */
function addFinite(fmt: FloatFormat, sa: number, ma: bigint, ea: number, sb: number, mb: bigint, eb: number, rm: number): bigint {
  const e = Math.min(ea, eb);
  const va = (ma << BigInt(ea - e)) * (sa ? -1n : 1n);
  const vb = (mb << BigInt(eb - e)) * (sb ? -1n : 1n);
  const sum = va + vb;
  if (sum === 0n) {
    // IEEE 754 §6.3: an exact zero sum of operands of opposite sign is +0, except -0 under RDN.
    if (ma === 0n && mb === 0n && sa === sb) return zeroBits(fmt, sa);
    return zeroBits(fmt, rm === RM_RDN ? 1 : 0);
  }
  return sum < 0n ? roundPack(fmt, 1, -sum, e, rm) : roundPack(fmt, 0, sum, e, rm);
}

function finiteParts(u: Unpacked): [bigint, number] {
  return u.cls === ZERO ? [0n, 0] : [u.m, u.e];
}

export function sfAdd(fmt: FloatFormat, a: bigint, b: bigint, rm: number): bigint {
  const ua = unpack(fmt, a);
  const ub = unpack(fmt, b);
  if (isNaNClass(ua.cls) || isNaNClass(ub.cls)) return nanResult(fmt, ua, ub);
  if (ua.cls === INF) {
    if (ub.cls === INF && ub.sign !== ua.sign) return invalid(fmt);
    return infBits(fmt, ua.sign);
  }
  if (ub.cls === INF) return infBits(fmt, ub.sign);
  const [ma, ea] = finiteParts(ua);
  const [mb, eb] = finiteParts(ub);
  return addFinite(fmt, ua.sign, ma, ea, ub.sign, mb, eb, rm);
}

export function sfSub(fmt: FloatFormat, a: bigint, b: bigint, rm: number): bigint {
  return sfAdd(fmt, a, b ^ fmt.signBit, rm);
}

export function sfMul(fmt: FloatFormat, a: bigint, b: bigint, rm: number): bigint {
  const ua = unpack(fmt, a);
  const ub = unpack(fmt, b);
  if (isNaNClass(ua.cls) || isNaNClass(ub.cls)) return nanResult(fmt, ua, ub);
  const sign = ua.sign ^ ub.sign;
  if (ua.cls === INF || ub.cls === INF) {
    if (ua.cls === ZERO || ub.cls === ZERO) return invalid(fmt);
    return infBits(fmt, sign);
  }
  if (ua.cls === ZERO || ub.cls === ZERO) return zeroBits(fmt, sign);
  return roundPack(fmt, sign, ua.m * ub.m, ua.e + ub.e, rm);
}

export function sfDiv(fmt: FloatFormat, a: bigint, b: bigint, rm: number): bigint {
  const ua = unpack(fmt, a);
  const ub = unpack(fmt, b);
  if (isNaNClass(ua.cls) || isNaNClass(ub.cls)) return nanResult(fmt, ua, ub);
  const sign = ua.sign ^ ub.sign;
  if (ua.cls === INF) return ub.cls === INF ? invalid(fmt) : infBits(fmt, sign);
  if (ub.cls === INF) return zeroBits(fmt, sign);
  if (ub.cls === ZERO) {
    if (ua.cls === ZERO) return invalid(fmt);
    sfStatus.flags |= FLAG_DZ;
    return infBits(fmt, sign);
  }
  if (ua.cls === ZERO) return zeroBits(fmt, sign);
  // A quotient of at least p+2 bits, with the remainder folded into its lowest bit.
  const k = Math.max(0, fmt.p + 3 + bitLength(ub.m) - bitLength(ua.m));
  const num = ua.m << BigInt(k);
  let q = num / ub.m;
  if (q * ub.m !== num) q = (q << 1n) | 1n;
  else q <<= 1n;
  return roundPack(fmt, sign, q, ua.e - ub.e - k - 1, rm);
}

/** floor(sqrt(n)) for n >= 0. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function sfSqrt(fmt: FloatFormat, a: bigint, rm: number): bigint {
  const ua = unpack(fmt, a);
  if (isNaNClass(ua.cls)) return nanResult(fmt, ua);
  if (ua.cls === ZERO) return a; // sqrt(-0) = -0
  if (ua.sign) return invalid(fmt);
  if (ua.cls === INF) return a;
  let m = ua.m;
  let e = ua.e;
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  // Scale so the root has at least p+2 bits.
  const want = 2 * (fmt.p + 3);
  const k = Math.max(0, Math.ceil((want - bitLength(m)) / 2));
  m <<= BigInt(2 * k);
  let s = isqrt(m);
  if (s * s !== m) s = (s << 1n) | 1n;
  else s <<= 1n;
  return roundPack(fmt, 0, s, (e >> 1) - k - 1, rm);
}

/**
 * Fused (-1)^negProd * a * b + (-1)^negC * c with one rounding. Unpriv §11.6: inf * 0 raises NV
 * even when c is a quiet NaN (QEMU does the same); any NaN yields the canonical NaN.
 */
export function sfFma(fmt: FloatFormat, a: bigint, b: bigint, c: bigint, negProd: boolean, negC: boolean, rm: number): bigint {
  const ua = unpack(fmt, a);
  const ub = unpack(fmt, b);
  const uc = unpack(fmt, c);
  const infZero = (ua.cls === INF && ub.cls === ZERO) || (ua.cls === ZERO && ub.cls === INF);
  if (isNaNClass(ua.cls) || isNaNClass(ub.cls) || isNaNClass(uc.cls)) {
    if (infZero) sfStatus.flags |= FLAG_NV;
    return nanResult(fmt, ua, ub, uc);
  }
  if (infZero) return invalid(fmt);
  const sp = ua.sign ^ ub.sign ^ (negProd ? 1 : 0);
  const sc = uc.sign ^ (negC ? 1 : 0);
  if (ua.cls === INF || ub.cls === INF) {
    if (uc.cls === INF && sc !== sp) return invalid(fmt);
    return infBits(fmt, sp);
  }
  if (uc.cls === INF) return infBits(fmt, sc);
  const prodZero = ua.cls === ZERO || ub.cls === ZERO;
  const mp = prodZero ? 0n : ua.m * ub.m;
  const ep = prodZero ? 0 : ua.e + ub.e;
  const [mc, ec] = finiteParts(uc);
  return addFinite(fmt, sp, mp, ep, sc, mc, ec, rm);
}

function isSignalling(u: Unpacked): boolean {
  return u.cls === SNAN;
}

/** Total order on non-NaN values, with -0 < +0: returns a < b. */
function lessOrdered(ua: Unpacked, ub: Unpacked, a: bigint, b: bigint, fmt: FloatFormat): boolean {
  if (ua.sign !== ub.sign) return ua.sign === 1;
  const ma = a & ~fmt.signBit;
  const mb = b & ~fmt.signBit;
  return ua.sign ? ma > mb : ma < mb;
}

/** fmin/fmax (Unpriv §11.7, the 2019 minimumNumber/maximumNumber rules). */
export function sfMinMax(fmt: FloatFormat, a: bigint, b: bigint, isMax: boolean): bigint {
  const ua = unpack(fmt, a);
  const ub = unpack(fmt, b);
  if (isSignalling(ua) || isSignalling(ub)) sfStatus.flags |= FLAG_NV;
  const na = isNaNClass(ua.cls);
  const nb = isNaNClass(ub.cls);
  if (na && nb) return fmt.defaultNaN;
  if (na) return b;
  if (nb) return a;
  const aLess = lessOrdered(ua, ub, a, b, fmt);
  return aLess !== isMax ? a : b;
}

/** feq (quiet), flt and fle (signalling): returns 0 or 1. */
export function sfCompare(fmt: FloatFormat, a: bigint, b: bigint, kind: 'eq' | 'lt' | 'le'): number {
  const ua = unpack(fmt, a);
  const ub = unpack(fmt, b);
  if (isNaNClass(ua.cls) || isNaNClass(ub.cls)) {
    if (kind !== 'eq' || isSignalling(ua) || isSignalling(ub)) sfStatus.flags |= FLAG_NV;
    return 0;
  }
  const bothZero = ua.cls === ZERO && ub.cls === ZERO;
  const eq = bothZero || a === b;
  if (kind === 'eq') return eq ? 1 : 0;
  if (eq) return kind === 'le' ? 1 : 0;
  return lessOrdered(ua, ub, a, b, fmt) ? 1 : 0;
}

/** fclass result bits (Unpriv §11.9). */
export function sfClass(fmt: FloatFormat, a: bigint): number {
  const u = unpack(fmt, a);
  switch (u.cls) {
    case INF:
      return u.sign ? 1 << 0 : 1 << 7;
    case ZERO:
      return u.sign ? 1 << 3 : 1 << 4;
    case SNAN:
      return 1 << 8;
    case QNAN:
      return 1 << 9;
    default: {
      const subnormal = u.m < fmt.hidden;
      if (u.sign) return subnormal ? 1 << 2 : 1 << 1;
      return subnormal ? 1 << 5 : 1 << 6;
    }
  }
}

/**
 * Conversion to a `width`-bit integer (32 or 64), signed or not, with RISC-V's saturation
 * (Unpriv §11.7 table 11.4): NaN and +overflow give the maximum, -overflow the minimum, and
 * an out-of-range input raises NV alone. Returns the integer (not sign-extended).
 */
export function sfToInt(fmt: FloatFormat, a: bigint, rm: number, width: number, signed: boolean): bigint {
  const u = unpack(fmt, a);
  const max = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  const min = signed ? -(1n << BigInt(width - 1)) : 0n;
  if (isNaNClass(u.cls)) {
    sfStatus.flags |= FLAG_NV;
    return max;
  }
  if (u.cls === INF) {
    sfStatus.flags |= FLAG_NV;
    return u.sign ? min : max;
  }
  if (u.cls === ZERO) return 0n;
  let n: bigint;
  let inexact = false;
  if (u.e >= 0) {
    n = u.m << BigInt(u.e);
  } else {
    const sh = BigInt(-u.e);
    n = u.m >> sh;
    const r = u.m - (n << sh);
    inexact = r !== 0n;
    if (roundsUp(rm, u.sign, n, r, sh)) n += 1n;
  }
  const v = u.sign ? -n : n;
  if (v > max || v < min) {
    sfStatus.flags |= FLAG_NV;
    return v > max ? max : min;
  }
  if (inexact) sfStatus.flags |= FLAG_NX;
  return v;
}

/** Conversion of the exact integer `n` into `fmt`; zero converts to +0. */
export function sfFromInt(fmt: FloatFormat, n: bigint, rm: number): bigint {
  if (n === 0n) return 0n;
  return n < 0n ? roundPack(fmt, 1, -n, 0, rm) : roundPack(fmt, 0, n, 0, rm);
}

/** Conversion between formats (fcvt.s.d rounds; fcvt.d.s is exact). */
export function sfConvert(from: FloatFormat, to: FloatFormat, a: bigint, rm: number): bigint {
  const u = unpack(from, a);
  if (isNaNClass(u.cls)) return nanResult(to, u);
  if (u.cls === INF) return infBits(to, u.sign);
  if (u.cls === ZERO) return zeroBits(to, u.sign);
  return roundPack(to, u.sign, u.m, u.e, rm);
}
