/**
 * Self-checking privileged test programs (tests/guests/priv/*.S) on one hart, and the same
 * binaries on qemu-system-riscv64 -M virt -bios none: each program must pass on both, and every
 * value it prints must match QEMU's except those labelled '~' (documented QEMU 7.2 differences).
 */
import { describe, expect, it } from 'vitest';
import { buildGuest, gcc, nm, objcopy, qemuSystem, runGuest, runOnQemu, type BuiltGuest } from './guest-harness.js';

const PROGRAMS = ['traps', 'interrupts', 'vm', 'pmp', 'misc'] as const;

function values(uart: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of uart.split('\n')) {
    const eq = line.lastIndexOf('=');
    if (eq > 0) m.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return m;
}

const comparable = (uart: string): string[] =>
  uart.split('\n').filter((l) => l !== '' && !l.startsWith('~'));

describe.skipIf(!gcc.available || !objcopy.available || !nm.available)('privileged guest programs', () => {
  const built = new Map<string, BuiltGuest>();
  const guest = (name: string): BuiltGuest => {
    let g = built.get(name);
    if (g === undefined) {
      g = buildGuest(new URL(`../../../guests/priv/${name}.S`, import.meta.url).pathname);
      built.set(name, g);
    }
    return g;
  };

  for (const name of PROGRAMS) {
    it(`${name}.S passes on the hart`, () => {
      const r = runGuest(guest(name));
      expect(r.uart).not.toContain('unexpected');
      expect(r.exitCode, r.uart).toBe(0);
    });
  }

  it('traps.S: spec values where QEMU 7.2 differs', () => {
    const v = values(runGuest(guest('traps')).uart);
    const get = (prefix: string): string | undefined => [...v.entries()].find(([k]) => k.startsWith(prefix))?.[1];
    expect(get('~medeleg')).toBe('000000000000bbff');
    expect(get('~mideleg')).toBe('0000000000000222');
    expect(get('~mie')).toBe('0000000000000aaa');
    expect(get('~mepc after writing 1')).toBe('0000000000000000');
  });

  it('interrupts.S: simultaneous interrupts are taken in the spec order MSI, SEI, SSI, STI', () => {
    const v = values(runGuest(guest('interrupts')).uart);
    const order = ['~first', '~second', '~third', '~fourth'].map(
      (p) => [...v.entries()].find(([k]) => k.startsWith(p))?.[1],
    );
    expect(order).toEqual(['8000000000000003', '8000000000000009', '8000000000000001', '8000000000000005']);
  });

  describe.skipIf(!qemuSystem.available)('against qemu-system-riscv64', () => {
    for (const name of PROGRAMS) {
      it(`${name}.S passes on QEMU and prints the same values`, () => {
        const g = guest(name);
        const q = runOnQemu(g);
        expect(q.exitCode, q.uart).toBe(0);
        expect(comparable(runGuest(g).uart)).toEqual(comparable(q.uart));
      });
    }
  });
});
