#!/usr/bin/env node
/**
 * CPU benchmark suite (issue 3): four of our own C programs (integer, memory, branchy, float in
 * bench/cpu/programs) built with riscv64-unknown-elf-gcc -O2 -march=rv64gc and run bare-metal on
 * RiscStation's virt board (in this process, from the compiled dist/) and on
 * qemu-system-riscv64 -M virt -bios none, alternating, median of N; also compiled for the host with
 * gcc -O2 as the physical limit. Every program prints "start", then "checksum <hex>" through the
 * UART and powers off through the sifive test device; both machines must print the same checksum.
 * QEMU and native times run from the "start" line to the checksum line, so process and QEMU
 * start-up are not counted (translation is). Instructions are our hart's instret (QEMU retires the
 * same program). On a shared machine wall time includes other processes, so our MIPS per CPU-second
 * of this process is printed too. Run:
 *
 *   npm run build:core && node bench/cpu/run.mjs [--runs N] [--scale K] [--only integer,float]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    scale: { type: 'string', default: '1' },
    only: { type: 'string', default: 'integer,memory,branchy,float' },
    slice: { type: 'string', default: '100000' },
  },
});
const runs = Number(values.runs);
const scale = Number(values.scale);
const programs = values.only.split(',');
const SLICE = Number(values.slice);

const virtJs = join(root, 'dist', 'core', 'machine', 'virt.js');
if (!existsSync(virtJs)) {
  console.error(`missing ${virtJs} (run npm run build:core)`);
  process.exit(2);
}
const { VirtMachine } = await import(virtJs);

// --- build ---
const dir = mkdtempSync(join(tmpdir(), 'bench-cpu-'));
const srcDir = join(here, 'programs');
const build = (name) => {
  const src = join(srcDir, `${name}.c`);
  const elf = join(dir, `${name}.elf`);
  const native = join(dir, `${name}-native`);
  execFileSync('riscv64-unknown-elf-gcc', [
    '-O2', '-march=rv64gc', '-mabi=lp64d', '-mcmodel=medany', '-ffreestanding', '-fno-math-errno', `-DSCALE=${scale}`,
    '-nostdlib', '-nostartfiles', '-static', '-T', join(srcDir, 'link.ld'), '-Wl,--no-relax', '-Wl,--no-warn-rwx-segments',
    '-o', elf, src, '-lgcc',
  ]);
  execFileSync('gcc', ['-O2', '-fno-math-errno', '-DNATIVE', `-DSCALE=${scale}`, '-o', native, src]);
  return { elf, native };
};

// --- runners: each returns { ms, checksum } ---

/** RiscStation: the virt board in this process, driven slice by slice until the guest powers off. */
function runOurs(elf) {
  let out = '';
  const t0 = performance.now();
  const clock = { now: () => Math.floor((performance.now() - t0) * 10_000) };
  const machine = new VirtMachine({
    memSize: 128 << 20,
    kernel: { name: elf, bytes: new Uint8Array(readFileSync(elf)) },
    clock,
    serialOut: (b) => void (out += String.fromCharCode(b)),
  });
  const runner = machine.hartRunners[0];
  const hart = machine.harts[0];
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let stop = null;
  while ((stop = machine.pollStop()) === null) runner.run(SLICE);
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  if (stop.kind !== 'poweroff') throw new Error(`${elf}: stopped with ${JSON.stringify(stop)}; output: ${out}`);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, checksum: checksumOf(out, elf), instret: hart.instret() };
}

/** A child process; ms from its "start" line to its checksum line. */
function runChild(cmd, args, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let started = 0;
    let done = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.stdout.on('data', (chunk) => {
      const now = performance.now();
      text += chunk.toString('latin1');
      if (!started && text.includes('start\n')) started = now;
      if (!done && /checksum [0-9a-f]{16}\n/.test(text)) {
        done = now;
        child.kill('SIGKILL'); // the time is taken; no need to wait for exit
      }
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      if (!started || !done) reject(new Error(`${what}: no checksum; output: ${text.slice(-500)}`));
      else resolve({ ms: done - started, checksum: checksumOf(text, what) });
    });
  });
}

const runQemu = (elf) =>
  runChild('qemu-system-riscv64', ['-M', 'virt', '-bios', 'none', '-nographic', '-monitor', 'none', '-kernel', elf], `qemu ${elf}`);
const runNative = (exe) => runChild(exe, [], exe);

function checksumOf(text, what) {
  const m = /checksum ([0-9a-f]{16})/.exec(text);
  if (!m) throw new Error(`${what}: no checksum in output: ${text.slice(-500)}`);
  return m[1];
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

// --- run ---
const rows = [];
for (const name of programs) {
  const { elf, native } = build(name);
  const ours = [];
  const qemu = [];
  const nat = [];
  for (let i = 0; i < runs; i++) {
    // alternate which machine goes first, so a load change hits both alike
    if (i % 2 === 0) {
      ours.push(runOurs(elf));
      qemu.push(await runQemu(elf));
    } else {
      qemu.push(await runQemu(elf));
      ours.push(runOurs(elf));
    }
    nat.push(await runNative(native));
  }
  const instret = ours[0].instret;
  const sums = new Set([...ours, ...qemu].map((r) => r.checksum));
  const row = {
    name,
    instret,
    ourMs: median(ours.map((r) => r.ms)),
    ourCpuMs: median(ours.map((r) => r.cpuMs)),
    qemuMs: median(qemu.map((r) => r.ms)),
    nativeMs: median(nat.map((r) => r.ms)),
    checksum: ours[0].checksum,
    agree: sums.size === 1,
    nativeAgrees: nat[0].checksum === ours[0].checksum,
  };
  rows.push(row);
  console.error(`${name}: done (${(instret / 1e6).toFixed(1)} M instructions)`);
}

const mips = (instret, ms) => instret / (ms * 1000);
const pad = (s, n) => String(s).padStart(n);
console.log(`\nbench/cpu: scale ${scale}, median of ${runs} run(s), Node ${process.version}\n`);
console.log(
  `${'program'.padEnd(8)} ${pad('M instr', 8)} ${pad('ours s', 7)} ${pad('MIPS', 7)} ${pad('MIPS/cpu', 8)} ` +
    `${pad('QEMU s', 7)} ${pad('MIPS', 7)} ${pad('ours/QEMU', 9)} ${pad('native s', 8)}  checksum`,
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(8)} ${pad((r.instret / 1e6).toFixed(1), 8)} ${pad((r.ourMs / 1000).toFixed(2), 7)} ` +
      `${pad(mips(r.instret, r.ourMs).toFixed(1), 7)} ${pad(mips(r.instret, r.ourCpuMs).toFixed(1), 8)} ` +
      `${pad((r.qemuMs / 1000).toFixed(3), 7)} ${pad(mips(r.instret, r.qemuMs).toFixed(1), 7)} ` +
      `${pad((r.qemuMs / r.ourMs).toFixed(3), 9)} ${pad((r.nativeMs / 1000).toFixed(3), 8)}  ${r.checksum}` +
      `${r.agree ? '' : ' MISMATCH with QEMU'}${r.nativeAgrees ? '' : ' (native differs)'}`,
  );
}
const ratios = rows.map((r) => r.qemuMs / r.ourMs);
console.log(
  `\ngeometric mean: ours ${geomean(rows.map((r) => mips(r.instret, r.ourMs))).toFixed(1)} MIPS ` +
    `(${geomean(rows.map((r) => mips(r.instret, r.ourCpuMs))).toFixed(1)} per CPU-second), ` +
    `QEMU ${geomean(rows.map((r) => mips(r.instret, r.qemuMs))).toFixed(1)} MIPS, ours/QEMU ${geomean(ratios).toFixed(3)}`,
);
console.log(
  'ours/QEMU is speed (QEMU time / our time). "native differs" is expected for float: riscv gcc fuses ' +
    'multiply-adds (fmadd.d), x86-64 -O2 does not.',
);
if (rows.some((r) => !r.agree)) process.exitCode = 1;
