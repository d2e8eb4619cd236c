/**
 * Our hart as a fuzz target: the same ELF QEMU ran, loaded bare-metal into RAM at 0x8000_0000,
 * run in U-mode (as qemu-riscv64 runs it) with paging off, one PMP entry granting all memory and
 * the FPU on, until the final write ECALL. mtvec points at a WFI in the program, so run() returns
 * on every trap; the harness
 * plays the part of QEMU's Linux: other ECALLs (sigaltstack, rt_sigaction) return 0, an
 * illegal-instruction trap marks the sequence's block as QEMU's SIGILL handler does and resumes
 * at the next sequence, and any other trap is marked and noted (QEMU would have died).
 */
import { Hart, RUN_WFI } from '../../core/cpu/hart.js';
import { S_MCAUSE, S_MEPC, S_MSTATUS, S_MTVAL, S_MTVEC, S_PMPADDR, S_PMPCFG, S_PRIV, S_WFI } from '../../core/cpu/state.js';
import { disassemble } from '../../core/debug/disasm.js';
import { EXC_ECALL_U, EXC_ILLEGAL_INSN, MSTATUS_FS, PRV_U } from '../../core/isa/csr.js';
import { PhysicalBus } from '../../core/memory/bus.js';
import { GuestMemory, MIN_RAM_BYTES, RAM_BASE } from '../../core/memory/ram.js';
import type { Target, TargetOutput } from './diff.js';
import { parseElf } from './elf.js';
import {
  BLOCKS_ADDRESS,
  BLOCK_SIZE,
  BLOCK_TRAP,
  DONE_SYMBOL,
  TRAP_ILLEGAL,
  TRAP_OTHER,
  TRAP_SYMBOL,
  sequenceSymbol,
} from './program.js';

const SLICE = 20_000;
/** Upper bound on instructions per sequence (prologue + epilogue are ~140). */
const MAX_PER_SEQUENCE = 2_000;
const SYS_WRITE = 64n;

const word64 = (s: Int32Array, i: number): bigint => (BigInt(s[i + 1] >>> 0) << 32n) | BigInt(s[i] >>> 0);
const hex = (v: bigint): string => `0x${v.toString(16)}`;

export function hartTarget(): Target {
  return { name: 'riscstation', run: runOnHart };
}

function runOnHart(elfBytes: Uint8Array, blocks: number): TargetOutput {
  const elf = parseElf(elfBytes);
  let end = 0;
  for (const seg of elf.segments) end = Math.max(end, Number(seg.address) - RAM_BASE + seg.memSize);
  const ramBytes = Math.max(MIN_RAM_BYTES, Math.ceil(end / (1 << 20)) * (1 << 20));
  const memory = new GuestMemory({ ramBytes });
  const bus = new PhysicalBus(memory);
  for (const seg of elf.segments) memory.writeBytes(Number(seg.address), seg.data);

  const sym = (name: string): bigint => {
    const v = elf.symbols.get(name);
    if (v === undefined) throw new Error(`fuzz ELF has no symbol ${name}`);
    return v;
  };
  const trap = sym(TRAP_SYMBOL);
  const starts = Array.from({ length: blocks }, (_, k) => sym(sequenceSymbol(k)));
  starts.push(sym(DONE_SYMBOL));

  const hart = new Hart({ memory, bus, time: { now: () => 0 }, resetPc: Number(elf.entry) });
  const s = hart.s;
  s[S_MSTATUS] |= MSTATUS_FS; // FPU on (QEMU user mode runs with FS on)
  s[S_MTVEC] = Number(trap & 0xffff_ffffn) | 0;
  s[S_MTVEC + 1] = Number(trap >> 32n) | 0;
  // PMP entry 0: NAPOT over the whole address space, RWX, so U-mode may touch RAM.
  s[S_PMPADDR] = -1;
  s[S_PMPADDR + 1] = 0x003f_ffff;
  s[S_PMPCFG] = 0x1f;
  s[S_PRIV] = PRV_U;
  hart.reloadState();
  const enterUser = (pc: bigint): void => {
    s[S_PRIV] = PRV_U;
    hart.setPc(pc);
    hart.reloadState();
  };
  const view = new DataView(memory.buffer);
  const markTrap = (k: number, marker: bigint): void =>
    view.setBigUint64(Number(BLOCKS_ADDRESS) - RAM_BASE + k * BLOCK_SIZE + BLOCK_TRAP, marker, true);

  const notes = new Map<number, string>();
  const limit = blocks * MAX_PER_SEQUENCE + 100_000;
  let executed = 0;
  for (;;) {
    // The trap vector is a WFI (see program.ts), so run() returns as soon as the hart traps.
    const exit = hart.run(SLICE);
    if (exit !== RUN_WFI) {
      executed += SLICE;
      if (executed > limit) {
        const pc = hart.getPc();
        const insn = readInsn(memory, pc);
        const k = starts.findIndex((start) => start > pc) - 1;
        throw new Error(
          `our hart did not finish the batch in ${limit} instructions: pc ${hex(pc)} in sequence ${k} of the batch` +
            (insn === undefined ? '' : ` at '${disassemble(insn, pc).replace('\t', ' ')}'`),
        );
      }
      continue;
    }
    const pc = hart.getPc();
    if (pc < trap || pc > trap + 4n) {
      throw new Error(`our hart is waiting in WFI at pc ${hex(pc)} (sequence ${starts.findIndex((st) => st > pc) - 1} of the batch)`);
    }
    s[S_WFI] = 0;
    const cause = word64(s, S_MCAUSE);
    const epc = word64(s, S_MEPC);
    if (cause === BigInt(EXC_ECALL_U)) {
      if (hart.getX(17) === SYS_WRITE) break;
      hart.setX(10, 0); // sigaltstack / rt_sigaction succeed
      enterUser(epc + 4n);
      continue;
    }
    // A trap inside a sequence: mark its block and go on with the next one.
    const k = starts.findIndex((start) => start > epc) - 1;
    const insn = readInsn(memory, epc);
    const what = `trapped: mcause=${cause} mepc=${hex(epc)} mtval=${hex(word64(s, S_MTVAL))}` +
      (insn === undefined ? '' : ` at '${disassemble(insn, epc).replace('\t', ' ')}'`);
    if (k < 0 || k >= blocks) throw new Error(`our hart trapped outside the sequences: ${what}`);
    markTrap(k, cause === BigInt(EXC_ILLEGAL_INSN) ? TRAP_ILLEGAL : TRAP_OTHER);
    notes.set(k, what);
    enterUser(starts[k + 1]);
  }
  const data = memory.readBytes(Number(BLOCKS_ADDRESS), blocks * BLOCK_SIZE);
  return { data, notes };
}

function readInsn(memory: GuestMemory, pc: bigint): number | undefined {
  const off = Number(pc) - RAM_BASE;
  if (off < 0 || off + 4 > memory.ramBytes) return undefined;
  const u8 = memory.u8;
  const half = u8[off] | (u8[off + 1] << 8);
  return (half & 3) === 3 ? (half | (u8[off + 2] << 16) | (u8[off + 3] << 24)) >>> 0 : half;
}
