/**
 * Register input values for the ISA fuzzer: edge cases first, random bits the rest of the time.
 * All values are raw 64-bit patterns (unsigned bigints).
 */
import type { Prng } from './prng.js';

const M64 = (1n << 64n) - 1n;
const u64 = (v: bigint): bigint => v & M64;
/** Sign-extends a 32-bit pattern to 64 bits, as RV64 keeps 32-bit results in registers. */
const sx32 = (v: bigint): bigint => u64(BigInt.asIntN(32, v));

const f64bits = (x: number): bigint => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x, true);
  return view.getBigUint64(0, true);
};
const f32bits = (x: number): bigint => {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x, true);
  return BigInt(view.getUint32(0, true));
};
/** A single in an f register, NaN-boxed (upper 32 bits all ones). */
const box = (bits32: bigint): bigint => 0xffff_ffff_0000_0000n | (bits32 & 0xffff_ffffn);

export const INT_EDGES: readonly bigint[] = [
  0n, 1n, 2n, 3n, u64(-1n), u64(-2n), 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n,
  0x8000_0000n, sx32(0x8000_0000n), 0x7fff_ffffn, 0xffff_ffffn, sx32(0xffff_ffffn), 0x1_0000_0000n,
  31n, 32n, 33n, 63n, 64n, 65n, 0xffn, 0x80n, 0xffffn, 0x8000n, 0x7ffn, 0x800n, u64(-2048n),
  0x0123_4567_89ab_cdefn, 0xfedc_ba98_7654_3210n, 0x5555_5555_5555_5555n, 0xaaaa_aaaa_aaaa_aaaan,
  0x0101_0101_0101_0101n, 0x8080_8080_8080_8080n, 0x0000_0000_8000_0001n,
];

const DOUBLE_EDGES: readonly number[] = [
  0, -0, Infinity, -Infinity, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, 0.1, 1 / 3, -1 / 3,
  2 ** 31, 2 ** 31 - 1, 2 ** 31 - 0.5, 2 ** 31 + 0.5, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 31) - 0.5,
  -(2 ** 31) + 0.5, 2 ** 32, 2 ** 32 - 1, 2 ** 32 - 0.5, 2 ** 32 + 0.5, 2 ** 63, -(2 ** 63), 2 ** 64,
  -(2 ** 64), 2 ** 62, 2 ** 53, 2 ** 53 + 2, 2 ** 24 + 1, -0.75, 0.75, -1e-300, 1e300, -1e300,
  Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308,
  2.225073858507201e-308, 3.4028234663852886e38, 3.4028235677973366e38, -3.4028235677973366e38,
  1.1754943508222875e-38, 1.401298464324817e-45, 7.006492321624085e-46, 7.006492321624087e-46,
  1.1754942807573643e-38, 1 + 2 ** -52, 1 - 2 ** -53, 1 + 2 ** -24, 1 + 2 ** -23 + 2 ** -24,
];
const DOUBLE_PATTERNS: readonly bigint[] = [
  0x7ff8_0000_0000_0000n, // canonical qNaN
  0xfff8_0000_0000_0000n,
  0x7ff0_0000_0000_0001n, // sNaN
  0xfff4_0000_0000_0000n, // sNaN with payload
  0x7ffc_0000_0000_1234n, // qNaN with payload
  0x0000_0000_0000_0001n,
  0x000f_ffff_ffff_ffffn,
  0x8000_0000_0000_0001n,
  0x7fef_ffff_ffff_ffffn,
];
const SINGLE_EDGES: readonly number[] = [
  0, -0, Infinity, -Infinity, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 0.1, 1 / 3, 2 ** 31, -(2 ** 31),
  2 ** 32, 2 ** 63, -(2 ** 63), 2 ** 64, 2 ** 24, 2 ** 24 + 2, 2147483520, 4294967040, -2147483904,
  3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38, 1.401298464324817e-45,
  -1.401298464324817e-45, 1.1754942106924411e-38, 1 + 2 ** -23, 1e30, -1e30, 1e-30, 0.75,
];
const SINGLE_PATTERNS: readonly bigint[] = [
  0x7fc0_0000n, 0xffc0_0000n, 0x7f80_0001n, 0xff80_0001n, 0x7fa0_0000n, 0x7fc0_1234n,
  0x0000_0001n, 0x007f_ffffn, 0x8000_0001n, 0x7f7f_ffffn, 0x0080_0000n,
];

/** Random finite double with a moderate exponent, so arithmetic results stay interesting. */
function randomDouble(rng: Prng): bigint {
  const sign = BigInt(rng.below(2)) << 63n;
  const exp = BigInt(rng.pick([rng.range(1023 - 70, 1023 + 70), rng.range(0, 2047), rng.range(1, 60), rng.range(1990, 2046)]));
  return sign | (exp << 52n) | (rng.u64() & 0x000f_ffff_ffff_ffffn);
}
function randomSingle(rng: Prng): bigint {
  const sign = BigInt(rng.below(2)) << 31n;
  const exp = BigInt(rng.pick([rng.range(127 - 30, 127 + 30), rng.range(0, 255), rng.range(1, 30), rng.range(220, 254)]));
  return sign | (exp << 23n) | BigInt(rng.u32() & 0x7f_ffff);
}

/**
 * An integer register value: edge cases, small numbers, float bit patterns, or random bits.
 * `edgy` makes it mostly edge cases, so pairs such as INT_MIN / -1 meet often.
 */
export function intValue(rng: Prng, edgy = false): bigint {
  if (edgy && rng.chance(0.8)) return rng.pick(INT_EDGES);
  switch (rng.below(8)) {
    case 0:
    case 1:
    case 2:
      return rng.pick(INT_EDGES);
    case 3:
      return u64(BigInt(rng.range(-300, 300)));
    case 4:
      return rng.chance(0.5) ? doubleValue(rng) : sx32(singleBits(rng));
    case 5:
      return sx32(BigInt(rng.u32()));
    default:
      return rng.u64();
  }
}

function singleBits(rng: Prng, edgy = false): bigint {
  switch (edgy ? rng.below(2) : rng.below(4)) {
    case 0:
      return f32bits(rng.pick(SINGLE_EDGES));
    case 1:
      return rng.pick(SINGLE_PATTERNS);
    default:
      return randomSingle(rng);
  }
}

export function doubleValue(rng: Prng, edgy = false): bigint {
  switch (edgy ? rng.below(3) : rng.below(5)) {
    case 0:
    case 1:
      return f64bits(rng.pick(DOUBLE_EDGES));
    case 2:
      return rng.pick(DOUBLE_PATTERNS);
    default:
      return randomDouble(rng);
  }
}

/**
 * A floating-point register value: a double, a NaN-boxed single, or (rarely) a badly boxed single.
 * `edgy` draws only from the edge-case lists, so pairs of special operands meet more often.
 */
export function floatValue(rng: Prng, edgy = false): bigint {
  const r = rng.below(20);
  if (r < 9) return doubleValue(rng, edgy);
  if (r < 19) return box(singleBits(rng, edgy));
  return rng.u64(); // not NaN-boxed when read as a single
}
