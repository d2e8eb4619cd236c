/**
 * Test harness for bare-metal guest programs on one hart: builds tests/guests/priv/*.S with the
 * riscv64 cross toolchain, loads the image at 0x8000_0000 into RAM and runs it on a Hart with
 * the few devices the programs use (CLINT, UART0, sifive test finisher) until the program
 * writes Spike's `tohost` or the finisher. The same ELF also runs on qemu-system-riscv64.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Clint } from '../../../../core/devices/clint.js';
import { SifiveTest } from '../../../../core/devices/sifive-test.js';
import { Uart16550 } from '../../../../core/devices/uart16550.js';
import { Hart } from '../../../../core/cpu/hart.js';
import * as C from '../../../../core/isa/csr.js';
import { PhysicalBus } from '../../../../core/memory/bus.js';
import { GuestMemory, RAM_BASE } from '../../../../core/memory/ram.js';
import { oracle } from '../../../helpers/oracles.js';

export const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf');
export const objcopy = oracle('riscv64-unknown-elf-objcopy', 'binutils-riscv64-unknown-elf');
export const nm = oracle('riscv64-unknown-elf-nm', 'binutils-riscv64-unknown-elf');
export const qemuSystem = oracle('qemu-system-riscv64', 'qemu-system-misc');

export const PRIV_DIR = fileURLToPath(new URL('../../../guests/priv', import.meta.url));

export interface BuiltGuest {
  readonly elf: string;
  readonly image: Uint8Array;
  readonly tohost: number;
}

/** Compiles one assembly (or C) source into a bare-metal image linked at 0x8000_0000. */
export function buildGuest(source: string, extraFlags: readonly string[] = []): BuiltGuest {
  const dir = mkdtempSync(join(tmpdir(), 'guest-'));
  const elf = join(dir, 'prog.elf');
  const bin = join(dir, 'prog.bin');
  execFileSync(gcc.path, [
    '-nostdlib',
    '-nostartfiles',
    '-march=rv64gc_zba_zbb_zbc_zbs',
    '-mabi=lp64d',
    '-mcmodel=medany',
    '-T',
    join(PRIV_DIR, 'link.ld'),
    '-I',
    PRIV_DIR,
    '-Wl,--no-warn-rwx-segments',
    ...extraFlags,
    '-o',
    elf,
    source,
  ]);
  execFileSync(objcopy.path, ['-O', 'binary', elf, bin]);
  const syms = execFileSync(nm.path, [elf], { encoding: 'utf8' });
  const m = /^([0-9a-f]+) \S tohost$/m.exec(syms);
  return { elf, image: new Uint8Array(readFileSync(bin)), tohost: m ? parseInt(m[1], 16) : 0 };
}

export interface GuestResult {
  /** Exit code from tohost/finisher (0 = pass), or undefined when the budget ran out. */
  readonly exitCode: number | undefined;
  readonly uart: string;
  readonly instructions: number;
  readonly hart: Hart;
}

export interface RunOptions {
  readonly maxInstructions?: number;
  readonly slice?: number;
  /** Called between slices with the hart (e.g. to drive interrupt lines). */
  readonly between?: (hart: Hart, executed: number) => void;
  readonly sv48?: boolean;
}

/** Runs a built guest on a fresh hart (inline: time advances 1 tick per 10 instructions). */
export function runGuest(guest: BuiltGuest, options: RunOptions = {}): GuestResult {
  const memory = new GuestMemory({ ramBytes: 32 << 20 });
  const bus = new PhysicalBus(memory);
  let executed = 0;
  const time = { now: () => Math.floor(executed / 10) };
  let exitCode: number | undefined;
  let uart = '';
  // eslint-disable-next-line prefer-const
  let hart: Hart;
  const clint = new Clint(time, [
    { msip: { set: (l) => hart.setInterruptLevel(C.MIP_MSIP, l) }, mtip: { set: (l) => hart.setInterruptLevel(C.MIP_MTIP, l) } },
  ]);
  bus.map('clint', 0x200_0000, 0x10000, clint);
  bus.map('uart0', 0x1000_0000, 0x100, new Uart16550((b) => (uart += String.fromCharCode(b))));
  bus.map('test', 0x10_0000, 0x1000, new SifiveTest((r) => (exitCode = r.action === 'poweroff' ? r.code : -1)));
  hart = new Hart({ memory, bus, time, sv48: options.sv48 ?? true });
  memory.writeBytes(RAM_BASE, guest.image);
  hart.setX(10, 0); // a0 = hartid
  const max = options.maxInstructions ?? 5_000_000;
  const slice = options.slice ?? 1000;
  const tohostOff = guest.tohost - RAM_BASE;
  const view = new DataView(memory.buffer);
  while (executed < max && exitCode === undefined) {
    const exit = hart.run(slice);
    executed += slice;
    clint.update();
    options.between?.(hart, executed);
    if (guest.tohost !== 0) {
      const v = view.getUint32(tohostOff, true);
      if (v !== 0 && exitCode === undefined) exitCode = v >>> 1;
    }
    if (exit === 1 && hart.waiting) {
      // WFI: jump time forward to the next CLINT deadline, as a scheduler would sleep
      const deadline = Math.min(clint.nextDeadline(), hart.timerDeadline());
      if (Number.isFinite(deadline) && deadline > time.now()) executed = deadline * 10;
    }
  }
  return { exitCode, uart, instructions: executed, hart };
}

/**
 * QEMU's rv64 CPU configured like this hart: no H extension (it changes misa, medeleg, mideleg
 * and mip), Sstc and the bit-manipulation extensions on.
 */
export const QEMU_CPU = 'rv64,h=false,sstc=true,zba=true,zbb=true,zbc=true,zbs=true';

export interface QemuResult {
  readonly exitCode: number | null;
  readonly uart: string;
}

/** Runs the same ELF on qemu-system-riscv64 -M virt -bios none; the finisher ends it. */
export function runOnQemu(guest: BuiltGuest): QemuResult {
  const r = spawnSync(
    qemuSystem.path,
    ['-M', 'virt', '-cpu', QEMU_CPU, '-bios', 'none', '-nographic', '-monitor', 'none', '-serial', 'stdio', '-m', '128M', '-kernel', guest.elf],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return { exitCode: r.status, uart: r.stdout.replace(/\r/g, '') };
}
