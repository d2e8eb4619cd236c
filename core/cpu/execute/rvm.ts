/**
 * RV64M (Unpriv §7) on int32 halves. Multiplication uses 16-bit limbs in double arithmetic
 * (exact below 2^53) so no BigInt is needed; division has a 32-bit fast path and falls back to
 * BigInt only for operands that do not fit in 32 bits.
 */

const TWO32 = 4294967296;
/** Scratch result of mulu32: low and high words of a 32x32 -> 64 unsigned product. */
let pLo = 0;
let pHi = 0;

/** Unsigned 32x32 -> 64 product into pLo/pHi (both as uint32 numbers). */
function mulu32(a: number, b: number): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  pLo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  pHi = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 65536);
}

/** MUL: low 64 bits of the product. */
export function mul(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  mulu32(alo >>> 0, blo >>> 0);
  x[d + 1] = (pHi + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
  x[d] = pLo | 0;
}

/** High 64 bits of the unsigned 128-bit product into w2/w3. */
let w2 = 0;
let w3 = 0;
function mulhu128(alo: number, ahi: number, blo: number, bhi: number): void {
  mulu32(alo >>> 0, blo >>> 0);
  const p0hi = pHi;
  mulu32(alo >>> 0, bhi >>> 0);
  const p1lo = pLo;
  const p1hi = pHi;
  mulu32(ahi >>> 0, blo >>> 0);
  const p2lo = pLo;
  const p2hi = pHi;
  mulu32(ahi >>> 0, bhi >>> 0);
  const s1 = p0hi + p1lo + p2lo;
  const c1 = Math.floor(s1 / TWO32);
  const s2 = p1hi + p2hi + pLo + c1;
  const c2 = Math.floor(s2 / TWO32);
  w2 = s2 % TWO32;
  w3 = pHi + c2;
}

export function mulhu(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  mulhu128(alo, ahi, blo, bhi);
  x[d] = w2 | 0;
  x[d + 1] = w3 | 0;
}

/** Subtracts (bhi:blo) from the 64-bit value (h:l) held in w3:w2. */
function subHigh(blo: number, bhi: number): void {
  const l = (w2 - (blo >>> 0) + TWO32) % TWO32;
  const borrow = w2 < blo >>> 0 ? 1 : 0;
  w3 = (w3 - (bhi >>> 0) - borrow + 2 * TWO32) % TWO32;
  w2 = l;
}

export function mulh(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  mulhu128(alo, ahi, blo, bhi);
  if (ahi < 0) subHigh(blo, bhi);
  if (bhi < 0) subHigh(alo, ahi);
  x[d] = w2 | 0;
  x[d + 1] = w3 | 0;
}

export function mulhsu(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  mulhu128(alo, ahi, blo, bhi);
  if (ahi < 0) subHigh(blo, bhi);
  x[d] = w2 | 0;
  x[d + 1] = w3 | 0;
}

export function mulw(x: Int32Array, d: number, a: number, b: number): void {
  const r = Math.imul(a, b);
  x[d] = r;
  x[d + 1] = r >> 31;
}

const big = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0);
function setBig(x: Int32Array, d: number, v: bigint): void {
  x[d] = Number(BigInt.asIntN(32, v));
  x[d + 1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** DIV / REM (signed, Unpriv §7.2: x/0 = -1, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0). */
export function div(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number, rem: boolean): void {
  if (ahi === alo >> 31 && bhi === blo >> 31) {
    if (blo === 0) {
      x[d] = rem ? alo : -1;
      x[d + 1] = rem ? ahi : -1;
      return;
    }
    // both fit in int32: exact in doubles (|q| <= 2^31 even for MIN/-1)
    const r = rem ? alo % blo : Math.trunc(alo / blo);
    x[d] = r | 0;
    x[d + 1] = r < 0 ? -1 : 0;
    return;
  }
  const a = big(alo, ahi);
  const b = big(blo, bhi);
  if (b === 0n) {
    x[d] = rem ? alo : -1;
    x[d + 1] = rem ? ahi : -1;
    return;
  }
  setBig(x, d, rem ? a % b : a / b);
}

/** DIVU / REMU. */
export function divu(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number, rem: boolean): void {
  if (blo === 0 && bhi === 0) {
    x[d] = rem ? alo : -1;
    x[d + 1] = rem ? ahi : -1;
    return;
  }
  if (ahi === 0 && bhi === 0) {
    const a = alo >>> 0;
    const b = blo >>> 0;
    const r = rem ? a % b : Math.floor(a / b);
    x[d] = r | 0;
    x[d + 1] = 0;
    return;
  }
  const a = BigInt.asUintN(64, big(alo, ahi));
  const b = BigInt.asUintN(64, big(blo, bhi));
  setBig(x, d, rem ? a % b : a / b);
}

/** DIVW / REMW: 32-bit signed, result sign-extended. */
export function divw(x: Int32Array, d: number, a: number, b: number, rem: boolean): void {
  let r: number;
  if (b === 0) r = rem ? a : -1;
  else if (a === -2147483648 && b === -1) r = rem ? 0 : a;
  else r = rem ? a % b : Math.trunc(a / b);
  r |= 0;
  x[d] = r;
  x[d + 1] = r >> 31;
}

/** DIVUW / REMUW: 32-bit unsigned, result sign-extended from bit 31. */
export function divuw(x: Int32Array, d: number, a: number, b: number, rem: boolean): void {
  const ua = a >>> 0;
  const ub = b >>> 0;
  let r: number;
  if (ub === 0) r = rem ? ua : -1;
  else r = rem ? ua % ub : Math.floor(ua / ub);
  r |= 0;
  x[d] = r;
  x[d + 1] = r >> 31;
}
