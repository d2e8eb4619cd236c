/**
 * Differential ISA test (issue 3): random RV64GC + Zba/Zbb/Zbc/Zbs sequences with edge-case
 * operands run on qemu-riscv64 (user mode) and bare-metal on our hart; every integer and FP
 * register, fcsr and the scratch memory must agree. A second run executes random instruction words
 * (valid, reserved or unknown encodings): both must trap as illegal on the same ones.
 * More: `npm run fuzz:isa -- --count N --seed S [--encodings]`.
 */
import { describe, expect, it } from 'vitest';
import { formatMismatch, fuzz } from '../isa-fuzz/diff.js';
import { generateSequence } from '../isa-fuzz/generator.js';
import { hartTarget } from '../isa-fuzz/hart-target.js';
import { renderProgram } from '../isa-fuzz/program.js';
import { assemble, qemuTarget } from '../isa-fuzz/toolchain.js';
import { oracle } from '../helpers/oracles.js';

const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf');
const qemu = oracle('qemu-riscv64', 'qemu-user');

/** The default run's fixed seed; sequences 0..19,999 of it. */
const SEED = 20261129;
const COUNT = 20_000;
/** Random instruction words, one per sequence, in the illegal-encoding comparison. */
const ENCODINGS = 10_000;

describe('ISA fuzz generator', () => {
  it('builds the same program from the same seed', () => {
    const build = (): string => renderProgram(Array.from({ length: 50 }, (_, i) => generateSequence(7, i)));
    expect(build()).toBe(build());
    expect(renderProgram([generateSequence(7, 3)])).not.toBe(renderProgram([generateSequence(8, 3)]));
  });
});

describe.skipIf(!gcc.available || !qemu.available)('differential ISA test against qemu-riscv64', () => {
  it(`${COUNT} fixed-seed random sequences leave the same registers, fcsr and memory as on QEMU`, () => {
    const result = fuzz(
      { seed: SEED, count: COUNT, maxReports: 5 },
      (source) => assemble(gcc.path, source),
      qemuTarget(qemu.path),
      hartTarget(),
    );
    expect(result.checked).toBe(COUNT);
    if (result.mismatching > 0) {
      const report = result.reports.map((m) => formatMismatch(m, 'qemu')).join('\n\n');
      throw new Error(`${result.mismatching} of ${COUNT} sequences mismatch; the first ones, minimized:\n\n${report}`);
    }
    // Valid sequences never trap (a trap on both sides would hide a generator bug).
    expect(result.trapped).toBe(0);
  }, 900_000);

  it(`${ENCODINGS} random instruction words (valid, reserved, unknown) trap as illegal exactly when QEMU's do, and agree otherwise`, () => {
    const result = fuzz(
      { seed: SEED, count: ENCODINGS, maxReports: 5, mode: 'encodings' },
      (source) => assemble(gcc.path, source),
      qemuTarget(qemu.path),
      hartTarget(),
    );
    expect(result.checked).toBe(ENCODINGS);
    if (result.mismatching > 0) {
      const report = result.reports.map((m) => formatMismatch(m, 'qemu')).join('\n\n');
      throw new Error(`${result.mismatching} of ${ENCODINGS} encodings mismatch; the first ones, minimized:\n\n${report}`);
    }
    // Not vacuous: a good share of the words are illegal.
    expect(result.trapped).toBeGreaterThan(ENCODINGS / 5);
  }, 900_000);
});
