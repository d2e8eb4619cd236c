/**
 * Debian's OpenSBI and U-Boot (third-party firmware built for QEMU's virt board) boot on our virt
 * board to an interactive prompt. In-process, instruction-counted time: deterministic.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HART_ISA } from '../../core/cpu/hart.js';
import { oracle, oracleFile } from '../helpers/oracles.js';
import { BootSession, FW_DYNAMIC, FW_JUMP, UBOOT_MMODE, UBOOT_SMODE, file } from './boot-harness.js';

const fwJump = oracleFile(FW_JUMP, 'opensbi');
const fwDynamic = oracleFile(FW_DYNAMIC, 'opensbi');
const ubootS = oracleFile(UBOOT_SMODE, 'u-boot-qemu');
const ubootM = oracleFile(UBOOT_MMODE, 'u-boot-qemu');

const qemu = oracle('qemu-system-riscv64', 'qemu-system-misc');
const MEM = 256 * 1024 * 1024;

/** OpenSBI's banner as printed on qemu-system-riscv64 -M virt with the same firmware and payload. */
function qemuBanner(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(qemu.path, ['-M', 'virt', '-m', '256M', '-nographic', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      if (out.includes('Boot HART MEDELEG')) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** OpenSBI banner lines that describe the platform and the boot (not the CPU's extensions). */
const PLATFORM_LINES = /^(Platform (Name|HART Count|IPI Device|Timer Device|Console Device|Reboot Device|Shutdown Device)|Firmware Base|Domain0 (Next Address|Next Arg1|Next Mode|HARTs|Region\d\d)).*$/gm;
const platformLines = (banner: string) => banner.match(PLATFORM_LINES)?.map((l) => l.trimEnd()) ?? [];

/** Boots to the U-Boot prompt, skipping the autoboot countdown with a key press. */
function toPrompt(session: BootSession): string {
  const banner = session.waitFor('Hit any key to stop autoboot');
  session.type(' ');
  session.waitFor('\n=> ');
  return banner;
}

function exercise(session: BootSession): void {
  const version = session.command('version');
  expect(version).toMatch(/U-Boot 20\d\d\.\d\d/);
  expect(version).toContain('riscv64-linux-gnu-gcc');

  const bdinfo = session.command('bdinfo');
  expect(bdinfo).toMatch(/-> start\s+= 0x0000000080000000/);
  expect(bdinfo).toMatch(/-> size\s+= 0x0000000010000000/);
  expect(bdinfo).toContain('Build       = 64-bit');

  expect(session.command('fdt addr $fdtcontroladdr')).not.toMatch(/error|not/i);
  const cpus = session.command('fdt print /cpus');
  expect(cpus).toContain('timebase-frequency = <0x00989680>;');
  expect(cpus).toContain(`riscv,isa = "${HART_ISA}";`);
  expect(cpus).toContain('compatible = "riscv,cpu-intc";');

  // `sleep 1` returns only if the timer advances: a full second of guest time is 1e7 mtime ticks.
  const before = session.clock.now();
  session.command('sleep 1');
  expect(session.clock.now() - before).toBeGreaterThanOrEqual(10_000_000);

  session.type('reset\n');
  session.waitFor('resetting ...');
  session.waitFor('OpenSBI');
  expect(session.reboots).toBe(1);
  toPrompt(session);

  session.type('poweroff\n');
  expect(session.runToStop()).toEqual({ kind: 'poweroff', code: 0, failed: false });
}

describe.skipIf(!fwJump.available || !fwDynamic.available || !ubootS.available)('OpenSBI + S-mode U-Boot', () => {
  for (const [name, fw] of [
    ['fw_jump', FW_JUMP],
    ['fw_dynamic', FW_DYNAMIC],
  ] as const) {
    it(`${name}: OpenSBI reports the uart8250 console and the 10 MHz ACLINT timer, U-Boot answers at its prompt`, async () => {
      const session = new BootSession({ memSize: MEM, bios: file(fw), kernel: file(UBOOT_SMODE) });
      const banner = toPrompt(session);
      expect(banner).toMatch(/Platform Console Device\s+: uart8250/);
      expect(banner).toContain('aclint-mtimer @ 10000000Hz');
      expect(banner).toMatch(/Domain0 Next Address\s+: 0x0000000080200000/);
      expect(banner).toContain('DRAM:  256 MiB');
      if (qemu.available) {
        const expected = platformLines(await qemuBanner(['-bios', fw, '-kernel', UBOOT_SMODE]));
        expect(expected.length).toBeGreaterThan(10);
        expect(platformLines(banner)).toEqual(expected);
      }
      exercise(session);
    });
  }

  it('with 2 harts OpenSBI reports both and U-Boot still reaches its prompt', () => {
    const session = new BootSession({ memSize: MEM, harts: 2, bios: file(FW_JUMP), kernel: file(UBOOT_SMODE) });
    const banner = toPrompt(session);
    expect(banner).toMatch(/Platform HART Count\s+: 2/);
    expect(banner).toMatch(/Domain0 HARTs\s+: 0\*,1\*/);
    session.type('poweroff\n');
    expect(session.runToStop()).toMatchObject({ kind: 'poweroff', code: 0 });
  });

  it('U-Boot line editing: backspace erases, a pasted 200-character line arrives intact', () => {
    const session = new BootSession({ memSize: MEM, bios: file(FW_JUMP), kernel: file(UBOOT_SMODE) });
    toPrompt(session);
    expect(session.command('echo helXlo\b\b\blo')).toMatch(/\nhello\r?\n/);
    const long = Array.from({ length: 200 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const out = session.command(`echo ${long}`);
    expect(out).toContain(`\n${long}`);
  });
});

describe.skipIf(!ubootM.available)('M-mode U-Boot without firmware (--bios none)', () => {
  it('boots to its prompt and answers', () => {
    const session = new BootSession({ memSize: MEM, bios: null, kernel: file(UBOOT_MMODE) });
    toPrompt(session);
    expect(session.command('version')).toMatch(/U-Boot 20\d\d\.\d\d/);
    const before = session.clock.now();
    session.command('sleep 1');
    expect(session.clock.now() - before).toBeGreaterThanOrEqual(10_000_000);
    session.type('poweroff\n');
    expect(session.runToStop()).toMatchObject({ kind: 'poweroff', code: 0 });
  });
});
