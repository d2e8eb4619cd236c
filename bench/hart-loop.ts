/**
 * Interpreter speed on integer code: builds bench/hart-loop.c (riscv64-unknown-elf-gcc -O2),
 * runs it bare-metal on one Hart in 50k-instruction slices and prints guest MIPS.
 *
 * Run it compiled, not through a TS loader (jiti's import getters cost ~3x):
 *   npx tsc --outDir /tmp/bb --rootDir . --module nodenext --moduleResolution nodenext \
 *     --target es2023 --skipLibCheck --types node bench/hart-loop.ts
 *   echo '{"type":"module"}' > /tmp/bb/package.json; cp bench/hart-loop.c /tmp/bb/bench/
 *   node /tmp/bb/bench/hart-loop.js [seconds]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hart } from '../core/cpu/hart.js';
import { PhysicalBus } from '../core/memory/bus.js';
import { GuestMemory, RAM_BASE } from '../core/memory/ram.js';

const seconds = Number(process.argv[2] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'bench-'));
const src = fileURLToPath(new URL('./hart-loop.c', import.meta.url));
const elf = join(dir, 'loop.elf');
execFileSync('riscv64-unknown-elf-gcc', [
  '-O2', '-fno-tree-loop-distribute-patterns', '-march=rv64gc', '-mabi=lp64d', '-mcmodel=medany', '-nostdlib', '-nostartfiles', '-static',
  '-Wl,-Ttext=0x80000000', '-Wl,--no-relax', '-Wl,--no-warn-rwx-segments', '-o', elf, src,
]);
execFileSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', elf, join(dir, 'loop.bin')]);
const image = new Uint8Array(readFileSync(join(dir, 'loop.bin')));
const entry = /^([0-9a-f]+) T _start$/m.exec(execFileSync('riscv64-unknown-elf-nm', [elf], { encoding: 'utf8' }));

const memory = new GuestMemory({ ramBytes: 64 << 20 });
const bus = new PhysicalBus(memory);
const t0 = performance.now();
const hart = new Hart({ memory, bus, time: { now: () => Math.floor((performance.now() - t0) * 10_000) } });
memory.writeBytes(RAM_BASE, image);
hart.setX(2, RAM_BASE + (32 << 20)); // sp
hart.setPc(parseInt(entry?.[1] ?? '80000000', 16));

const SLICE = 50_000;
let total = 0;
// warm-up, then measure
for (let i = 0; i < 200; i++) hart.run(SLICE);
const start = performance.now();
const cpu0 = process.cpuUsage();
let now = start;
while (now - start < seconds * 1000) {
  for (let i = 0; i < 20; i++) hart.run(SLICE);
  total += 20 * SLICE;
  now = performance.now();
}
const cpu = process.cpuUsage(cpu0);
const mips = total / ((now - start) * 1000);
// On a shared machine wall time includes other processes; CPU time is the fairer figure.
const cpuMips = total / (cpu.user + cpu.system);
console.log(
  `hart-loop: ${total} instructions in ${((now - start) / 1000).toFixed(2)} s: ${mips.toFixed(1)} MIPS wall, ` +
    `${cpuMips.toFixed(1)} MIPS per CPU-second (pc 0x${hart.getPc().toString(16)})`,
);
