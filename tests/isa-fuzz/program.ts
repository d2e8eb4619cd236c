/**
 * Turns fuzzer sequences into one assembly program that runs on QEMU user mode (Linux syscalls
 * at the end) and, unchanged, bare-metal on our hart (the harness stops at the final ECALL).
 *
 * Data comes first, at 0x8000_0000 (see LINKER_SCRIPT), as one block per sequence:
 *
 *   +0    scratch memory (64 bytes; initial contents in, final contents out)
 *   +64   inputs: slot 0 = frm, slot i = x_i            (32 doublewords)
 *   +320  inputs: f0..f31                               (32 doublewords)
 *   +576  outputs: slot 0 = fcsr, slot i = x_i          (32 doublewords)
 *   +832  outputs: f0..f31                              (32 doublewords)
 *   +1088 address of the sequence's entry, address of the next sequence
 *   +1104 trap marker: 0, or 1 when the sequence raised an illegal-instruction exception (SIGILL on
 *         QEMU, whose handler skips to the next sequence; our harness does the same)
 *
 * Loading and storing the register files is shared code, one routine pair per pointer register
 * p (the sequence's only reserved register): `load_p` loads everything but p and one temporary
 * r, then jumps through r to the sequence's entry, which reloads r; after the body the sequence
 * jumps to `store_p`, which stores everything (and fcsr) and jumps to the next sequence. This
 * keeps a sequence to a few lines of code, so batches assemble and run fast.
 *
 * The program writes all blocks to stdout (write, a7=64) and exits (a7=93).
 */
import { F_NAMES, SCRATCH_BYTES, X_NAMES, type Sequence } from './generator.js';

export const BLOCK_MEM = 0;
export const BLOCK_XIN = SCRATCH_BYTES;
export const BLOCK_FIN = BLOCK_XIN + 256;
export const BLOCK_XOUT = BLOCK_FIN + 256;
export const BLOCK_FOUT = BLOCK_XOUT + 256;
export const BLOCK_ENTRY = BLOCK_FOUT + 256;
export const BLOCK_NEXT = BLOCK_ENTRY + 8;
export const BLOCK_TRAP = BLOCK_NEXT + 8;
export const BLOCK_SIZE = BLOCK_TRAP + 8;
/** Trap marker values. */
export const TRAP_ILLEGAL = 1n;
export const TRAP_OTHER = 2n;
/** Where the blocks start in memory (the first thing the linker script places). */
export const BLOCKS_ADDRESS = 0x8000_0000n;

export const LINKER_SCRIPT = `ENTRY(_start)
SECTIONS {
  . = 0x80000000;
  .data : { *(.data .data.* .sdata .sdata.* .bss .bss.* .sbss .sbss.*) }
  . = ALIGN(4096);
  .text : { *(.text .text.*) }
}
`;

/** Where the program writes its results and exits, after the last sequence. */
export const DONE_SYMBOL = 'fuzz_done';
/** Holds the address of the running sequence's block (for the SIGILL handler). */
export const CURRENT_BLOCK_SYMBOL = 'fuzz_current_block';
/** Linux riscv64: offset of the saved pc in a signal handler's ucontext (uc_mcontext, 16-aligned). */
const UCONTEXT_PC = 176;
const SIGILL = 4;
const SA_SIGINFO = 4;
const SA_ONSTACK = 0x0800_0000;
const SA_NODEFER = 0x4000_0000;
const ALT_STACK_BYTES = 16384;
/** The trap vector for bare-metal runs: a WFI, so the harness regains control at once. */
export const TRAP_SYMBOL = 'fuzz_trap';

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** Symbols around sequence k's body in a batch (kept in the ELF symbol table for listings). */
export const sequenceSymbol = (k: number): string => `S${k}`;
export const bodyStartSymbol = (k: number): string => `S${k}_body`;
export const bodyEndSymbol = (k: number): string => `S${k}_end`;

/** The label-resolved assembly lines of one sequence's body (its units), as numbered in a batch. */
export function bodyLines(seq: Sequence, batchIndex: number): string[] {
  const out: string[] = [`${bodyStartSymbol(batchIndex)}:`];
  const label = (j: number): string => `.L${batchIndex}_${j}`;
  seq.units.forEach((unit, j) => {
    out.push(`${label(j)}:`);
    for (const line of unit.lines) {
      const text = `  ${line.replace(/%L(\d+)/g, (_, n: string) => label(Number(n)))}`;
      // Explicit compressed mnemonics need RVC on; everything else stays uncompressed.
      if (line.startsWith('c.') || line.startsWith('.insn 2')) out.push('.option rvc', text, '.option norvc');
      else out.push(text);
    }
  });
  out.push(`${label(seq.units.length)}:`, `${bodyEndSymbol(batchIndex)}:`);
  return out;
}

/** The temporary the load routine jumps through (reloaded at the sequence's entry). */
const jumpRegister = (ptr: number): number => (ptr === 5 ? 6 : 5);
const entrySymbol = (k: number): string => `S${k}_entry`;

/** load_p / store_p for pointer register p. */
function routines(ptr: number): string[] {
  const p = X_NAMES[ptr];
  const r = X_NAMES[jumpRegister(ptr)];
  const lines = [`load_${p}:`, `  lla ${r}, ${CURRENT_BLOCK_SYMBOL}`, `  sd ${p}, 0(${r})`];
  lines.push(`  ld ${r}, ${BLOCK_XIN}(${p})`, `  fsrm ${r}`, '  csrw fflags, zero');
  for (let i = 0; i < 32; i++) lines.push(`  fld ${F_NAMES[i]}, ${BLOCK_FIN + 8 * i}(${p})`);
  for (let i = 1; i < 32; i++) if (i !== ptr && X_NAMES[i] !== r) lines.push(`  ld ${X_NAMES[i]}, ${BLOCK_XIN + 8 * i}(${p})`);
  lines.push(`  ld ${r}, ${BLOCK_ENTRY}(${p})`, `  jr ${r}`, `store_${p}:`);
  for (let i = 1; i < 32; i++) lines.push(`  sd ${X_NAMES[i]}, ${BLOCK_XOUT + 8 * i}(${p})`);
  for (let i = 0; i < 32; i++) lines.push(`  fsd ${F_NAMES[i]}, ${BLOCK_FOUT + 8 * i}(${p})`);
  lines.push(`  frcsr ${r}`, `  sd ${r}, ${BLOCK_XOUT}(${p})`, `  ld ${r}, ${BLOCK_NEXT}(${p})`, `  jr ${r}`);
  return lines;
}

function sequenceCode(seq: Sequence, k: number): string[] {
  const p = X_NAMES[seq.ptr];
  const r = jumpRegister(seq.ptr);
  return [
    `# sequence seed=${seq.seed} index=${seq.index}`,
    `${sequenceSymbol(k)}:`,
    `  lla ${p}, B${k}`,
    `  j load_${p}`,
    `${entrySymbol(k)}:`,
    `  ld ${X_NAMES[r]}, ${BLOCK_XIN + 8 * r}(${p})`,
    ...bodyLines(seq, k),
    `  j store_${p}`,
  ];
}

function blockData(seq: Sequence, k: number, last: boolean): string[] {
  const quads = [...seq.mem, BigInt(seq.frm), ...seq.x.slice(1), ...seq.f];
  const lines = [`B${k}:`];
  for (let i = 0; i < quads.length; i += 16) lines.push(`  .quad ${quads.slice(i, i + 16).map(hex).join(',')}`);
  lines.push(`  .zero ${BLOCK_ENTRY - BLOCK_XOUT}`, `  .quad ${entrySymbol(k)}, ${last ? DONE_SYMBOL : sequenceSymbol(k + 1)}, 0`);
  return lines;
}

/** The whole program for a batch of sequences. */
export function renderProgram(seqs: readonly Sequence[]): string {
  const lines = ['.option norvc', '.option norelax', '.data', '.balign 64', 'blocks:'];
  seqs.forEach((s, k) => lines.push(...blockData(s, k, k === seqs.length - 1)));
  lines.push(
    '.balign 8',
    `${CURRENT_BLOCK_SYMBOL}: .quad 0`,
    `fuzz_sigaction: .quad fuzz_sigill, ${SA_SIGINFO | SA_ONSTACK | SA_NODEFER}, 0`,
    `fuzz_altstack_desc: .quad fuzz_altstack, 0, ${ALT_STACK_BYTES}`,
    '.balign 16',
    `fuzz_altstack: .zero ${ALT_STACK_BYTES}`,
  );
  // The trap spin loop comes first: .text starts page-aligned, as mtvec needs.
  lines.push('.text', `${TRAP_SYMBOL}:`, '  wfi', `  j ${TRAP_SYMBOL}`);
  for (const ptr of new Set(seqs.map((s) => s.ptr))) lines.push(...routines(ptr));
  // SIGILL handler (QEMU): mark the block, resume at the next sequence. Runs on its own stack,
  // since sequences clobber sp.
  lines.push(
    'fuzz_sigill:',
    `  lla t0, ${CURRENT_BLOCK_SYMBOL}`,
    '  ld t0, 0(t0)',
    `  li t1, ${TRAP_ILLEGAL}`,
    `  sd t1, ${BLOCK_TRAP}(t0)`,
    `  ld t1, ${BLOCK_NEXT}(t0)`,
    `  sd t1, ${UCONTEXT_PC}(a2)`,
    '  ret',
  );
  // _start: sigaltstack and rt_sigaction(SIGILL); our bare-metal harness skips these ECALLs.
  lines.push(
    '.globl _start',
    '_start:',
    '  lla a0, fuzz_altstack_desc',
    '  li a1, 0',
    '  li a7, 132',
    '  ecall',
    `  li a0, ${SIGILL}`,
    '  lla a1, fuzz_sigaction',
    '  li a2, 0',
    '  li a3, 8',
    '  li a7, 134',
    '  ecall',
  );
  seqs.forEach((s, k) => lines.push(...sequenceCode(s, k)));
  lines.push(
    `${DONE_SYMBOL}:`,
    '  li a0, 1',
    '  lla a1, blocks',
    `  li a2, ${seqs.length * BLOCK_SIZE}`,
    '  li a7, 64',
    '  ecall',
    '  li a0, 0',
    '  li a7, 93',
    '  ecall',
    '',
  );
  return lines.join('\n');
}
