/**
 * SiFive test finisher (sifive,test1 + syscon), as on QEMU's virt board: a 32-bit write at offset 0
 * whose low half is 0x5555 (pass) or 0x3333 (fail) powers the machine off with exit code
 * `value >> 16`; 0x7777 resets it. Linux's syscon-poweroff/syscon-reboot and OpenSBI use it.
 */
import type { MmioDevice } from '../memory/mmio.js';

export const SIFIVE_TEST_SIZE = 0x1000;
export const FINISHER_FAIL = 0x3333;
export const FINISHER_PASS = 0x5555;
export const FINISHER_RESET = 0x7777;

/** What the guest asked the board to do. */
export type PowerRequest =
  | { readonly action: 'poweroff'; readonly code: number; readonly failed: boolean }
  | { readonly action: 'reboot' };

export interface SifiveTestState {
  readonly kind: 'sifive-test';
  readonly version: 1;
}

export class SifiveTest implements MmioDevice {
  constructor(private readonly onRequest: (request: PowerRequest) => void) {}

  read(_offset: number, _size: 1 | 2 | 4): number {
    return 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    // QEMU accepts 2- and 4-byte writes; OpenSBI's sifive_test driver writes 16 bits (writew).
    if (offset !== 0 || size === 1) return;
    if (size === 2) value &= 0xffff;
    const status = value & 0xffff;
    const code = value >>> 16;
    if (status === FINISHER_PASS) this.onRequest({ action: 'poweroff', code, failed: false });
    else if (status === FINISHER_FAIL) this.onRequest({ action: 'poweroff', code, failed: true });
    else if (status === FINISHER_RESET) this.onRequest({ action: 'reboot' });
  }

  /** The finisher has no state of its own; saved for uniformity with the other devices. */
  save(): SifiveTestState {
    return { kind: 'sifive-test', version: 1 };
  }

  restore(state: SifiveTestState): void {
    if (state.kind !== 'sifive-test' || state.version !== 1) throw new Error(`sifive,test: cannot restore state ${state.kind} v${state.version}`);
  }
}
