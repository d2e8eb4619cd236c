/**
 * Floating-point operands aimed at rounding boundaries: operand pairs whose exact result lies
 * within a few ulps of the tininess threshold (minNormal), of overflow, of zero (cancellation),
 * of a rounding tie, or of an integer conversion limit. The generator writes them into fresh
 * input registers (not yet written by the sequence), so the instruction sees exactly these values.
 */
import type { Prng } from './prng.js';

const view = new DataView(new ArrayBuffer(8));
const f64 = (bits: bigint): number => (view.setBigUint64(0, bits, true), view.getFloat64(0, true));
const bits64 = (x: number): bigint => (view.setFloat64(0, x, true), view.getBigUint64(0, true));
const f32bits = (x: number): bigint => (view.setFloat32(0, x, true), BigInt(view.getUint32(0, true)));
const f32 = (bits: bigint): number => (view.setUint32(0, Number(bits & 0xffff_ffffn), true), view.getFloat32(0, true));

export type Precision = 's' | 'd';

/** A value nudged by k units in the last place of its format (bit-pattern arithmetic, finite values). */
function nudge(x: number, k: number, p: Precision): number {
  if (!Number.isFinite(x)) return x;
  if (p === 'd') {
    const b = bits64(x);
    const sign = b & (1n << 63n);
    const mag = (b & ~(1n << 63n)) + BigInt(k);
    return mag < 0n ? f64(sign ^ (1n << 63n) | -mag) : f64(sign | mag);
  }
  const b = f32bits(Math.fround(x));
  const sign = b & 0x8000_0000n;
  const mag = (b & 0x7fff_ffffn) + BigInt(k);
  return mag < 0n ? f32((sign ^ 0x8000_0000n) | -mag) : f32(sign | mag);
}

/** Raw register bits of a value in precision p (singles NaN-boxed). */
export function regBits(x: number, p: Precision): bigint {
  return p === 'd' ? bits64(x) : 0xffff_ffff_0000_0000n | f32bits(Math.fround(x));
}

const MIN_NORMAL = { d: 2 ** -1022, s: 2 ** -126 };
const MAX = { d: Number.MAX_VALUE, s: 3.4028234663852886e38 };
const MIN_SUB = { d: 2 ** -1074, s: 2 ** -149 };

function target(rng: Prng, p: Precision): number {
  const t = rng.pick([MIN_NORMAL[p], MAX[p], MIN_SUB[p] * rng.range(1, 7), MIN_NORMAL[p] / 2, 1, 2 ** rng.range(-20, 20)]);
  return nudge(t, rng.range(-2, 2), p);
}

function randomSignificand(rng: Prng, p: Precision): number {
  const x = (1 + rng.u32() / 2 ** 32) * 2 ** rng.range(-30, 30);
  return p === 'd' ? x : Math.fround(x);
}

const sign = (rng: Prng, x: number): number => (rng.chance(0.3) ? -x : x);

export interface BoundaryOperands {
  /** Mnemonic stem without precision, e.g. 'fmul' (or the full fcvt name). */
  readonly op: string;
  readonly f: readonly number[];
  /** Integer operand for int-to-float conversions. */
  readonly x?: bigint;
}

/** One boundary case for precision p: the operation and its operand values. */
export function boundaryCase(rng: Prng, p: Precision): BoundaryOperands {
  const k = (): number => rng.range(-2, 2);
  switch (rng.below(8)) {
    case 0: {
      const a = sign(rng, randomSignificand(rng, p));
      return { op: 'fmul', f: [a, nudge(target(rng, p) / a, k(), p)] };
    }
    case 1: {
      const b = sign(rng, randomSignificand(rng, p));
      return { op: 'fdiv', f: [nudge(target(rng, p) * b, k(), p), b] };
    }
    case 2: {
      // cancellation, or a tie: b is half an ulp of a (times a nudge)
      const a = sign(rng, rng.chance(0.5) ? randomSignificand(rng, p) : target(rng, p));
      const ulp = p === 'd' ? 2 ** -53 : 2 ** -24;
      const b = rng.chance(0.5) ? nudge(-a, k(), p) : nudge(a * ulp * rng.pick([1, 3, -1]), k(), p);
      return { op: rng.pick(['fadd', 'fsub']), f: [a, b] };
    }
    case 3: {
      // fused multiply-add whose addend cancels the (rounded) product
      const a = sign(rng, randomSignificand(rng, p));
      const b = sign(rng, rng.chance(0.5) ? randomSignificand(rng, p) : target(rng, p) / a);
      const prod = p === 'd' ? a * b : Math.fround(a * b);
      return { op: rng.pick(['fmadd', 'fnmsub']), f: [a, b, nudge(-prod, k(), p)] };
    }
    case 4: {
      const q = randomSignificand(rng, p);
      return { op: 'fsqrt', f: [nudge(p === 'd' ? q * q : Math.fround(q * q), k(), p)] };
    }
    case 5: {
      const limits = [2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 63, -(2 ** 63), 2 ** 64, 0.5, 1.5, 2.5, -0.5, -1.5];
      const v = nudge(rng.pick(limits), rng.range(-3, 3), p);
      return { op: `fcvt.${rng.pick(['w', 'wu', 'l', 'lu'])}.${p}`, f: [v] };
    }
    case 6: {
      const base = rng.pick([2n ** 24n, 2n ** 53n, 2n ** 63n, 2n ** 64n, 2n ** 31n, 2n ** 32n]);
      const x = (base + BigInt(rng.range(-5, 5)) * rng.pick([1n, 1n << 10n, 1n << 39n])) & ((1n << 64n) - 1n);
      return { op: `fcvt.${p}.${rng.pick(['w', 'wu', 'l', 'lu'])}`, f: [], x: rng.chance(0.5) ? x : (1n << 64n) - x };
    }
    default: {
      // doubles near single-precision boundaries, for fcvt.s.d
      const t = rng.pick([MAX.s, MIN_NORMAL.s, MIN_SUB.s, MIN_SUB.s / 2, MIN_SUB.s * 1.5, 1 + 2 ** -24]);
      return { op: 'fcvt.s.d', f: [sign(rng, nudge(t, rng.range(-2, 2), 'd'))] };
    }
  }
}
