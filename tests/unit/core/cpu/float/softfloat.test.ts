/**
 * The exact soft-float underneath executeFp's slow path: its integer helpers and a few IEEE
 * 754 results worked out by hand (the differential test against QEMU covers the rest).
 */
import { describe, expect, it } from 'vitest';
import { F32, F64, FLAG_NX, FLAG_OF, FLAG_UF, bitLength, isqrt, roundPack, sfFma, sfStatus } from '../../../../../core/cpu/float/softfloat.js';
import { Rng } from './fp-cases.js';

describe('integer helpers', () => {
  it('bitLength is the position of the highest set bit', () => {
    const r = new Rng(1);
    for (let i = 0; i < 500; i++) {
      const n = (r.u64() << BigInt(r.below(2000))) >> BigInt(r.below(64));
      expect(bitLength(n)).toBe(n === 0n ? 0 : n.toString(2).length);
    }
  });

  it('isqrt is the floor of the square root', () => {
    const r = new Rng(2);
    for (let i = 0; i < 500; i++) {
      const n = (r.u64() << BigInt(r.below(300))) | r.u64();
      const s = isqrt(n);
      expect(s * s <= n && n < (s + 1n) * (s + 1n)).toBe(true);
    }
  });
});

describe('roundPack', () => {
  it('rounds 2^24 + 1 to 2^24 in binary32 (tie to even) with NX', () => {
    sfStatus.flags = 0;
    expect(roundPack(F32, 0, (1n << 24n) + 1n, 0, 0)).toBe(0x4b800000n);
    expect(sfStatus.flags).toBe(FLAG_NX);
  });

  it('overflows to infinity under RNE and to the largest finite under RTZ', () => {
    sfStatus.flags = 0;
    expect(roundPack(F64, 0, 1n, 1024, 0)).toBe(0x7ff0000000000000n);
    expect(roundPack(F64, 1, 1n, 1024, 1)).toBe(0xffefffffffffffffn);
    expect(sfStatus.flags).toBe(FLAG_OF | FLAG_NX);
  });

  it('a tiny inexact value that rounds to zero raises UF and NX and keeps its sign', () => {
    sfStatus.flags = 0;
    expect(roundPack(F64, 1, 1n, -1080, 0)).toBe(0x8000000000000000n);
    expect(sfStatus.flags).toBe(FLAG_UF | FLAG_NX);
  });
});

describe('sfFma', () => {
  it('rounds once: (1 + 2^-12)^2 - 1 is 2^-11 + 2^-24 exactly, which separate roundings lose', () => {
    // The product 1 + 2^-11 + 2^-24 needs 25 bits; rounded first it would tie to 1 + 2^-11.
    sfStatus.flags = 0;
    const a = 0x3f800800n; // 1 + 2^-12
    expect(sfFma(F32, a, a, 0xbf800000n, false, false, 0)).toBe(0x3a000400n);
    expect(sfStatus.flags).toBe(0);
  });
});
