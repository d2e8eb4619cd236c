/**
 * The hypervisor tests' guests on the virt board in this thread (inline scheduler, instruction
 * time): they behave as on qemu-system-riscv64 -M virt -bios none.
 */
import { describe, expect, it } from 'vitest';
import { BootSession, file } from './boot-harness.js';
import { buildHypervisorGuest, gcc } from './hypervisor-guests.js';

describe.skipIf(!gcc.available)('hypervisor test guests on the virt board', () => {
  it('idle-echo services one UART interrupt after another (a PLIC claim read reaches the register) and powers off on Q', () => {
    const s = new BootSession({ memSize: 32 << 20, bios: null, kernel: file(buildHypervisorGuest('idle-echo')) });
    s.waitFor('idle-echo ready\r\n', 1e7);
    s.type('hello\r');
    s.waitFor('hello\r\n', 1e7);
    s.type('again\r');
    s.waitFor('again\r\n', 1e7);
    s.type('Q');
    expect(s.runToStop(1e7)).toEqual({ kind: 'poweroff', code: 0, failed: false });
  });

  it('smp-counter passes with 4 harts', () => {
    const s = new BootSession({ memSize: 32 << 20, bios: null, harts: 4, kernel: file(buildHypervisorGuest('smp-counter', { NHARTS: 4, ITERS: 5000 })) });
    s.waitFor('SMP PASS', 1e8);
    expect(s.runToStop(1e7)).toEqual({ kind: 'poweroff', code: 0, failed: false });
  });
});
