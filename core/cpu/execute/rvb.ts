/**
 * Zba, Zbb, Zbc, Zbs (bit-manipulation spec 1.0) on int32 halves. Results go to x[d], x[d+1].
 */

/** Count leading zeros of a 64-bit value. */
export function clz64(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

function ctz32(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

export function ctz64(lo: number, hi: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

export function cpop32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export function ctzw(v: number): number {
  return ctz32(v);
}

function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) | 0;
}

/** REV8 (RV64): byte-reverse the 64-bit value. */
export function rev8(x: Int32Array, d: number, lo: number, hi: number): void {
  x[d] = bswap32(hi);
  x[d + 1] = bswap32(lo);
}

function orcb32(v: number): number {
  let r = 0;
  for (let k = 0; k < 32; k += 8) if ((v >>> k) & 0xff) r |= 0xff << k;
  return r | 0;
}

/** ORC.B: each byte becomes 0xff if it was non-zero, else 0. */
export function orcb(x: Int32Array, d: number, lo: number, hi: number): void {
  x[d] = orcb32(lo);
  x[d + 1] = orcb32(hi);
}

/** ROL / ROR by s (0..63). */
export function rol64(x: Int32Array, d: number, lo: number, hi: number, s: number): void {
  s &= 63;
  if (s >= 32) {
    const t = lo;
    lo = hi;
    hi = t;
    s -= 32;
  }
  if (s === 0) {
    x[d] = lo;
    x[d + 1] = hi;
  } else {
    x[d] = (lo << s) | (hi >>> (32 - s));
    x[d + 1] = (hi << s) | (lo >>> (32 - s));
  }
}

export function ror64(x: Int32Array, d: number, lo: number, hi: number, s: number): void {
  rol64(x, d, lo, hi, (64 - (s & 63)) & 63);
}

/** Carry-less multiply: CLMUL (low 64), CLMULH (high 64), CLMULR (bits 126:63). */
export function clmul(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number, kind: 0 | 1 | 2): void {
  // 128-bit accumulator r3:r2:r1:r0
  let r0 = 0;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  for (let i = 0; i < 64; i++) {
    const bit = i < 32 ? (blo >>> i) & 1 : (bhi >>> (i - 32)) & 1;
    if (bit === 0) continue;
    // (ahi:alo) << i into 128 bits
    let s0: number, s1: number, s2: number;
    const k = i & 31;
    if (k === 0) {
      s0 = alo;
      s1 = ahi;
      s2 = 0;
    } else {
      s0 = alo << k;
      s1 = (ahi << k) | (alo >>> (32 - k));
      s2 = ahi >>> (32 - k);
    }
    if (i < 32) {
      r0 ^= s0;
      r1 ^= s1;
      r2 ^= s2;
    } else {
      r1 ^= s0;
      r2 ^= s1;
      r3 ^= s2;
    }
  }
  if (kind === 0) {
    x[d] = r0;
    x[d + 1] = r1;
  } else if (kind === 1) {
    x[d] = r2;
    x[d + 1] = r3;
  } else {
    // bits 126:63 = (r3:r2:r1) >> 31 (as 64 bits)
    x[d] = (r1 >>> 31) | (r2 << 1);
    x[d + 1] = (r2 >>> 31) | (r3 << 1);
  }
}
