/**
 * One hart on its own thread (threaded scheduler): runs the interpreter in slices over the VM's
 * shared guest memory, sleeps in Atomics.wait while the hart waits for an interrupt, parks when
 * the device thread asks for a pause.
 *
 * Devices: the CLINT, PLIC and UART0 are served here, on the board's shared fast-path state
 * (ARCHITECTURE.md §4): this thread has its own Clint, Plic and Uart16550 over the same registers
 * as the device thread's, with interrupt lines that set any hart's mip bits and wake it. Bytes the
 * guest writes to THR go to the TX ring the device thread drains. Every other device is reached
 * through this hart's MMIO mailbox slot, served by the device thread.
 *
 * Timers: this thread raises its own MTIP when mtime passes its mtimecmp (checked between slices)
 * and sleeps in WFI until that deadline (or Sstc's), so timer interrupts never need the device
 * thread. It blocks its thread (Atomics.wait), so it runs in a worker, never on an event loop that
 * must stay responsive.
 */
import { Hart } from '../cpu/hart.js';
import { S_END, S_MIP_HW, setHartInterruptLevel } from '../cpu/state.js';
import { CLINT_MTIME, CLINT_MTIMECMP } from '../devices/clint.js';
import type { Uart16550 } from '../devices/uart16550.js';
import { MIP_MEIP, MIP_MSIP, MIP_MTIP, MIP_SEIP } from '../machine/memmap.js';
import { attachFastPathDevices, type FastPathDevices, type HartIrqInputs } from '../machine/virt-devices.js';
import { HartRunner } from '../machine/virt.js';
import { PhysicalBus } from '../memory/bus.js';
import type { IrqLine, MmioDevice } from '../memory/mmio.js';
import { GuestMemory, HART_STATE_BYTES } from '../memory/ram.js';
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
  MB_LO,
  MB_OP,
  MB_REQUEST,
  MB_SERVER_WAITING,
  MB_SIZE,
  MB_STATE,
  RUN_EXIT,
  RUN_PAUSE,
  SharedGuestClock,
  SLOT_WORDS,
  TX_RING,
  TX_SLACK,
  txBase,
  type HartThreadInit,
} from './threaded-layout.js';

/** Instructions per slice: pause requests and interrupts raised by other threads are seen between slices. */
const SLICE = 20_000;

class HartThreadExit extends Error {}

/** A device range whose accesses are served by the device thread. */
class MailboxDevice implements MmioDevice {
  constructor(
    private readonly mb: Int32Array,
    private readonly slot: number,
    private readonly base: number,
    private readonly control: Int32Array,
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

/** The UART TX ring's producer side: bytes the guest writes to THR, in order, for the device thread. */
class TxRing {
  private readonly head: number;
  private readonly tail: number;

  constructor(
    private readonly mb: Int32Array,
    harts: number,
    private readonly control: Int32Array,
  ) {
    this.head = txBase(harts);
    this.tail = this.head + 1;
  }

  /** Called by the UART under its lock: there is room (see waitForRoom). */
  readonly post = (byte: number): void => {
    const mb = this.mb;
    const tail = mb[this.tail];
    // Free-running Int32 counters: they wrap at 2^31, so index with a mask and count with | 0.
    mb[this.tail + 1 + (tail & (TX_RING - 1))] = byte;
    Atomics.store(mb, this.tail, (tail + 1) | 0);
    if (Atomics.load(mb, MB_SERVER_WAITING) !== 0) this.ring();
  };

  /** Waits (outside the UART's lock) until the ring has room for every hart's next byte. */
  waitForRoom(): void {
    const mb = this.mb;
    for (;;) {
      const head = Atomics.load(mb, this.head);
      if (((Atomics.load(mb, this.tail) - head) | 0) <= TX_RING - TX_SLACK) return;
      if (Atomics.load(this.control, C_RUN) === RUN_EXIT) throw new HartThreadExit();
      this.ring();
      Atomics.wait(mb, this.head, head, 100);
    }
  }

  private ring(): void {
    Atomics.add(this.mb, MB_DOORBELL, 1);
    Atomics.notify(this.mb, MB_DOORBELL);
  }
}

/** UART0 in the hart thread: a THR write first waits for room in the TX ring. */
class UartFastPath implements MmioDevice {
  constructor(
    private readonly uart: Uart16550,
    private readonly tx: TxRing,
  ) {}

  read(offset: number, size: 1 | 2 | 4): number {
    return this.uart.read(offset, size);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset === 0 && this.uart.thrSelected) this.tx.waitForRoom();
    this.uart.write(offset, size, value);
  }
}

/**
 * The CLINT in the hart thread. A write that moves another hart's timer deadline (its mtimecmp,
 * or mtime for every hart) wakes that hart so it recomputes how long it may sleep.
 */
class ClintFastPath implements MmioDevice {
  constructor(
    private readonly fast: FastPathDevices,
    private readonly blocks: readonly Int32Array[],
    private readonly self: number,
  ) {}

  read(offset: number, size: 1 | 2 | 4): number {
    return this.fast.clint.read(offset, size);
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.fast.clint.write(offset, size, value);
    this.wake(offset);
  }

  read64(offset: number): bigint {
    return this.fast.clint.read64(offset);
  }

  write64(offset: number, value: bigint): void {
    this.fast.clint.write64(offset, value);
    this.wake(offset);
  }

  private wake(offset: number): void {
    if (offset >= CLINT_MTIME) {
      for (let h = 0; h < this.blocks.length; h++) if (h !== this.self) Atomics.notify(this.blocks[h], S_MIP_HW);
    } else if (offset >= CLINT_MTIMECMP) {
      const h = (offset - CLINT_MTIMECMP) >> 3;
      if (h < this.blocks.length && h !== this.self) Atomics.notify(this.blocks[h], S_MIP_HW);
    }
  }
}

export interface HartThreadEnv {
  /** Milliseconds on a clock shared by every thread of the process (timeOrigin + now). */
  wallMs(): number;
}

/** Runs hart `init.hartId` until the device thread says exit. Throws on an internal error. */
export function runHartThread(init: HartThreadInit, env: HartThreadEnv): void {
  const id = init.hartId;
  const memory = new GuestMemory({ ramBytes: init.ramBytes, harts: init.harts, memory: init.memory });
  const control = controlViews(init.control, init.harts);
  const ctl = control.i32;
  const mb = new Int32Array(init.mailbox);
  const bus = new PhysicalBus(memory);
  const slot = SLOT_WORDS * (id + 1);
  const clock = new SharedGuestClock(control, env.wallMs);
  const blocks: Int32Array[] = [];
  for (let h = 0; h < init.harts; h++) blocks.push(new Int32Array(memory.buffer, memory.hartStateOffset(h), S_END));

  // Interrupt inputs of every hart as this thread drives them: another hart's bits are set with
  // Atomics and a rising line wakes it; our own go through the Hart, which re-checks at once.
  let hart: Hart | null = null;
  const line = (h: number, mask: number): IrqLine =>
    h === id
      ? { set: (level: boolean) => (hart ? hart.setInterruptLevel(mask, level) : setHartInterruptLevel(blocks[h], mask, level)) }
      : {
          set: (level: boolean) => {
            setHartInterruptLevel(blocks[h], mask, level);
            if (level) Atomics.notify(blocks[h], S_MIP_HW);
          },
        };
  const hartIrqs: HartIrqInputs[] = blocks.map((_, h) => ({
    msip: line(h, 1 << MIP_MSIP),
    mtip: line(h, 1 << MIP_MTIP),
    meip: line(h, 1 << MIP_MEIP),
    seip: line(h, 1 << MIP_SEIP),
  }));
  const tx = new TxRing(mb, init.harts, ctl);
  const fast = attachFastPathDevices({ harts: init.harts, clock, hartIrqs, serialOut: tx.post, state: init.fastPathState });
  const clint = fast.clint;
  for (const d of init.devices) {
    let device: MmioDevice;
    if (d.name === 'clint') device = new ClintFastPath(fast, blocks, id);
    else if (d.name === 'plic') device = fast.plic;
    else if (d.name === 'uart0') device = new UartFastPath(fast.uart, tx);
    else device = new MailboxDevice(mb, slot, d.base, ctl);
    bus.map(d.name, d.base, d.size, device);
  }

  // The device thread reset this hart's state block; constructing a Hart resets it again, so keep
  // the block as it was and then drive our interrupt inputs from the devices' registers (a line
  // raised before this thread existed, e.g. the boot hart's IPI, must not be lost).
  const off = memory.hartStateOffset(id);
  const saved = memory.u8.slice(off, off + HART_STATE_BYTES);
  const h0 = new Hart({ memory, bus, time: clint.timeSource, hartId: id, sv39: true, sv48: init.sv48, resetPc: init.resetPc });
  memory.u8.set(saved, off);
  h0.reloadState();
  hart = h0;
  const resync = (): void => {
    clint.resyncHart(id);
    fast.plic.resyncContexts(2 * id, 2);
  };
  resync();

  const runner = new HartRunner(h0);
  const s = h0.s;
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
          h0.reloadState(); // the device thread reset the harts while we were parked
          resync();
        }
        continue;
      }
      clint.updateHart(id);
      // Read the interrupt word before running: a change after this makes the WFI wait return at once.
      const mipSeen = Atomics.load(s, S_MIP_HW);
      const t0 = cap < 100 ? env.wallMs() : 0;
      const n = runner.run(SLICE);
      retired[F_RETIRED + id] += n;
      if (h0.waiting && n < SLICE) {
        clint.updateHart(id);
        const now = clint.mtime();
        let deadline = clint.hartDeadline(id);
        const sstc = h0.timerDeadline();
        if (sstc > now && sstc < deadline) deadline = sstc;
        const ms = deadline === Infinity ? 1000 : Math.max(0, Math.min(1000, (deadline - now) / 10_000));
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
