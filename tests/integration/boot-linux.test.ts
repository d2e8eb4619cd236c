/**
 * Linux 6.1 (the busybox guest built by `npm run guests` from Debian sources) boots on our virt
 * board under Debian's OpenSBI to a shell, from its initramfs (no disk): the board's interrupt
 * wiring (PLIC, Sstc timer, UART RX interrupts), RTC and power-off under a real OS.
 * In-process, instruction-counted time.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LINUX_GUEST_DIR, linuxGuestBuilt } from '../helpers/linux-guest.js';
import { oracleFile } from '../helpers/oracles.js';
import { BootSession, FW_JUMP, file } from './boot-harness.js';

const fwJump = oracleFile(FW_JUMP, 'opensbi');
const guestDir = LINUX_GUEST_DIR;
const guestBuilt = linuxGuestBuilt;
if (!guestBuilt) console.warn('[skip] the Linux guest is not built: run npm run guests (node scripts/build-guests.mjs)');

/** The shell prompt (PS1 'root@riscstation:\\w# '). */
const PROMPT = /root@riscstation:\S*# /;

describe.skipIf(!fwJump.available || !guestBuilt)('Linux on the virt board', () => {
  it('boots to a busybox shell on ttyS0, answers commands typed on the UART and powers off', () => {
    const session = new BootSession({
      memSize: 256 << 20,
      bios: file(FW_JUMP),
      kernel: file(join(guestDir, 'Image')),
      initrd: file(join(guestDir, 'initramfs.cpio.gz')),
      append: 'console=ttyS0 noroot',
      budget: 4e9,
    });
    const log = session.waitFor(PROMPT);
    expect(log).toMatch(/Linux version 6\.1/);
    expect(log).toMatch(/plic@c000000: mapped 95 interrupts with 1 handlers for 2 contexts/);
    expect(log).toMatch(/ttyS0 at MMIO 0x10000000 .* is a 16550A/);
    expect(log).toMatch(/goldfish_rtc 101000\.rtc: registered as rtc0/);
    expect(log).toContain('Timer interrupt in S-mode is available via sstc extension');

    const command = (line: string): string => {
      session.type(`${line}\n`);
      return session.waitFor(PROMPT);
    };
    expect(command('uname -m')).toContain('riscv64');
    const irqs = command('cat /proc/interrupts');
    // The serial line's interrupt count: typed input arrives through PLIC source 10.
    const uart = /^\s*\d+:\s+(\d+)\s+SiFive PLIC\s+10\s/m.exec(irqs);
    expect(uart, irqs).not.toBeNull();
    expect(Number(uart![1])).toBeGreaterThan(0);
    expect(command('echo $((6 * 7))')).toContain('\n42');

    session.type('poweroff -f\n');
    expect(session.runToStop()).toEqual({ kind: 'poweroff', code: 0, failed: false });
  }, 1_200_000);
});
