/**
 * Interpreter speed on integer code: builds bench/hart-loop.c (riscv64-unknown-elf-gcc -O2),
 * runs it bare-metal on one Hart in 50k-instruction slices until it writes the sifive test
 * finisher, then runs the same ELF on qemu-system-riscv64 -M virt -bios none (when installed)
 * and prints guest MIPS for both and their ratio. On a shared machine wall time includes other
 * processes, so MIPS per CPU-second of this process is printed too.
 *
 * Run it compiled, not through a TS loader (jiti's import getters cost ~3x):
 *   npx tsc --outDir /tmp/bb --rootDir . --module nodenext --moduleResolution nodenext \\
 *     --target es2023 --skipLibCheck --types node bench/hart-loop.ts
 *   echo '{"type":"module"}' > /tmp/bb/package.json; cp bench/hart-loop.c /tmp/bb/bench/
 *   node /tmp/bb/bench/hart-loop.js [iterations]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hart } from '../core/cpu/hart.js';
import { PhysicalBus } from '../core/memory/bus.js';
import type { MmioDevice } from '../core/memory/mmio.js';
import { GuestMemory, RAM_BASE } from '../core/memory/ram.js';

const iterations = Number(process.argv[2] ?? 400);
const dir = mkdtempSync(join(tmpdir(), 'bench-'));
const src = fileURLToPath(new URL('./hart-loop.c', import.meta.url));
const elf = join(dir, 'loop.elf');
/** QEMU runs this many times the iterations, so its run is long enough to time past its startup. */
const QEMU_FACTOR = 20;
const build = (out: string, n: number): void => {
  execFileSync('riscv64-unknown-elf-gcc', [
    '-O2', '-fno-tree-loop-distribute-patterns', '-fno-toplevel-reorder', `-DITERATIONS=${n}`, '-march=rv64gc',
    '-mabi=lp64d', '-mcmodel=medany', '-nostdlib', '-nostartfiles', '-static', '-Wl,-Ttext=0x80000000',
    '-Wl,--no-relax', '-Wl,--no-warn-rwx-segments', '-Wl,-e,_start', '-o', out, src,
  ]);
};
build(elf, iterations);
const qemuElf = join(dir, 'loop-qemu.elf');
build(qemuElf, iterations * QEMU_FACTOR);
execFileSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', elf, join(dir, 'loop.bin')]);
const image = new Uint8Array(readFileSync(join(dir, 'loop.bin')));
const entry = /^([0-9a-f]+) T _start$/m.exec(execFileSync('riscv64-unknown-elf-nm', [elf], { encoding: 'utf8' }));

let finished = false;
const finisher: MmioDevice = { read: () => 0, write: () => void (finished = true) };
const memory = new GuestMemory({ ramBytes: 64 << 20 });
const bus = new PhysicalBus(memory);
bus.map('test', 0x10_0000, 0x1000, finisher);
const t0 = performance.now();
const hart = new Hart({ memory, bus, time: { now: () => Math.floor((performance.now() - t0) * 10_000) } });
memory.writeBytes(RAM_BASE, image);
hart.setPc(parseInt(entry?.[1] ?? '80000000', 16));

const SLICE = 50_000;
const start = performance.now();
const cpu0 = process.cpuUsage();
let total = 0;
while (!finished) {
  hart.run(SLICE);
  total += SLICE;
}
const wall = performance.now() - start;
const cpu = process.cpuUsage(cpu0);
const instret = Number(hart.getX(0)) + Number(readMinstret());
const mips = instret / (wall * 1000);
const cpuMips = instret / (cpu.user + cpu.system);
console.log(
  `hart-loop: ${instret} instructions in ${(wall / 1000).toFixed(2)} s: ${mips.toFixed(1)} MIPS wall, ` +
    `${cpuMips.toFixed(1)} MIPS per CPU-second`,
);

const qemu = spawnSync('qemu-system-riscv64', ['--version'], { encoding: 'utf8' });
if (qemu.status === 0) {
  const q0 = performance.now();
  const r = spawnSync('qemu-system-riscv64', ['-M', 'virt', '-bios', 'none', '-nographic', '-monitor', 'none', '-kernel', qemuElf], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const qWall = performance.now() - q0;
  const qMips = (instret * QEMU_FACTOR) / (qWall * 1000);
  console.log(
    `qemu-system-riscv64 (TCG, ${QEMU_FACTOR}x the iterations, incl. startup): ${(qWall / 1000).toFixed(2)} s = ${qMips.toFixed(1)} MIPS` +
      `${r.status === 0 ? '' : ` (exit ${r.status})`}; hart/QEMU = ${(mips / qMips).toFixed(3)}`,
  );
}

function readMinstret(): bigint {
  // minstret via the CSR table would need the hart internals; the counters live in the state block
  const f64 = new Float64Array(memory.buffer, memory.hartStateOffset(0) + 206 * 4, 1);
  return BigInt(f64[0]);
}
void total;
