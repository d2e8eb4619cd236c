/**
 * One hart on its own thread (threaded scheduler): runs the interpreter in slices over the VM's
 * shared guest memory, sleeps in Atomics.wait while the hart waits for an interrupt, parks when
 * the device thread asks for a pause, and reaches devices through its MMIO mailbox slot.
 *
 * It blocks its thread (Atomics.wait), so it runs in a worker, never on an event loop that
 * must stay responsive.
 */
import { Hart } from '../cpu/hart.js';
import { S_MIP_HW } from '../cpu/state.js';
import { HartRunner } from '../machine/virt.js';
import { PhysicalBus } from '../memory/bus.js';
import type { MmioDevice } from '../memory/mmio.js';
import { GuestMemory } from '../memory/ram.js';
import {
  C_GENERATION,
  C_PARKED,
  C_RUN,
  controlViews,
  F_RETIRED,
  MB_ADDR,
  MB_DOORBELL,
  MB_HI,
  MB_IDLE,
  MB_LCR,
  MB_LO,
  MB_OP,
  MB_REQUEST,
  MB_SIZE,
  MB_STATE,
  RUN_EXIT,
  RUN_PAUSE,
  SharedGuestClock,
  SLOT_WORDS,
  TX_RING,
  txBase,
  type HartThreadInit,
} from './threaded-layout.js';

/** Instructions per slice: pause requests and interrupts raised by other threads are seen between slices. */
const SLICE = 20_000;

/** A device range whose accesses are served by the device thread. */
class MailboxDevice implements MmioDevice {
  constructor(
    private readonly mb: Int32Array,
    private readonly slot: number,
    private readonly base: number,
    private readonly control: Int32Array,
    /** UART0: THR writes are posted through this TX ring (Int32 index of its header), else -1. */
    private readonly tx = -1,
  ) {}

  private request(op: number, offset: number, size: number, lo: number, hi: number): void {
    const mb = this.mb;
    const s = this.slot;
    mb[s + MB_OP] = op;
    mb[s + MB_ADDR] = this.base + offset;
    mb[s + MB_SIZE] = size;
    mb[s + MB_LO] = lo;
    mb[s + MB_HI] = hi;
    Atomics.store(mb, s + MB_STATE, MB_REQUEST);
    Atomics.add(mb, MB_DOORBELL, 1);
    Atomics.notify(mb, MB_DOORBELL);
    while (Atomics.load(mb, s + MB_STATE) === MB_REQUEST) {
      if (Atomics.load(this.control, C_RUN) === RUN_EXIT) throw new HartThreadExit();
      Atomics.wait(mb, s + MB_STATE, MB_REQUEST, 1000);
    }
    Atomics.store(mb, s + MB_STATE, MB_IDLE);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    this.request(0, offset, size, 0, 0);
    return this.mb[this.slot + MB_LO] >>> 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    const tx = this.tx;
    if (tx >= 0) {
      const mb = this.mb;
      if (offset === 3) Atomics.store(mb, MB_LCR, value & 0xff);
      else if (offset === 0 && size === 1 && (Atomics.load(mb, MB_LCR) & 0x80) === 0) {
        const head = Atomics.load(mb, tx);
        const tail = mb[tx + 1];
        if (tail - head < TX_RING) {
          mb[tx + 2 + (tail % TX_RING)] = value & 0xff;
          Atomics.store(mb, tx + 1, tail + 1);
          Atomics.add(mb, MB_DOORBELL, 1);
          Atomics.notify(mb, MB_DOORBELL);
          return;
        }
      }
    }
    this.request(1, offset, size, value | 0, 0);
  }

  read64(offset: number): bigint {
    this.request(0, offset, 8, 0, 0);
    return (BigInt(this.mb[this.slot + MB_HI] >>> 0) << 32n) | BigInt(this.mb[this.slot + MB_LO] >>> 0);
  }

  write64(offset: number, value: bigint): void {
    this.request(1, offset, 8, Number(value & 0xffffffffn) | 0, Number((value >> 32n) & 0xffffffffn) | 0);
  }
}

class HartThreadExit extends Error {}

export interface HartThreadEnv {
  /** Milliseconds on a clock shared by every thread of the process (timeOrigin + now). */
  wallMs(): number;
}

/** Runs hart `init.hartId` until the device thread says exit. Throws on an internal error. */
export function runHartThread(init: HartThreadInit, env: HartThreadEnv): void {
  const memory = new GuestMemory({ ramBytes: init.ramBytes, harts: init.harts, memory: init.memory });
  const control = controlViews(init.control, init.harts);
  const ctl = control.i32;
  const mb = new Int32Array(init.mailbox);
  const bus = new PhysicalBus(memory);
  const slot = SLOT_WORDS * (init.hartId + 1);
  const tx = txBase(init.harts, init.hartId);
  for (const d of init.devices) bus.map(d.name, d.base, d.size, new MailboxDevice(mb, slot, d.base, ctl, d.name === 'uart0' ? tx : -1));
  const clock = new SharedGuestClock(control, env.wallMs);
  const hart = new Hart({ memory, bus, time: clock, hartId: init.hartId, sv39: true, sv48: init.sv48, resetPc: init.resetPc });
  const runner = new HartRunner(hart);
  const s = hart.s;
  const retired = control.f64;
  const cap = init.cpuCapPercent;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let generation = Atomics.load(ctl, C_GENERATION);

  try {
    for (;;) {
      const run = Atomics.load(ctl, C_RUN);
      if (run === RUN_EXIT) return;
      if (run === RUN_PAUSE) {
        Atomics.add(ctl, C_PARKED, 1);
        Atomics.notify(ctl, C_PARKED);
        while (Atomics.load(ctl, C_RUN) === RUN_PAUSE) Atomics.wait(ctl, C_RUN, RUN_PAUSE, 1000);
        Atomics.sub(ctl, C_PARKED, 1);
        const g = Atomics.load(ctl, C_GENERATION);
        if (g !== generation) {
          generation = g;
          hart.reloadState(); // the device thread reset the harts while we were parked
        }
        continue;
      }
      // Read the interrupt word before running: a change after this makes the WFI wait return at once.
      const mipSeen = Atomics.load(s, S_MIP_HW);
      const t0 = cap < 100 ? env.wallMs() : 0;
      const n = runner.run(SLICE);
      retired[F_RETIRED + init.hartId] += n;
      if (hart.waiting && n < SLICE) {
        const deadline = hart.timerDeadline();
        const ms = deadline === Infinity ? 1000 : Math.max(0, Math.min(1000, (deadline - clock.now()) / 10_000));
        if (ms > 0 && runner.isIdle()) Atomics.wait(s, S_MIP_HW, mipSeen, ms);
        continue;
      }
      if (cap < 100) {
        const busy = env.wallMs() - t0;
        const rest = (busy * (100 - cap)) / cap;
        if (rest > 0.05) Atomics.wait(nap, 0, 0, rest);
      }
    }
  } catch (error) {
    if (error instanceof HartThreadExit) return;
    throw error;
  }
}
