/**
 * `npm run fuzz:isa -- [--count N] [--seed S] [--start I] [--index I] [--batch B] [--max-units U]
 *  [--misaligned P] [--reports R] [--encodings]`: differential ISA fuzzing of our hart against
 *  qemu-riscv64. --encodings runs one random instruction word per sequence (valid, reserved or
 *  unknown encodings) and compares which ones trap as illegal.
 * Prints every mismatch as a minimized, reproducible case; exits 1 when there is any.
 */
import { fuzz, formatMismatch, type FuzzOptions } from './diff.js';
import { hartTarget } from './hart-target.js';
import { assemble, qemuTarget, which } from './toolchain.js';

function parseArgs(argv: readonly string[]): FuzzOptions {
  const opts: FuzzOptions = { seed: 1, count: 20_000 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = Number(argv[i + 1]);
    const need = (): number => {
      if (!Number.isFinite(value)) throw new Error(`${key} needs a number`);
      i++;
      return value;
    };
    switch (key) {
      case '--count': opts.count = need(); break;
      case '--seed': opts.seed = need(); break;
      case '--start': opts.start = need(); break;
      case '--index': opts.start = need(); opts.count = 1; break;
      case '--batch': opts.batch = need(); break;
      case '--max-units': opts.maxUnits = need(); break;
      case '--misaligned': opts.misaligned = need(); break;
      case '--reports': opts.maxReports = need(); break;
      case '--encodings': opts.mode = 'encodings'; break;
      case '--help':
        console.log('usage: npm run fuzz:isa -- [--count N] [--seed S] [--start I | --index I] [--batch B] [--max-units U] [--misaligned P] [--reports R] [--encodings]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${key} (try --help)`);
    }
  }
  return opts;
}

export function main(argv: readonly string[]): number {
  const opts = parseArgs(argv);
  const gcc = which('riscv64-unknown-elf-gcc');
  const qemu = which('qemu-riscv64');
  if (!gcc || !qemu) {
    console.error('needs riscv64-unknown-elf-gcc (gcc-riscv64-unknown-elf) and qemu-riscv64 (qemu-user) on PATH');
    return 2;
  }
  const started = Date.now();
  console.log(`fuzz:isa seed=${opts.seed} sequences ${opts.start ?? 0}..${(opts.start ?? 0) + opts.count - 1}`);
  const result = fuzz(
    { ...opts, onBatch: (done, bad) => console.log(`  ${done}/${opts.count} checked, ${bad} mismatching`) },
    (source) => assemble(gcc, source),
    qemuTarget(qemu),
    hartTarget(),
  );
  for (const m of result.reports) console.log(`\n${formatMismatch(m, 'qemu')}`);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `\n${result.checked} sequences checked in ${secs} s (${result.trapped} trapped as illegal on QEMU): ${result.mismatching} mismatching`,
  );
  return result.mismatching === 0 ? 0 : 1;
}
