#!/usr/bin/env node
/**
 * Linux boot benchmark: time from launch to the busybox shell prompt and to the end of a scripted
 * `poweroff`, RiscStation (`riscstation run`, the built CLI in dist/) against qemu-system-riscv64
 * -M virt with the same firmware, kernel, initramfs, root disk (a fresh copy of the guest's
 * root.ext4 per run, as virtio-blk), virtio-rng and harts; alternating runs, median of N (default 5).
 * The guest is the one `npm run guests` builds.
 *
 *   npm run build:core && node bench/boot-linux.mjs [--runs N] [--smp N] [--firmware fw_jump|fw_dynamic]
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    smp: { type: 'string', default: '1' },
    firmware: { type: 'string', default: 'fw_jump' },
    timeout: { type: 'string', default: '300' },
  },
});
const runs = Number(values.runs);
const bios = `/usr/lib/riscv64-linux-gnu/opensbi/generic/${values.firmware}.bin`;
const cli = join(root, 'dist', 'core', 'host', 'cli', 'main.js');
const printed = spawnSync(process.execPath, [join(root, 'scripts', 'build-guests.mjs'), '--print-dir'], { encoding: 'utf8' });
const guest = printed.status === 0 ? printed.stdout.trim() : '';
const kernel = join(guest, 'Image');
const initrd = join(guest, 'initramfs.cpio.gz');
const rootImage = join(guest, 'root.ext4');
for (const f of [cli, bios, kernel, initrd, rootImage]) {
  if (!existsSync(f)) {
    console.error(`missing ${f}${f === cli ? ' (run npm run build:core)' : f === bios ? ' (apt-get install opensbi)' : ' (run npm run guests)'}`);
    process.exit(2);
  }
}
const append = 'console=ttyS0 root=/dev/vda rw';
const work = mkdtempSync(join(tmpdir(), 'bench-linux-'));
const disk = join(work, 'root.ext4');

const machines = {
  riscstation: () => [
    'node',
    [cli, 'run', '--bios', bios, '--kernel', kernel, '--initrd', initrd, '--append', append, '--mem', '256M', '--smp', values.smp, '--drive', disk],
  ],
  qemu: () => [
    'qemu-system-riscv64',
    ['-M', 'virt', '-m', '256M', '-smp', values.smp, '-nographic', '-bios', bios, '-kernel', kernel, '-initrd', initrd, '-append', append,
      '-drive', `file=${disk},format=raw,if=none,id=hd0`, '-device', 'virtio-blk-device,drive=hd0', '-device', 'virtio-rng-device'],
  ],
};

/** Launches a machine on a fresh disk copy; resolves with ms to the prompt and ms to its exit after `poweroff`. */
function boot(name) {
  copyFileSync(rootImage, disk);
  const [cmd, args] = machines[name]();
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - start) / 1e6;
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let text = '';
    let prompt = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name}: ${prompt === null ? 'no prompt' : 'no poweroff'} after ${values.timeout} s; output tail:\n${text.slice(-2000)}`));
    }, Number(values.timeout) * 1000);
    child.stdout.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (prompt === null && /root@riscstation:\S*# $/.test(text)) {
        prompt = ms();
        child.stdin.write('poweroff\n');
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (prompt === null) reject(new Error(`${name} exited (${code}) before the prompt:\n${text.slice(-2000)}`));
      else resolve({ prompt, poweroff: ms(), code });
    });
    child.on('error', reject);
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const times = { riscstation: { prompt: [], poweroff: [] }, qemu: { prompt: [], poweroff: [] } };
try {
  for (let i = 0; i < runs; i++) {
    for (const name of i % 2 === 0 ? ['riscstation', 'qemu'] : ['qemu', 'riscstation']) {
      const t = await boot(name);
      times[name].prompt.push(t.prompt);
      times[name].poweroff.push(t.poweroff);
      console.log(`run ${i + 1} ${name.padEnd(11)} prompt ${t.prompt.toFixed(0)} ms, poweroff done ${t.poweroff.toFixed(0)} ms (exit ${t.code})`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`\nLinux 6.1 + busybox, root on virtio-blk, ${values.firmware}, smp ${values.smp}, median of ${runs}:`);
for (const what of ['prompt', 'poweroff']) {
  const r = median(times.riscstation[what]);
  const q = median(times.qemu[what]);
  console.log(`  to ${what.padEnd(8)}  riscstation ${r.toFixed(0)} ms   qemu ${q.toFixed(0)} ms   ratio ${(r / q).toFixed(2)}x`);
}
