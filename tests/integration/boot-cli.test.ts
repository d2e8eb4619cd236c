/**
 * `riscstation run` as a user runs it: the built CLI (dist/, from npm run build:core) with bare-metal
 * guests built from source at test time, and Debian's OpenSBI + U-Boot driven over a pipe.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { oracle, oracleFile } from '../helpers/oracles.js';
import { FW_JUMP, UBOOT_SMODE } from './boot-harness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'core', 'host', 'cli', 'main.js');
const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf');
const dtc = oracle('dtc', 'device-tree-compiler');
const fwJump = oracleFile(FW_JUMP, 'opensbi');
const ubootS = oracleFile(UBOOT_SMODE, 'u-boot-qemu');
const built = existsSync(cli);
if (!built) console.warn(`[skip] ${cli} is missing: run npm run build:core`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], input = ''): Run {
  const r = spawnSync(process.execPath, [cli, 'run', ...args], { input, encoding: 'latin1', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Builds a bare-metal M-mode program linked at 0x80000000 from assembly. */
function guest(name: string, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'guest-'));
  writeFileSync(
    join(dir, `${name}.S`),
    `.section .text
.globl _start
_start:
${body}
.data
.align 6
.globl tohost
tohost: .dword 0
.globl fromhost
fromhost: .dword 0
`,
  );
  const out = join(dir, `${name}.elf`);
  spawnSync(gcc.path, ['-march=rv64gc', '-mabi=lp64d', '-nostdlib', '-nostartfiles', '-Wl,-Ttext=0x80000000', '-Wl,-n', '-Wl,--no-warn-rwx-segments', '-o', out, join(dir, `${name}.S`)], {
    stdio: 'inherit',
  });
  return out;
}

const PRINT_HELLO = `
  li t0, 0x10000000
  la t1, msg
1: lbu t2, 0(t1)
  beqz t2, 2f
  sb t2, 0(t0)
  addi t1, t1, 1
  j 1b
2:
`;

describe.skipIf(!built || !gcc.available)('riscstation run (CLI)', () => {
  it('prints what the guest sends to the UART and exits with the syscon poweroff code', () => {
    const elf = guest(
      'poweroff7',
      `${PRINT_HELLO}
  li t0, 0x100000
  li t1, (7 << 16) | 0x5555
  sw t1, 0(t0)
3: j 3b
msg: .asciz "hello from the guest\\n"`,
    );
    const r = run(['--bios', 'none', '--kernel', elf, '--mem', '32M']);
    expect(r.stdout).toContain('hello from the guest\n');
    expect(r.code).toBe(7);
  });

  it('exits 0 on a clean poweroff and with the code a guest writes to HTIF tohost', () => {
    const clean = guest('poweroff0', `li t0, 0x100000\n li t1, 0x5555\n sw t1, 0(t0)\n1: j 1b`);
    expect(run(['--bios', 'none', '--kernel', clean, '--inline']).code).toBe(0);
    const htif = guest('htif3', `la t0, tohost\n li t1, (3 << 1) | 1\n sd t1, 0(t0)\n1: j 1b`);
    expect(run(['--bios', 'none', '--kernel', htif, '--inline']).code).toBe(3);
  });

  it('exits 1 when every hart waits for an interrupt that can never come', () => {
    const hang = guest('hang', `csrw mie, zero\n1: wfi\n j 1b`);
    const r = run(['--bios', 'none', '--kernel', hang, '--inline']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hung/);
  });

  it('exits 2 with a message for bad arguments and unusable files', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--mem', 'lots', '--bios', 'none', '--kernel', '/dev/null'], /--mem/],
      [['--smp', '0', '--bios', 'none', '--kernel', '/dev/null'], /--smp/],
      [['--bios', 'none', '--kernel', '/no/such/file'], /--kernel \/no\/such\/file: no such file/],
      [['--bios', 'none', '--kernel', process.execPath], /not RISC-V/],
      [['--bios', 'none'], /nothing to boot/],
      [['--frobnicate'], /frobnicate/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it.skipIf(!dtc.available)('--dtb-out writes the device tree the guest gets; dtc reads it without warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtb-'));
    const clean = guest('off', `li t0, 0x100000\n li t1, 0x5555\n sw t1, 0(t0)\n1: j 1b`);
    const dtb = join(dir, 'virt.dtb');
    expect(run(['--bios', 'none', '--kernel', clean, '--smp', '2', '--mem', '64M', '--append', 'console=ttyS0', '--dtb-out', dtb]).code).toBe(0);
    const d = spawnSync(dtc.path, ['-I', 'dtb', '-O', 'dts', dtb], { encoding: 'utf8' });
    expect(d.stderr).toBe('');
    expect(d.stdout).toContain('bootargs = "console=ttyS0";');
    expect(d.stdout).toContain('reg = <0x00 0x80000000 0x00 0x4000000>;');
    expect(d.stdout).toContain('cpu@1 {');
  });
});

describe.skipIf(!built || !fwJump.available || !ubootS.available)('riscstation run with OpenSBI and U-Boot over a pipe', () => {
  it('reaches the U-Boot prompt, runs a command typed on stdin and powers off with status 0', async () => {
    const child = spawn(process.execPath, [cli, 'run', '--bios', FW_JUMP, '--kernel', UBOOT_SMODE, '--mem', '256M'], { stdio: 'pipe' });
    let out = '';
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (out.includes(text)) {
            child.stdout.off('data', check);
            resolve();
          }
        };
        child.stdout.on('data', check);
        child.on('exit', () => reject(new Error(`exited before '${text}':\n${out}`)));
        setTimeout(() => reject(new Error(`no '${text}' after 240 s:\n${out.slice(-2000)}`)), 240_000).unref();
        check();
      });
    child.stdout.on('data', (c: Buffer) => (out += c.toString('latin1')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      await seen('Hit any key to stop autoboot');
      child.stdin.write(' ');
      await seen('=> ');
      child.stdin.write('echo riscstation-$bootdelay\n');
      await seen('riscstation-2');
      child.stdin.write('poweroff\n');
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    const code = await exited;
    expect(out).toContain('Platform Console Device   : uart8250');
    expect(code).toBe(0);
  }, 300_000);
});
