/**
 * Linux 6.1 + busybox (the guest `npm run guests` builds from Debian sources) under `riscstation
 * run` with its ext4 root on a virtio-blk disk (`--drive`) and the always-attached virtio-rng: the
 * root is mounted from /dev/vda, what the guest writes and syncs survives a poweroff and a fresh
 * boot, /dev/hwrng delivers bytes, the RTC tells the host's time, and bad disk
 * images are refused before the guest starts. The second boot has 4 harts and a scratch disk that
 * carries 32 MiB through the guest and back (checked by the host on the image file). Runs the built CLI (dist/, npm run build:core) with
 * host time, as a user would.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LINUX_GUEST_DIR, linuxGuestBuilt } from '../helpers/linux-guest.js';
import { oracleFile } from '../helpers/oracles.js';
import { FW_JUMP } from './boot-harness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'core', 'host', 'cli', 'main.js');
const fwJump = oracleFile(FW_JUMP, 'opensbi');
const guestDir = LINUX_GUEST_DIR;
const guestBuilt = linuxGuestBuilt;
if (!guestBuilt) console.warn('[skip] the Linux guest is not built: run npm run guests (node scripts/build-guests.mjs)');
const cliBuilt = existsSync(cli);
if (!cliBuilt) console.warn(`[skip] ${cli} is missing: run npm run build:core`);

/** The shell prompt (PS1 'root@riscstation:\\w# '). */
const PROMPT = /root@riscstation:\S*# $/;
const STEP_MS = 60_000;

/** One `riscstation run` with its serial console on a pipe, driven like a terminal. */
class Guest {
  private readonly child: ChildProcessWithoutNullStreams;
  private text = '';
  private readonly exited: Promise<number | null>;
  private waiter: (() => void) | null = null;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [cli, 'run', ...args]);
    this.child.stdout.setEncoding('latin1');
    this.child.stderr.setEncoding('latin1');
    const more = (chunk: string): void => {
      this.text += chunk;
      this.waiter?.();
    };
    this.child.stdout.on('data', more);
    this.child.stderr.on('data', more);
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  /** Resolves with everything printed since the last call once `pattern` matches the tail. */
  async waitFor(pattern: RegExp): Promise<string> {
    const deadline = Date.now() + STEP_MS;
    while (!pattern.test(this.text)) {
      if (Date.now() > deadline || this.child.exitCode !== null) throw new Error(`no ${String(pattern)} in the console output:\n${this.text.slice(-3000)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const seen = this.text;
    this.text = '';
    return seen;
  }

  /** Runs a shell command and returns its output (the echoed command line and prompt removed). */
  async command(line: string): Promise<string> {
    this.child.stdin.write(`${line}\n`);
    const out = await this.waitFor(PROMPT);
    return out.replace(/\r/g, '').split('\n').slice(1, -1).join('\n');
  }

  /** Types `poweroff` and resolves with the CLI's exit code. */
  async poweroff(): Promise<number | null> {
    this.child.stdin.write('poweroff\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STEP_MS);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

describe.skipIf(!fwJump.available || !guestBuilt || !cliBuilt)('Linux with its root on a virtio disk (riscstation run --drive)', () => {
  const work = mkdtempSync(join(tmpdir(), 'linux-disk-'));
  const disk = join(work, 'root.ext4');
  if (guestBuilt) copyFileSync(join(guestDir, 'root.ext4'), disk);
  const scratch = join(work, 'scratch.img');
  writeFileSync(scratch, Buffer.concat([randomBytes(32 << 20), Buffer.alloc(64 << 20)]));
  const boot = (extra: string[] = []): Guest =>
    new Guest([
      '--bios',
      FW_JUMP,
      '--kernel',
      join(guestDir, 'Image'),
      '--initrd',
      join(guestDir, 'initramfs.cpio.gz'),
      '--append',
      'console=ttyS0 root=/dev/vda rw',
      '--mem',
      '256M',
      '--drive',
      disk,
      ...extra,
    ]);
  const guests: Guest[] = [];
  afterAll(() => {
    for (const g of guests) g.kill();
    rmSync(work, { recursive: true, force: true });
  });

  it('mounts ext4 from /dev/vda, reads /dev/hwrng and the host date, keeps a synced file across poweroff and a fresh boot on 4 harts, moves 32 MiB through /dev/vdb intact', async () => {
    const first = boot();
    guests.push(first);
    const log = await first.waitFor(PROMPT);
    expect(log).toMatch(/EXT4-fs \(vda\): mounted filesystem/);
    expect(await first.command('mount')).toMatch(/^\/dev\/vda on \/ type ext4 \(rw/m);
    const random = await first.command('cat /dev/hwrng | head -c 16 | od -An -tx1');
    const bytes = random.trim().split(/\s+/);
    expect(bytes).toHaveLength(16);
    for (const b of bytes) expect(b).toMatch(/^[0-9a-f]{2}$/);
    const guestSeconds = Number((await first.command('date +%s')).trim());
    expect(Math.abs(guestSeconds - Date.now() / 1000)).toBeLessThan(60);
    const token = `written-${process.pid}-${guestSeconds}`;
    expect(await first.command(`echo ${token} > /root/survivor && sync && echo done`)).toContain('done');
    expect(await first.poweroff()).toBe(0);

    // A fresh machine (a new process, now with 4 harts) on the same disk image: what was synced
    // is there. A scratch disk as /dev/vdb carries 32 MiB of random bytes through the guest and
    // back to the disk twice, the second time after the guest dropped its page cache; the host
    // checks the copies in the image file.
    const second = boot(['--smp', '4', '--drive', scratch]);
    guests.push(second);
    await second.waitFor(PROMPT);
    expect((await second.command('cat /root/survivor')).trim()).toBe(token);
    expect((await second.command('nproc')).trim()).toBe('4');
    const cpuinfo = await second.command('cat /proc/cpuinfo');
    expect(cpuinfo.match(/^processor\s*:/gm)).toHaveLength(4);
    expect(cpuinfo.match(/^isa\s*:\s*rv64imafdc/gm)).toHaveLength(4);
    // The guest copies region A (0..32 MiB, random bytes the host wrote) to B through its page
    // cache and the block layer, drops its caches, then copies B (now read from the disk) to C.
    const copy = (skip: number, seek: number): string => `dd if=/dev/vdb of=/dev/vdb bs=1M count=32 skip=${skip} seek=${seek} 2>&1 && sync`;
    expect(await second.command(copy(0, 32))).toMatch(/32\+0 records out/);
    expect(await second.command('echo 3 > /proc/sys/vm/drop_caches && echo dropped')).toContain('dropped');
    expect(await second.command(copy(32, 64))).toMatch(/32\+0 records out/);
    expect(await second.poweroff()).toBe(0);
    const image = readFileSync(scratch);
    const md5 = (from: number): string => createHash('md5').update(image.subarray(from << 20, (from + 32) << 20)).digest('hex');
    expect(md5(32)).toBe(md5(0));
    expect(md5(64)).toBe(md5(0));
  }, 360_000);

  it('refuses a missing, truncated or locked disk image before the guest starts (exit 2)', () => {
    const refuse = (image: string): { code: number | null; stderr: string } => {
      const r = spawnSync(process.execPath, [cli, 'run', '--bios', FW_JUMP, '--kernel', join(guestDir, 'Image'), '--drive', image], {
        input: '',
        encoding: 'latin1',
        timeout: 30_000,
      });
      expect(r.stdout).toBe('');
      return { code: r.status, stderr: r.stderr };
    };
    const missing = refuse(join(work, 'absent.img'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/absent\.img does not exist/);

    const short = join(work, 'short.img');
    writeFileSync(short, new Uint8Array(1000));
    const truncated = refuse(short);
    expect(truncated.code).toBe(2);
    expect(truncated.stderr).toMatch(/truncated/);

    // A lock file held by a running process (this test's) marks the disk in use by another VM.
    writeFileSync(`${disk}.lock`, `${process.pid}\n`);
    try {
      const locked = refuse(disk);
      expect(locked.code).toBe(2);
      expect(locked.stderr).toMatch(/in use by another running VM \(pid \d+/);
    } finally {
      rmSync(`${disk}.lock`, { force: true });
    }
  });
});
