/**
 * Differential test of the F and D extensions against Debian's qemu-riscv64 (user mode):
 * the same (instruction, operands, rounding mode) cases run on QEMU and on executeFp, and
 * every result bit pattern, integer result, fflags value and illegal-instruction verdict
 * must agree.
 *
 * The default run checks a fixed-seed batch. A bigger one:
 *   RVFD_CASES=500000 RVFD_SEED=7 npx vitest run tests/unit/core/cpu/execute/rvfd-qemu.test.ts
 */
import { describe, expect, it } from 'vitest';
import { oracle } from '../../../../helpers/oracles.js';
import { type FpCase, generateCases } from '../float/fp-cases.js';
import { describeCase, newFpuState, runOnExecuteFp, runOnQemu, sameOutcome } from '../float/qemu-fp.js';

const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf');
const qemu = oracle('qemu-riscv64', 'qemu-user');

const COUNT = Number(process.env.RVFD_CASES ?? 50000);
const SEED = Number(process.env.RVFD_SEED ?? 20260);
const BATCH = 25000;

describe.skipIf(!gcc.available || !qemu.available)('F and D against qemu-riscv64', () => {
  it(`${COUNT} generated cases (seed ${SEED}) match QEMU bit for bit, fflags included`, { timeout: 600_000 }, () => {
    const s = newFpuState();
    const mismatches: string[] = [];
    let checked = 0;
    let bad = 0;
    for (let start = 0, batch = 0; start < COUNT; start += BATCH, batch++) {
      const cases: FpCase[] = generateCases(SEED + batch * 7919, Math.min(BATCH, COUNT - start));
      const want = runOnQemu(gcc.path, qemu.path, cases);
      for (let i = 0; i < cases.length; i++) {
        const got = runOnExecuteFp(s, cases[i]);
        checked++;
        if (sameOutcome(want[i], got)) continue;
        bad++;
        if (mismatches.length < 30) mismatches.push(describeCase(cases[i], want[i], got));
      }
    }
    expect(checked).toBe(COUNT);
    expect(mismatches, `${bad} of ${checked} cases differ from QEMU:\n${mismatches.join('\n')}`).toEqual([]);
  });
});
