/**
 * RV64I arithmetic on 64-bit values held as pairs of int32 halves (Unpriv §2.4, §5.2).
 * Each function writes its result into the register file `x` at pair index `d` (x[d] low,
 * x[d+1] high); the hart loop passes d = 2*rd and resets x0 after every instruction.
 * The simplest operations (add, logic, compares) are inlined in the hart loop itself.
 */

/** x[d] = (ahi:alo) << s, s in 0..63. */
export function sll64(x: Int32Array, d: number, lo: number, hi: number, s: number): void {
  if (s === 0) {
    x[d] = lo;
    x[d + 1] = hi;
  } else if (s < 32) {
    x[d + 1] = (hi << s) | (lo >>> (32 - s));
    x[d] = lo << s;
  } else {
    x[d + 1] = lo << (s - 32);
    x[d] = 0;
  }
}

/** x[d] = (ahi:alo) >>> s (logical), s in 0..63. */
export function srl64(x: Int32Array, d: number, lo: number, hi: number, s: number): void {
  if (s === 0) {
    x[d] = lo;
    x[d + 1] = hi;
  } else if (s < 32) {
    x[d] = (lo >>> s) | (hi << (32 - s));
    x[d + 1] = hi >>> s;
  } else {
    x[d] = hi >>> (s - 32);
    x[d + 1] = 0;
  }
}

/** x[d] = (ahi:alo) >> s (arithmetic), s in 0..63. */
export function sra64(x: Int32Array, d: number, lo: number, hi: number, s: number): void {
  if (s === 0) {
    x[d] = lo;
    x[d + 1] = hi;
  } else if (s < 32) {
    x[d] = (lo >>> s) | (hi << (32 - s));
    x[d + 1] = hi >> s;
  } else {
    x[d] = hi >> (s - 32);
    x[d + 1] = hi >> 31;
  }
}

/** Signed 64-bit less-than. */
export function lt64(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi < bhi || (ahi === bhi && alo >>> 0 < blo >>> 0);
}

/** Unsigned 64-bit less-than. */
export function ltu64(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi >>> 0 < bhi >>> 0 || (ahi === bhi && alo >>> 0 < blo >>> 0);
}

/** x[d] = a + b (64-bit). */
export function add64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  const lo = (alo + blo) | 0;
  x[d + 1] = (ahi + bhi + (lo >>> 0 < alo >>> 0 ? 1 : 0)) | 0;
  x[d] = lo;
}

/** x[d] = a - b (64-bit). */
export function sub64(x: Int32Array, d: number, alo: number, ahi: number, blo: number, bhi: number): void {
  const lo = (alo - blo) | 0;
  x[d + 1] = (ahi - bhi - (alo >>> 0 < blo >>> 0 ? 1 : 0)) | 0;
  x[d] = lo;
}
