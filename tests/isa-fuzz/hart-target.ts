/**
 * Our hart as a fuzz target: the same ELF QEMU ran, loaded bare-metal into RAM at 0x8000_0000,
 * run in M-mode with paging off and the FPU on, until the final write ECALL. mtvec points at the
 * program's spin loop; a trap anywhere else (an illegal instruction, a fault) is noted for that
 * sequence and execution resumes at the next sequence, so the trapping sequence shows up as a
 * mismatch (its output block stays empty) and can be shrunk like any other.
 */
import { Hart } from '../../core/cpu/hart.js';
import { S_MCAUSE, S_MEPC, S_MSTATUS, S_MTVAL, S_MTVEC } from '../../core/cpu/state.js';
import { disassemble } from '../../core/debug/disasm.js';
import { EXC_ECALL_M, MSTATUS_FS } from '../../core/isa/csr.js';
import { PhysicalBus } from '../../core/memory/bus.js';
import { GuestMemory, MIN_RAM_BYTES, RAM_BASE } from '../../core/memory/ram.js';
import type { Target, TargetOutput } from './diff.js';
import { parseElf } from './elf.js';
import { BLOCKS_ADDRESS, BLOCK_SIZE, DONE_SYMBOL, TRAP_SYMBOL, sequenceSymbol } from './program.js';

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

  const notes = new Map<number, string>();
  const limit = blocks * MAX_PER_SEQUENCE + 100_000;
  for (let executed = 0; ; executed += SLICE) {
    if (executed > limit) {
      throw new Error(`our hart did not finish the batch in ${limit} instructions (pc ${hex(hart.getPc())})`);
    }
    hart.run(SLICE);
    if (hart.getPc() !== trap) continue;
    const cause = word64(s, S_MCAUSE);
    const epc = word64(s, S_MEPC);
    if (cause === BigInt(EXC_ECALL_M) && hart.getX(17) === SYS_WRITE) break;
    // An unexpected trap: note it against its sequence and go on with the next one.
    let k = starts.findIndex((start) => start > epc) - 1;
    if (k < 0 || k >= blocks) {
      throw new Error(`our hart trapped outside the sequences: mcause ${cause} mepc ${hex(epc)}`);
    }
    const insn = readInsn(memory, epc);
    notes.set(k, `trapped: mcause=${cause} mepc=${hex(epc)} mtval=${hex(word64(s, S_MTVAL))}` +
      (insn === undefined ? '' : ` at '${disassemble(insn, epc).replace('\t', ' ')}'`));
    hart.setPc(starts[++k]);
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
