/**
 * Hand-written F/D cases, each proving one rule of the RISC-V spec (Unpriv ch. 11-12) or of
 * IEEE 754-2008. Expected values are worked out from the spec, not taken from our output.
 */
import { describe, expect, it } from 'vitest';
import { executeFp } from '../../../../../core/cpu/execute/rvfd.js';
import type { FpuState } from '../../../../../core/cpu/fpu-state.js';
import { opFp, r4 } from '../float/fp-cases.js';
import { getF, getX, newFpuState, setF, setX } from '../float/qemu-fp.js';

const NX = 1;
const UF = 2;
const OF = 4;
const DZ = 8;
const NV = 16;
const [RNE, RTZ, RDN, RUP, RMM, DYN] = [0, 1, 2, 3, 4, 7];

const CNAN_D = 0x7ff8000000000000n;
const CNAN_S = 0xffffffff7fc00000n; // boxed
const SNAN_D = 0x7ff0000000000001n;
const QNAN_D = 0x7ff8000000000123n;
const INF_D = 0x7ff0000000000000n;
const NINF_D = 0xfff0000000000000n;
const MAX_D = 0x7fefffffffffffffn;
const MIN_NORMAL_D = 0x0010000000000000n;
const ONE_D = 0x3ff0000000000000n;
const box = (s: bigint): bigint => 0xffffffff00000000n | s;

// Encodings with rs1 = f1, rs2 = f2, rs3 = f3, rd = f4 (or x10 for integer results, x11 as integer source).
const FADD_D = (rm: number): number => opFp(0x01, 2, 1, rm, 4);
const FSUB_D = (rm: number): number => opFp(0x05, 2, 1, rm, 4);
const FMUL_D = (rm: number): number => opFp(0x09, 2, 1, rm, 4);
const FDIV_D = (rm: number): number => opFp(0x0d, 2, 1, rm, 4);
const FADD_S = (rm: number): number => opFp(0x00, 2, 1, rm, 4);
const FSQRT_D = (rm: number): number => opFp(0x2d, 0, 1, rm, 4);
const FMADD_D = (rm: number): number => r4(0x43, 1, 3, 2, 1, rm, 4);
const FNMADD_D = (rm: number): number => r4(0x4f, 1, 3, 2, 1, rm, 4);
const FMIN_D = opFp(0x15, 2, 1, 0, 4);
const FMAX_D = opFp(0x15, 2, 1, 1, 4);
const FEQ_D = opFp(0x51, 2, 1, 2, 10);
const FLT_D = opFp(0x51, 2, 1, 1, 10);
const FCLASS_D = opFp(0x71, 0, 1, 1, 10);
const FCLASS_S = opFp(0x70, 0, 1, 1, 10);
const FMV_X_W = opFp(0x70, 0, 1, 0, 10);
const FMV_W_X = opFp(0x78, 0, 11, 0, 4);
const FSGNJ_S = opFp(0x10, 2, 1, 0, 4);
const FCVT_W_D = (rm: number): number => opFp(0x61, 0, 1, rm, 10);
const FCVT_WU_D = (rm: number): number => opFp(0x61, 1, 1, rm, 10);
const FCVT_L_D = (rm: number): number => opFp(0x61, 2, 1, rm, 10);
const FCVT_LU_D = (rm: number): number => opFp(0x61, 3, 1, rm, 10);
const FCVT_S_D = (rm: number): number => opFp(0x20, 1, 1, rm, 4);
const FCVT_S_L = (rm: number): number => opFp(0x68, 2, 11, rm, 4);

interface Run {
  rc: number;
  f4: bigint;
  x10: bigint;
  fflags: number;
  s: FpuState;
}

function run(insn: number, regs: { f1?: bigint; f2?: bigint; f3?: bigint; x11?: bigint; frm?: number }): Run {
  const s = newFpuState();
  setF(s, 1, regs.f1 ?? 0n);
  setF(s, 2, regs.f2 ?? 0n);
  setF(s, 3, regs.f3 ?? 0n);
  setX(s, 11, regs.x11 ?? 0n);
  s.frm = regs.frm ?? 0;
  const rc = executeFp(s, insn | 0);
  return { rc, f4: getF(s, 4), x10: getX(s, 10), fflags: s.fflags, s };
}

describe('rounding', () => {
  it('1 + 2^-53 is a tie: RNE and RTZ and RDN give 1, RUP and RMM give 1 + 2^-52, all with NX', () => {
    const half = 0x3ca0000000000000n; // 2^-53
    const want = [ONE_D, ONE_D, ONE_D, ONE_D + 1n, ONE_D + 1n];
    for (const rm of [RNE, RTZ, RDN, RUP, RMM]) {
      const r = run(FADD_D(rm), { f1: ONE_D, f2: half });
      expect([r.rc, r.f4, r.fflags], `rm ${rm}`).toEqual([0, want[rm], NX]);
    }
  });

  it('the dynamic rounding mode comes from frm', () => {
    const r = run(FADD_D(DYN), { f1: ONE_D, f2: 0x3ca0000000000001n, frm: RTZ });
    expect([r.f4, r.fflags]).toEqual([ONE_D, NX]);
    const u = run(FADD_D(DYN), { f1: ONE_D, f2: 0x3ca0000000000001n, frm: RNE });
    expect([u.f4, u.fflags]).toEqual([ONE_D + 1n, NX]);
  });

  it('an exact zero sum is +0, except -0 under RDN (IEEE 754 6.3)', () => {
    expect(run(FSUB_D(RNE), { f1: ONE_D, f2: ONE_D }).f4).toBe(0n);
    expect(run(FSUB_D(RDN), { f1: ONE_D, f2: ONE_D }).f4).toBe(1n << 63n);
  });

  it('fnmadd computes -(a*b) - c with one rounding: -(1*1) - (-1) is +0, or -0 under RDN', () => {
    const negOne = ONE_D | (1n << 63n);
    expect(run(FNMADD_D(RNE), { f1: ONE_D, f2: ONE_D, f3: negOne }).f4).toBe(0n);
    expect(run(FNMADD_D(RDN), { f1: ONE_D, f2: ONE_D, f3: negOne }).f4).toBe(1n << 63n);
  });

  it('fmadd rounds once: (1 + 2^-52)(1 - 2^-52) - 1 is exactly -2^-104, not 0', () => {
    const r = run(FMADD_D(RNE), { f1: ONE_D + 1n, f2: 0x3fefffffffffffffn - 1n, f3: ONE_D | (1n << 63n) });
    expect([r.f4, r.fflags]).toEqual([0xb970000000000000n, 0]);
  });
});

describe('exceptions', () => {
  it('overflow gives inf under RNE and RUP, the largest finite under RTZ and RDN, with OF and NX', () => {
    for (const [rm, want] of [[RNE, INF_D], [RTZ, MAX_D], [RDN, MAX_D], [RUP, INF_D], [RMM, INF_D]] as const) {
      const r = run(FMUL_D(rm), { f1: MAX_D, f2: 0x4000000000000000n });
      expect([r.f4, r.fflags], `rm ${rm}`).toEqual([want, OF | NX]);
    }
  });

  it('tininess is detected after rounding: minNormal * (1 - 2^-54) rounds to minNormal with NX only', () => {
    // a * b = 2^-1022 * (1 + 2^-27)(1 - 2^-27) = 2^-1022 * (1 - 2^-54): unbounded-exponent
    // rounding to 53 bits gives 2^-1022 (a tie, to even), so the result is not tiny.
    const r = run(FMUL_D(RNE), { f1: 0x0010000002000000n, f2: 0x3feffffffc000000n });
    expect([r.f4, r.fflags]).toEqual([MIN_NORMAL_D, NX]);
  });

  it('a result tiny after rounding and inexact raises UF even when it rounds to minNormal', () => {
    // 2^-1022 * (1 - 2^-53) needs 53 bits below 2^-1022: tiny; to subnormal precision it is a
    // tie between the largest subnormal (odd) and 2^-1022 (even).
    const r = run(FMUL_D(RNE), { f1: MIN_NORMAL_D, f2: 0x3fefffffffffffffn });
    expect([r.f4, r.fflags]).toEqual([MIN_NORMAL_D, UF | NX]);
  });

  it('a quotient just below minNormal that rounds up to it still raises UF', () => {
    // (2 - 2^-52) * 2^-292 / 2^731 = 2^-1022 * (1 - 2^-53): tiny even after rounding.
    const r = run(FDIV_D(RNE), { f1: 0x2dbfffffffffffffn, f2: 0x6da0000000000000n });
    expect([r.f4, r.fflags]).toEqual([MIN_NORMAL_D, UF | NX]);
  });

  it('directed rounding of an inexact quotient: 1/3 rounds down under RTZ and RDN, up under RUP', () => {
    const third = 0x3fd5555555555555n; // RNE(1/3) is below 1/3
    for (const [rm, want] of [[RNE, third], [RTZ, third], [RDN, third], [RUP, third + 1n], [RMM, third]] as const) {
      expect(run(FDIV_D(rm), { f1: ONE_D, f2: 0x4008000000000000n }), `rm ${rm}`).toMatchObject({ f4: want, fflags: NX });
    }
  });

  it('a value with 24 significant bits just below the smallest normal single is tiny under every mode', () => {
    // -(2^-126 - 2^-150) needs no rounding at 24 bits, so it is tiny; RDN carries it to -2^-126.
    expect(run(FCVT_S_D(RDN), { f1: 0xb80fffffe0000000n })).toMatchObject({ f4: box(0x80800000n), fflags: UF | NX });
    expect(run(FCVT_S_D(RTZ), { f1: 0xb80fffffe0000000n })).toMatchObject({ f4: box(0x807fffffn), fflags: UF | NX });
  });

  it('an exact subnormal result raises no UF', () => {
    const r = run(FMUL_D(RNE), { f1: MIN_NORMAL_D, f2: 0x3fe0000000000000n });
    expect([r.f4, r.fflags]).toEqual([0x0008000000000000n, 0]);
  });

  it('division of a nonzero number by zero raises DZ and gives a signed infinity; 0/0 raises NV', () => {
    const r = run(FDIV_D(RNE), { f1: ONE_D | (1n << 63n), f2: 0n });
    expect([r.f4, r.fflags]).toEqual([NINF_D, DZ]);
    const z = run(FDIV_D(RNE), { f1: 0n, f2: 0n });
    expect([z.f4, z.fflags]).toEqual([CNAN_D, NV]);
  });

  it('fsqrt of a negative number is the canonical NaN with NV; fsqrt(-0) is -0', () => {
    expect(run(FSQRT_D(RNE), { f1: ONE_D | (1n << 63n) })).toMatchObject({ f4: CNAN_D, fflags: NV });
    expect(run(FSQRT_D(RNE), { f1: 1n << 63n })).toMatchObject({ f4: 1n << 63n, fflags: 0 });
  });

  it('fsqrt(2) is 0x3ff6a09e667f3bcd and inexact', () => {
    expect(run(FSQRT_D(RNE), { f1: 0x4000000000000000n })).toMatchObject({ f4: 0x3ff6a09e667f3bcdn, fflags: NX });
  });

  it('fflags accrue: executeFp ORs into the existing flags', () => {
    const s = newFpuState();
    s.fflags = DZ;
    setF(s, 1, ONE_D);
    setF(s, 2, 0x3ca0000000000000n);
    executeFp(s, FADD_D(RNE));
    expect(s.fflags).toBe(DZ | NX);
  });
});

describe('NaNs', () => {
  it('arithmetic on NaNs returns the canonical NaN; only signalling NaNs raise NV', () => {
    expect(run(FADD_D(RNE), { f1: QNAN_D, f2: ONE_D })).toMatchObject({ f4: CNAN_D, fflags: 0 });
    expect(run(FADD_D(RNE), { f1: SNAN_D, f2: ONE_D })).toMatchObject({ f4: CNAN_D, fflags: NV });
    expect(run(FADD_D(RNE), { f1: INF_D, f2: NINF_D })).toMatchObject({ f4: CNAN_D, fflags: NV });
  });

  it('fmadd of inf * 0 + qNaN raises NV (Unpriv 11.6)', () => {
    expect(run(FMADD_D(RNE), { f1: INF_D, f2: 0n, f3: QNAN_D })).toMatchObject({ f4: CNAN_D, fflags: NV });
  });

  it('fmin/fmax follow the 2019 rules: -0 < +0, one NaN returns the other, sNaN raises NV', () => {
    const negZero = 1n << 63n;
    expect(run(FMIN_D, { f1: 0n, f2: negZero }).f4).toBe(negZero);
    expect(run(FMAX_D, { f1: negZero, f2: 0n }).f4).toBe(0n);
    expect(run(FMIN_D, { f1: QNAN_D, f2: ONE_D })).toMatchObject({ f4: ONE_D, fflags: 0 });
    expect(run(FMAX_D, { f1: ONE_D, f2: SNAN_D })).toMatchObject({ f4: ONE_D, fflags: NV });
    expect(run(FMIN_D, { f1: QNAN_D, f2: SNAN_D })).toMatchObject({ f4: CNAN_D, fflags: NV });
  });

  it('feq is quiet on qNaN; flt signals on any NaN', () => {
    expect(run(FEQ_D, { f1: QNAN_D, f2: ONE_D })).toMatchObject({ x10: 0n, fflags: 0 });
    expect(run(FEQ_D, { f1: SNAN_D, f2: ONE_D })).toMatchObject({ x10: 0n, fflags: NV });
    expect(run(FLT_D, { f1: QNAN_D, f2: ONE_D })).toMatchObject({ x10: 0n, fflags: NV });
    expect(run(FEQ_D, { f1: 0n, f2: 1n << 63n })).toMatchObject({ x10: 1n, fflags: 0 });
  });

  it('fcvt.s.d of a NaN is the canonical single NaN, NaN-boxed', () => {
    expect(run(FCVT_S_D(RNE), { f1: SNAN_D })).toMatchObject({ f4: CNAN_S, fflags: NV });
  });
});

describe('NaN-boxing of singles', () => {
  it('an improperly boxed single reads as the canonical NaN', () => {
    const unboxed = 0x000000003f800000n; // 1.0f with a zero upper half
    expect(run(FCLASS_S, { f1: unboxed }).x10).toBe(1n << 9n); // quiet NaN
    expect(run(FADD_S(RNE), { f1: unboxed, f2: box(0x3f800000n) })).toMatchObject({ f4: CNAN_S, fflags: 0 });
    // fsgnj.s copies the canonical NaN's magnitude and the sign of rs2
    expect(run(FSGNJ_S, { f1: unboxed, f2: box(0xbf800000n) }).f4).toBe(box(0xffc00000n));
  });

  it('single results are NaN-boxed; fmv.w.x boxes and fmv.x.w sign-extends without checking the box', () => {
    expect(run(FADD_S(RNE), { f1: box(0x3f800000n), f2: box(0x3f800000n) }).f4).toBe(box(0x40000000n));
    expect(run(FMV_W_X, { x11: 0x12345678_bf800000n }).f4).toBe(box(0xbf800000n));
    expect(run(FMV_X_W, { f1: 0x00000000_80000001n }).x10).toBe(0xffffffff80000001n);
  });
});

describe('conversions', () => {
  it('fcvt.w.d saturates: NaN and +inf give 2^31-1, -inf gives -2^31, raising NV alone', () => {
    expect(run(FCVT_W_D(RTZ), { f1: QNAN_D })).toMatchObject({ x10: 0x7fffffffn, fflags: NV });
    expect(run(FCVT_W_D(RTZ), { f1: INF_D })).toMatchObject({ x10: 0x7fffffffn, fflags: NV });
    expect(run(FCVT_W_D(RTZ), { f1: NINF_D })).toMatchObject({ x10: 0xffffffff80000000n, fflags: NV });
    expect(run(FCVT_W_D(RTZ), { f1: 0x41e0000000000000n })).toMatchObject({ x10: 0x7fffffffn, fflags: NV }); // 2^31
  });

  it('fcvt.wu.d sign-extends its 32-bit result on RV64 and maps negatives to 0 with NV', () => {
    expect(run(FCVT_WU_D(RTZ), { f1: 0x41efffffffe00000n })).toMatchObject({ x10: 0xffffffffffffffffn, fflags: 0 }); // 2^32-1
    expect(run(FCVT_WU_D(RTZ), { f1: ONE_D | (1n << 63n) })).toMatchObject({ x10: 0n, fflags: NV });
    // -0.5 rounds to zero first: in range, only inexact
    expect(run(FCVT_WU_D(RTZ), { f1: 0xbfe0000000000000n })).toMatchObject({ x10: 0n, fflags: NX });
  });

  it('fcvt.l.d and fcvt.lu.d saturate at 2^63 and 2^64', () => {
    expect(run(FCVT_L_D(RNE), { f1: 0x43e0000000000000n })).toMatchObject({ x10: 0x7fffffffffffffffn, fflags: NV });
    expect(run(FCVT_L_D(RNE), { f1: 0xc3e0000000000000n })).toMatchObject({ x10: 0x8000000000000000n, fflags: 0 });
    expect(run(FCVT_LU_D(RNE), { f1: 0x43f0000000000000n })).toMatchObject({ x10: 0xffffffffffffffffn, fflags: NV });
  });

  it('float-to-integer rounding honours rm: 2.5 gives 2 (RNE), 2 (RTZ), 2 (RDN), 3 (RUP), 3 (RMM)', () => {
    const want = [2n, 2n, 2n, 3n, 3n];
    for (const rm of [RNE, RTZ, RDN, RUP, RMM]) expect(run(FCVT_L_D(rm), { f1: 0x4004000000000000n })).toMatchObject({ x10: want[rm], fflags: NX });
  });

  it('fcvt.s.l rounds 2^24 + 1 to even (2^24) under RNE and up under RUP', () => {
    expect(run(FCVT_S_L(RNE), { x11: 0x1000001n })).toMatchObject({ f4: box(0x4b800000n), fflags: NX });
    expect(run(FCVT_S_L(RUP), { x11: 0x1000001n })).toMatchObject({ f4: box(0x4b800001n), fflags: NX });
  });

  it('fcvt.s.d of a value above the largest single overflows to inf with OF and NX', () => {
    expect(run(FCVT_S_D(RNE), { f1: 0x47f0000000000000n })).toMatchObject({ f4: box(0x7f800000n), fflags: OF | NX });
  });
});

describe('fclass', () => {
  it('reports each of the ten classes', () => {
    const cases: [bigint, number][] = [
      [NINF_D, 0], [ONE_D | (1n << 63n), 1], [(1n << 63n) | 1n, 2], [1n << 63n, 3], [0n, 4],
      [1n, 5], [ONE_D, 6], [INF_D, 7], [SNAN_D, 8], [CNAN_D, 9],
    ];
    for (const [bits, bit] of cases) expect(run(FCLASS_D, { f1: bits }).x10, bits.toString(16)).toBe(1n << BigInt(bit));
  });
});

describe('illegal encodings', () => {
  it('reserved rounding modes 5 and 6 are illegal and change nothing', () => {
    for (const rm of [5, 6]) {
      const r = run(FADD_D(rm), { f1: ONE_D, f2: ONE_D });
      expect([r.rc, r.f4, r.fflags]).toEqual([-1, 0n, 0]);
    }
  });

  it('a dynamic rounding mode is illegal when frm holds 5, 6 or 7', () => {
    for (const frm of [5, 6, 7]) {
      const r = run(FCVT_W_D(DYN), { f1: ONE_D, frm });
      expect([r.rc, r.x10, r.fflags]).toEqual([-1, 0n, 0]);
    }
  });

  it('instructions without a rounding mode ignore an invalid frm', () => {
    expect(run(FMIN_D, { f1: ONE_D, f2: 0n, frm: 7 })).toMatchObject({ rc: 0, f4: 0n });
  });

  it('unknown functions, fmt=Q fused ops and wrong rs2 fields are illegal', () => {
    expect(run(opFp(0x7f, 2, 1, 0, 4), {}).rc).toBe(-1);
    expect(run(r4(0x43, 3, 3, 2, 1, 0, 4), {}).rc).toBe(-1);
    expect(run(opFp(0x2d, 1, 1, 0, 4), {}).rc).toBe(-1); // fsqrt.d with rs2 != 0
    expect(run(opFp(0x61, 4, 1, 0, 10), {}).rc).toBe(-1); // fcvt.?.d with rs2 = 4
    expect(run(0x00000013, {}).rc).toBe(-1); // not an FP opcode (addi)
  });
});

describe('registers', () => {
  it('an integer result written to x0 is discarded', () => {
    const s = newFpuState();
    setF(s, 1, ONE_D);
    expect(executeFp(s, opFp(0x71, 0, 1, 0, 0))).toBe(0); // fmv.x.d x0, f1
    expect(getX(s, 0)).toBe(0n);
  });

  it('rd may alias a source', () => {
    const s = newFpuState();
    setF(s, 1, ONE_D);
    executeFp(s, opFp(0x01, 1, 1, RNE, 1)); // fadd.d f1, f1, f1
    expect(getF(s, 1)).toBe(0x4000000000000000n);
  });
});
