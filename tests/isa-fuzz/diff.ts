/**
 * The differential loop: build a batch of sequences into one ELF, run it on QEMU and on our hart,
 * compare every sequence's outputs, and shrink each mismatch to its fewest instructions.
 */
import { disassembleBytes } from '../../core/debug/disasm.js';
import { parseElf, type ElfImage } from './elf.js';
import {
  F_NAMES,
  X_NAMES,
  generateEncodingSequence,
  generateSequence,
  type GeneratorOptions,
  type Sequence,
} from './generator.js';
import {
  BLOCKS_ADDRESS,
  BLOCK_FOUT,
  BLOCK_MEM,
  BLOCK_SIZE,
  BLOCK_TRAP,
  BLOCK_XOUT,
  bodyStartSymbol,
  bodyEndSymbol,
  renderProgram,
} from './program.js';

/** What a target returns: the bytes of all result blocks, and notes about sequences that trapped. */
export interface TargetOutput {
  readonly data: Uint8Array;
  /** Sequence index in the batch -> what happened (e.g. an unexpected trap). */
  readonly notes?: ReadonlyMap<number, string>;
}

/** Something that runs a fuzz ELF. */
export interface Target {
  readonly name: string;
  run(elf: Uint8Array, blocks: number): TargetOutput;
}

export interface Difference {
  /** `x10 (a0)`, `f3 (ft3)`, `fcsr`, `mem+0x18`. */
  readonly where: string;
  readonly input: bigint | undefined;
  readonly reference: bigint;
  readonly ours: bigint;
}

export interface Mismatch {
  /** The sequence as generated. */
  readonly original: Sequence;
  /** The shrunk sequence (emptied units removed from the listing). */
  readonly minimized: Sequence;
  readonly differences: readonly Difference[];
  /** Disassembly of the minimized body, one line per instruction. */
  readonly listing: readonly string[];
  /** What our target reported about the minimized run (e.g. a trap). */
  readonly note?: string;
  /** Generator flags the run used (`--encodings`, `--max-units 8`...), for the rerun command. */
  readonly flags?: string;
  /** Set when the sequence mismatched only inside its batch: how to rerun that batch, and what differed there. */
  readonly batch?: { readonly start: number; readonly count: number; readonly differences: readonly Difference[] };
}

const read64 = (b: Uint8Array, o: number): bigint =>
  new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(o, true);

/** Compares one sequence's result block; returns the differing slots. */
export function compareBlock(seq: Sequence, ref: Uint8Array, ours: Uint8Array): Difference[] {
  const diffs: Difference[] = [];
  const check = (where: string, offset: number, input: bigint | undefined): void => {
    const a = read64(ref, offset);
    const b = read64(ours, offset);
    if (a !== b) diffs.push({ where, input, reference: a, ours: b });
  };
  check('trap', BLOCK_TRAP, 0n);
  check('fcsr', BLOCK_XOUT, BigInt(seq.frm) << 5n);
  for (let i = 1; i < 32; i++) check(`x${i} (${X_NAMES[i]})`, BLOCK_XOUT + 8 * i, i === seq.ptr ? undefined : seq.x[i]);
  for (let i = 0; i < 32; i++) check(`f${i} (${F_NAMES[i]})`, BLOCK_FOUT + 8 * i, seq.f[i]);
  for (let i = 0; i < 8; i++) check(`mem+0x${(8 * i).toString(16)}`, BLOCK_MEM + 8 * i, seq.mem[i]);
  return diffs;
}

export interface BatchResult {
  readonly elf: ElfImage;
  readonly elfBytes: Uint8Array;
  /** Per sequence: its differences (empty when both targets agree). */
  readonly differences: readonly Difference[][];
  /** Sequences the reference (QEMU) reports as trapped (SIGILL). */
  readonly trapped: number;
  readonly notes: ReadonlyMap<number, string>;
}

/** Builds and runs one batch on both targets. */
export function runBatch(
  seqs: readonly Sequence[],
  assemble: (source: string) => Uint8Array,
  reference: Target,
  ours: Target,
): BatchResult {
  const elfBytes = assemble(renderProgram(seqs));
  const elf = parseElf(elfBytes);
  const refOut = reference.run(elfBytes, seqs.length).data;
  const ourRun = ours.run(elfBytes, seqs.length);
  const ourOut = ourRun.data;
  const size = seqs.length * BLOCK_SIZE;
  if (refOut.length !== size) throw new Error(`${reference.name} returned ${refOut.length} bytes, expected ${size}`);
  if (ourOut.length !== size) throw new Error(`${ours.name} returned ${ourOut.length} bytes, expected ${size}`);
  const differences = seqs.map((s, k) =>
    compareBlock(s, refOut.subarray(k * BLOCK_SIZE, (k + 1) * BLOCK_SIZE), ourOut.subarray(k * BLOCK_SIZE, (k + 1) * BLOCK_SIZE)),
  );
  let trapped = 0;
  for (let k = 0; k < seqs.length; k++) if (read64(refOut, k * BLOCK_SIZE + BLOCK_TRAP) !== 0n) trapped++;
  return { elf, elfBytes, differences, trapped, notes: ourRun.notes ?? new Map() };
}

/** The disassembled body of sequence `k` in a built batch (from the ELF's bytes). */
export function bodyListing(elf: ElfImage, k: number): string[] {
  const start = elf.symbols.get(bodyStartSymbol(k));
  const end = elf.symbols.get(bodyEndSymbol(k));
  if (start === undefined || end === undefined) return [];
  for (const seg of elf.segments) {
    const off = Number(start - seg.address);
    if (off < 0 || off >= seg.data.length) continue;
    const bytes = seg.data.subarray(off, off + Number(end - start));
    return disassembleBytes(bytes, start).map((d) => {
      const hex = d.length === 4 ? d.bits.toString(16).padStart(8, '0') : d.bits.toString(16).padStart(4, '0');
      return `${d.address.toString(16)}:  ${hex.padEnd(8)}  ${d.text.replace('\t', ' ')}`;
    });
  }
  return [];
}

const withUnitEmptied = (seq: Sequence, j: number): Sequence => ({
  ...seq,
  units: seq.units.map((u, i) => (i === j ? { lines: [] } : u)),
});

/**
 * Shrinks a mismatching sequence: repeatedly empties single units (labels stay, so branches keep
 * their targets) while the result still differs between the two targets.
 */
export function shrink(
  seq: Sequence,
  assemble: (source: string) => Uint8Array,
  reference: Target,
  ours: Target,
): { minimized: Sequence; differences: Difference[]; listing: string[]; note?: string } {
  let current = seq;
  let last = runBatch([current], assemble, reference, ours);
  for (;;) {
    const candidates: Sequence[] = [];
    current.units.forEach((u, j) => {
      if (u.lines.length > 0) candidates.push(withUnitEmptied(current, j));
    });
    if (candidates.length === 0) break;
    const result = runBatch(candidates, assemble, reference, ours);
    const k = result.differences.findIndex((d) => d.length > 0);
    if (k < 0) break;
    current = candidates[k];
    last = runBatch([current], assemble, reference, ours);
  }
  const note = last.notes.get(0);
  return { minimized: current, differences: last.differences[0], listing: bodyListing(last.elf, 0), ...(note ? { note } : {}) };
}

const hex64 = (v: bigint): string => `0x${v.toString(16).padStart(16, '0')}`;
const RM = ['rne', 'rtz', 'rdn', 'rup', 'rmm'];

/** A mismatch as a reproducible report. */
export function formatMismatch(m: Mismatch, referenceName: string): string {
  const s = m.minimized;
  const flags = m.flags ? ` ${m.flags}` : '';
  const lines = [
    `MISMATCH seed=${s.seed} index=${s.index} (rerun: npm run fuzz:isa -- --seed ${s.seed} --index ${s.index}${flags})`,
    `  pointer register ${X_NAMES[s.ptr]} holds the block address; frm=${RM[s.frm]}; fflags cleared`,
    '  instructions (minimized):',
    ...m.listing.map((l) => `    ${l}`),
    '  source:',
    ...s.units.flatMap((u) => u.lines.map((l) => `    ${l}`)),
    ...(m.note ? [`  ours: ${m.note}`] : []),
    ...(m.batch
      ? [
          `  does NOT mismatch alone, only after the sequences before it in its batch:`,
          `  rerun: npm run fuzz:isa -- --seed ${s.seed} --start ${m.batch.start} --count ${m.batch.count} --batch ${m.batch.count}${flags}`,
        ]
      : []),
    `  differences (input / ${referenceName} / ours):`,
    ...(m.batch?.differences ?? m.differences).map(
      (d) => `    ${d.where.padEnd(10)} ${d.input === undefined ? '-'.padEnd(18) : hex64(d.input)}  ${hex64(d.reference)}  ${hex64(d.ours)}`,
    ),
  ];
  const used = new Set(s.units.flatMap((u) => u.lines.join(' ').split(/[\s,()]+/)));
  const inputs: string[] = [];
  for (let i = 1; i < 32; i++) if (used.has(X_NAMES[i]) && i !== s.ptr) inputs.push(`${X_NAMES[i]}=${hex64(s.x[i])}`);
  for (let i = 0; i < 32; i++) if (used.has(F_NAMES[i])) inputs.push(`${F_NAMES[i]}=${hex64(s.f[i])}`);
  lines.push(`  inputs: ${inputs.join(' ')}`);
  lines.push(`  scratch memory in: ${s.mem.map(hex64).join(' ')}`);
  return lines.join('\n');
}

export interface FuzzOptions extends GeneratorOptions {
  seed: number;
  count: number;
  /** First sequence index (default 0). */
  start?: number;
  /** Sequences per ELF (default 2500). */
  batch?: number;
  /** Stop shrinking/reporting after this many mismatches (default 20). */
  maxReports?: number;
  /**
   * 'valid' (default): random valid sequences. 'encodings': one random instruction word per
   * sequence (valid, reserved or unknown), to compare which encodings trap as illegal.
   */
  mode?: 'valid' | 'encodings';
  onBatch?: (done: number, mismatches: number) => void;
}

export interface FuzzResult {
  checked: number;
  /** Sequences that raised an illegal-instruction exception on QEMU (and, unless reported, on ours). */
  trapped: number;
  mismatching: number;
  reports: Mismatch[];
}

/** The CLI flags that make the generator produce the same sequences again. */
function generatorFlags(options: FuzzOptions): string {
  const flags: string[] = [];
  if (options.mode === 'encodings') flags.push('--encodings');
  if (options.maxUnits !== undefined) flags.push(`--max-units ${options.maxUnits}`);
  if (options.misaligned !== undefined) flags.push(`--misaligned ${options.misaligned}`);
  return flags.join(' ');
}

/** Runs `count` sequences of `seed` through both targets. */
export function fuzz(
  options: FuzzOptions,
  assemble: (source: string) => Uint8Array,
  reference: Target,
  ours: Target,
): FuzzResult {
  const batch = options.batch ?? 2500;
  const start = options.start ?? 0;
  const maxReports = options.maxReports ?? 20;
  const result: FuzzResult = { checked: 0, trapped: 0, mismatching: 0, reports: [] };
  for (let first = start; first < start + options.count; first += batch) {
    const n = Math.min(batch, start + options.count - first);
    const make = options.mode === 'encodings' ? generateEncodingSequence : generateSequence;
    const seqs = Array.from({ length: n }, (_, i) => make(options.seed, first + i, options));
    const { differences, trapped } = runBatch(seqs, assemble, reference, ours);
    result.trapped += trapped;
    differences.forEach((d, k) => {
      if (d.length === 0) return;
      result.mismatching++;
      if (result.reports.length >= maxReports) return;
      const shrunk = shrink(seqs[k], assemble, reference, ours);
      // State left by earlier sequences (e.g. an LR reservation) can matter: say how to rerun.
      const alone = shrunk.differences.length > 0;
      result.reports.push({
        original: seqs[k],
        ...shrunk,
        flags: generatorFlags(options),
        ...(alone ? {} : { batch: { start: first, count: n, differences: d } }),
      });
    });
    result.checked += n;
    options.onBatch?.(result.checked, result.mismatching);
  }
  return result;
}

export { BLOCKS_ADDRESS };
