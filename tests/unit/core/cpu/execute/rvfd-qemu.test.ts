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
import { type FpCase, generateCases, specialCases } from '../float/fp-cases.js';
import { describeCase, newFpuState, runOnExecuteFp, runOnQemu, sameOutcome } from '../float/qemu-fp.js';

const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf');
const qemu = oracle('qemu-riscv64', 'qemu-user');

const COUNT = Number(process.env.RVFD_CASES ?? 50000);
const SEED = Number(process.env.RVFD_SEED ?? 20260);
const BATCH = 25000;

function compareWithQemu(cases: FpCase[]): { checked: number; bad: number; report: string[] } {
  const s = newFpuState();
  const want = runOnQemu(gcc.path, qemu.path, cases);
  const report: string[] = [];
  let bad = 0;
  for (let i = 0; i < cases.length; i++) {
    const got = runOnExecuteFp(s, cases[i]);
    if (sameOutcome(want[i], got)) continue;
    bad++;
    if (report.length < 30) report.push(describeCase(cases[i], want[i], got));
  }
  return { checked: cases.length, bad, report };
}

describe.skipIf(!gcc.available || !qemu.available)('F and D against qemu-riscv64', () => {
  it('every special operand pair, triple and single, under every rounding mode, matches QEMU', { timeout: 600_000 }, () => {
    const all = specialCases();
    let checked = 0;
    let bad = 0;
    const report: string[] = [];
    for (let start = 0; start < all.length; start += BATCH) {
      const r = compareWithQemu(all.slice(start, start + BATCH));
      checked += r.checked;
      bad += r.bad;
      report.push(...r.report.slice(0, 30 - report.length));
    }
    expect(checked).toBeGreaterThan(50000);
    expect(report, `${bad} of ${checked} cases differ from QEMU:\n${report.join('\n')}`).toEqual([]);
  });

  it(`${COUNT} generated cases (seed ${SEED}) match QEMU bit for bit, fflags included`, { timeout: 600_000 }, () => {
    let checked = 0;
    let bad = 0;
    const report: string[] = [];
    for (let start = 0, batch = 0; start < COUNT; start += BATCH, batch++) {
      const r = compareWithQemu(generateCases(SEED + batch * 7919, Math.min(BATCH, COUNT - start)));
      checked += r.checked;
      bad += r.bad;
      report.push(...r.report.slice(0, 30 - report.length));
    }
    expect(checked).toBe(COUNT);
    expect(report, `${bad} of ${checked} cases differ from QEMU:\n${report.join('\n')}`).toEqual([]);
  });
});
