#!/usr/bin/env node
/**
 * Boot benchmark: time from launch to U-Boot's `=>` prompt, RiscStation (`riscstation run`, the
 * built CLI in dist/) against qemu-system-riscv64 -M virt, same firmware, alternating runs,
 * median of N (default 5). The autoboot countdown is skipped by sending a key when it appears,
 * the same way for both.
 *
 *   npm run build:core && node bench/boot-uboot.mjs [--runs N] [--firmware fw_jump|fw_dynamic] [--mode smode|mmode] [--smp N]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    firmware: { type: 'string', default: 'fw_jump' },
    mode: { type: 'string', default: 'smode' },
    smp: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '300' },
  },
});
const runs = Number(values.runs);
const opensbi = `/usr/lib/riscv64-linux-gnu/opensbi/generic/${values.firmware}.bin`;
const uboot = values.mode === 'mmode' ? '/usr/lib/u-boot/qemu-riscv64/u-boot.bin' : '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin';
const bios = values.mode === 'mmode' ? 'none' : opensbi;
const cli = join(root, 'dist', 'core', 'host', 'cli', 'main.js');
for (const f of [cli, uboot, ...(bios === 'none' ? [] : [bios])]) {
  if (!existsSync(f)) {
    console.error(`missing ${f}${f === cli ? ' (run npm run build:core)' : ' (scripts/install-test-deps.sh)'}`);
    process.exit(2);
  }
}

const machines = {
  riscstation: ['node', [cli, 'run', '--bios', bios, '--kernel', uboot, '--mem', '256M', '--smp', values.smp]],
  qemu: ['qemu-system-riscv64', ['-M', 'virt', '-m', '256M', '-smp', values.smp, '-nographic', '-bios', bios === 'none' ? 'none' : bios, '-kernel', uboot]],
};

/** Launches a machine, returns ms from spawn to the first `=> ` prompt. */
function timeToPrompt(name) {
  const [cmd, args] = machines[name];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let text = '';
    let keySent = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name}: no prompt after ${values.timeout} s; output tail:\n${text.slice(-2000)}`));
    }, Number(values.timeout) * 1000);
    child.stdout.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (!keySent && text.includes('Hit any key to stop autoboot')) {
        keySent = true;
        child.stdin.write('\n');
      }
      if (/\n=> /.test(text)) {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve(ms);
      }
    });
    child.on('error', reject);
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const times = { riscstation: [], qemu: [] };
for (let i = 0; i < runs; i++) {
  for (const name of i % 2 === 0 ? ['riscstation', 'qemu'] : ['qemu', 'riscstation']) {
    const ms = await timeToPrompt(name);
    times[name].push(ms);
    console.log(`run ${i + 1} ${name.padEnd(11)} ${ms.toFixed(0)} ms`);
  }
}
const r = median(times.riscstation);
const q = median(times.qemu);
console.log(`\nboot to U-Boot prompt (${values.mode === 'mmode' ? 'M-mode U-Boot, --bios none' : `${values.firmware} + S-mode U-Boot`}, smp ${values.smp}), median of ${runs}:`);
console.log(`  riscstation  ${r.toFixed(0)} ms`);
console.log(`  qemu         ${q.toFixed(0)} ms`);
console.log(`  ratio        ${(r / q).toFixed(2)}x`);
