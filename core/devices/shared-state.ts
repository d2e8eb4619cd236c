/**
 * Device state that several threads may act on (threaded scheduler, ARCHITECTURE.md §4): the
 * CLINT, PLIC and UART keep their registers in a SharedArrayBuffer, and every thread that serves
 * them (the device thread and each hart thread) builds its own object over the same bytes. Each
 * device guards its registers with one lock word, so a register access is atomic with respect to
 * every other thread's, exactly as it is on one thread.
 *
 * The lock is a futex mutex (Drepper, "Futexes are tricky", mutex 2): 0 free, 1 held, 2 held with
 * waiters. Critical sections are a few dozen instructions that never block, so a contender spins
 * briefly before it sleeps in Atomics.wait (a holder may have been descheduled by the OS).
 */

/** Where a device's shared registers live: `bytes` bytes at `offset` (8-byte aligned) in `buffer`. */
export interface DeviceStore {
  readonly buffer: SharedArrayBuffer;
  readonly offset: number;
  /**
   * True for a second view of registers another object already owns and initialised (a hart
   * thread's): the constructor then leaves the bytes as they are.
   */
  readonly attach?: boolean;
}

/** A store of `bytes` fresh bytes, for a device used on one thread (unit tests, tools). */
export function privateStore(bytes: number): DeviceStore {
  return { buffer: new SharedArrayBuffer(align8(bytes)), offset: 0 };
}

export const align8 = (n: number): number => Math.ceil(n / 8) * 8;

const SPINS = 100;

/** Takes the lock in word `i` of `a`. */
export function lock(a: Int32Array, i: number): void {
  let c = Atomics.compareExchange(a, i, 0, 1);
  if (c === 0) return;
  for (let n = 0; n < SPINS; n++) {
    c = Atomics.compareExchange(a, i, 0, 1);
    if (c === 0) return;
  }
  if (c !== 2) c = Atomics.exchange(a, i, 2);
  while (c !== 0) {
    Atomics.wait(a, i, 2, 10);
    c = Atomics.exchange(a, i, 2);
  }
}

/** Releases the lock in word `i` of `a`, waking one waiter if there is one. */
export function unlock(a: Int32Array, i: number): void {
  if (Atomics.sub(a, i, 1) !== 1) {
    Atomics.store(a, i, 0);
    Atomics.notify(a, i, 1);
  }
}
