#!/usr/bin/env node
/**
 * VM density: start N idle VMs (the bare-metal WFI guest tests/guests/hypervisor/idle-echo.S,
 * one timer interrupt every 100 ms) as separate OS processes through the hypervisor, for
 * N = 1, 4, 8, 16, and report per N:
 *   - start time to the guest's first console output (median and max over the N VMs, all
 *     started at once),
 *   - RSS per VM process (guest RAM is a shared WebAssembly.Memory: mapped in full but only the
 *     pages the guest touches are resident, well under 1 MiB for this guest, so RSS is the
 *     per-VM overhead beyond guest RAM),
 *   - host CPU while all N idle: the sum of the VM processes' CPU, and the host process's own,
 *     in percent of one core over a 3 s window.
 *
 * With --guest linux every VM boots the Linux guest (`npm run guests`: OpenSBI fw_jump, the kernel
 * and its busybox initramfs, no disk, `noroot`) to its shell prompt and then idles there: the
 * table shows what an idle Linux VM costs (start time is to the shell prompt).
 *
 * With --guest uboot every VM is OpenSBI (fw_jump) + U-Boot sitting at its `=>` prompt instead
 * (--smp harts each): U-Boot busy-polls its UART there, so the table shows how fast the guest runs
 * (instructions retired per second, from the VMs' stats) rather than how idle it is.
 *
 *   npm run build:core && node bench/vm-density.mjs [--counts 1,4,8,16] [--mem 32] [--scheduler threaded|inline]
 *                                                   [--guest idle|uboot|linux] [--smp N]
 *
 * Needs riscv64-unknown-elf-gcc (Debian gcc-riscv64-unknown-elf) to build the guest.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'core');
if (!existsSync(join(dist, 'hypervisor', 'hypervisor.js'))) {
  console.error('dist/ is missing: run npm run build:core first');
  process.exit(2);
}
const { values } = parseArgs({
  options: {
    counts: { type: 'string', default: '1,4,8,16' },
    mem: { type: 'string', default: '32' },
    scheduler: { type: 'string', default: 'threaded' },
    guest: { type: 'string', default: 'idle' },
    smp: { type: 'string', default: '1' },
  },
});
const FW_JUMP = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin';
const UBOOT_SMODE = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin';
const uboot = values.guest === 'uboot';
const linux = values.guest === 'linux';
let linuxDir = null;
if (linux) {
  const printed = spawnSync(process.execPath, [join(root, 'scripts', 'build-guests.mjs'), '--print-dir'], { encoding: 'utf8' });
  linuxDir = printed.status === 0 ? printed.stdout.trim() : null;
  if (linuxDir === null || !existsSync(FW_JUMP)) {
    console.error(`--guest linux needs the Linux guest (npm run guests) and ${FW_JUMP} (opensbi)`);
    process.exit(2);
  }
}
if (uboot && (!existsSync(FW_JUMP) || !existsSync(UBOOT_SMODE))) {
  console.error(`--guest uboot needs ${FW_JUMP} (opensbi) and ${UBOOT_SMODE} (u-boot-qemu)`);
  process.exit(2);
}
// The VM processes read it (core/platform/node/vm-process-main.ts).
process.env.RISCSTATION_SCHEDULER = values.scheduler;
const counts = values.counts.split(',').map(Number);
const memoryMiB = (uboot || linux) && values.mem === '32' ? 256 : Number(values.mem);
const harts = Number(values.smp);

const { Hypervisor } = await import(join(dist, 'hypervisor', 'hypervisor.js'));
const { nodeHostPlatform } = await import(join(dist, 'platform', 'node', 'host-setup.js'));

function buildGuest() {
  const dir = mkdtempSync(join(tmpdir(), 'rs-density-guest-'));
  const elf = join(dir, 'idle-echo.elf');
  const guests = join(root, 'tests', 'guests', 'hypervisor');
  execFileSync('riscv64-unknown-elf-gcc', [
    '-nostdlib', '-nostartfiles', '-march=rv64gc', '-mabi=lp64d', '-mcmodel=medany',
    '-T', join(guests, 'link.ld'), '-I', guests, '-Wl,--no-warn-rwx-segments',
    '-o', elf, join(guests, 'idle-echo.S'),
  ]);
  return elf;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(n, elf) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rs-density-'));
  const hv = new Hypervisor(nodeHostPlatform(), { dataDir, templatesDir: null, defaultFirmware: [], stopTimeoutMs: 500 });
  try {
    const ids = [];
    for (let i = 0; i < n; i++) {
      const config = uboot
        ? { name: `uboot-${i}`, firmware: { kind: 'file', path: FW_JUMP }, kernel: UBOOT_SMODE, memoryMiB, harts }
        : linux
          ? {
              name: `linux-${i}`,
              firmware: { kind: 'file', path: FW_JUMP },
              kernel: join(linuxDir, 'Image'),
              initrd: join(linuxDir, 'initramfs.cpio.gz'),
              cmdline: 'console=ttyS0 noroot',
              memoryMiB,
              harts,
            }
          : { name: `idle-${i}`, firmware: { kind: 'none' }, kernel: elf, memoryMiB, harts };
      ids.push(hv.create(config).id);
    }
    const firstOutput = new Map();
    /** Linux: when the shell prompt appeared. */
    const readyAt = new Map();
    const t0 = performance.now();
    const seen = ids.map(
      (id) =>
        new Promise((resolve) => {
          let text = '';
          let keySent = false;
          const off = hv.consoleListen(id, (data) => {
            if (!firstOutput.has(id)) firstOutput.set(id, performance.now() - t0);
            if (linux) {
              text += new TextDecoder().decode(data);
              if (/# $/.test(text)) {
                readyAt.set(id, performance.now() - t0);
                off();
                resolve();
              }
              return;
            }
            if (!uboot) {
              off();
              resolve();
              return;
            }
            // U-Boot: stop the autoboot countdown, then wait for the prompt.
            text += new TextDecoder().decode(data);
            if (!keySent && /Hit any key/.test(text)) {
              keySent = true;
              hv.consoleInput(id, new TextEncoder().encode(' '));
            }
            if (/=> $/.test(text)) {
              off();
              resolve();
            }
          });
        }),
    );
    await Promise.all(ids.map((id) => hv.start(id)));
    await Promise.all(seen);
    await sleep(2000); // settle after start-up
    const hostCpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (const id of ids) await hv.stats(id);
    await sleep(3000);
    const stats = [];
    for (const id of ids) stats.push(await hv.stats(id));
    const hostCpu1 = process.cpuUsage(hostCpu0);
    const wallMs = performance.now() - wall0;
    const starts = linux ? [...readyAt.values()] : [...firstOutput.values()];
    return {
      n,
      startMedianMs: median(starts),
      startMaxMs: Math.max(...starts),
      rssMiB: median(stats.map((s) => s.rssBytes)) / (1024 * 1024),
      mips: median(stats.map((s) => s.instructionsPerSecond)) / 1e6,
      vmCpuPercent: stats.reduce((sum, s) => sum + s.cpuPercent, 0),
      hostCpuPercent: ((hostCpu1.user + hostCpu1.system) / 1000 / wallMs) * 100,
    };
  } finally {
    await hv.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const elf = uboot || linux ? null : buildGuest();
const rows = [];
for (const n of counts) {
  const r = await measure(n, elf);
  rows.push(r);
  console.error(`N=${n} done`);
}
const what = uboot
  ? 'OpenSBI + U-Boot at its prompt (busy-polls the UART)'
  : linux
    ? 'Linux 6.1 + busybox idling at its shell prompt (start time: to the prompt)'
    : 'idle bare-metal guests (WFI, 100 ms timer)';
console.log(
  `VM density: ${what}, ${harts} hart(s) and ${memoryMiB} MiB guest RAM each, one OS process per VM, ` +
    `${values.scheduler} scheduler, Node ${process.versions.node}`,
);
console.log(
  '| N | start to first output, median / max (ms) | RSS per VM process (MiB) | guest MIPS per VM (median) | CPU, all VMs (% of a core) | CPU, host process (%) |',
);
console.log('|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.n} | ${r.startMedianMs.toFixed(0)} / ${r.startMaxMs.toFixed(0)} | ${r.rssMiB.toFixed(1)} | ${r.mips.toFixed(2)} | ${r.vmCpuPercent.toFixed(2)} | ${r.hostCpuPercent.toFixed(2)} |`,
  );
}
