/**
 * The threaded scheduler's device thread: the VM process's main thread owns the board (devices,
 * host I/O) and one hart thread per hart runs the interpreter (hart-thread.ts) over the same
 * shared guest memory.
 *
 * Fast paths (ARCHITECTURE.md §4): the CLINT, PLIC and UART keep their registers in the board's
 * shared fast-path state, and each hart thread serves its accesses to them itself (hart-thread.ts):
 * IPIs, timer interrupts, claim/complete and console polling never wait for this thread. Each hart
 * thread raises its own MTIP when its mtimecmp comes due. This thread drains the UART's TX ring to
 * the console, feeds host input into the UART, and serves the slow-path devices (virtio, RTC,
 * syscon, mrom) through the harts' MMIO mailbox slots from the event loop (Atomics.waitAsync on
 * the doorbell), a thread round trip (~16 µs here) per access. Interrupts its devices raise set
 * bits in the harts' shared state blocks and wake sleeping harts with Atomics.notify. The RTC
 * alarm, HTIF tohost and power requests are checked on a timer armed for the next deadline.
 */
import { S_ATTENTION, S_MIP_HW } from '../cpu/state.js';
import type { VirtMachine } from '../machine/virt.js';
import type { StopReason } from './inline.js';
import {
  C_GENERATION,
  C_PARKED,
  C_RUN,
  controlBytes,
  controlViews,
  F_RETIRED,
  mailboxBytes,
  MB_ADDR,
  MB_DONE,
  MB_DOORBELL,
  MB_HI,
  MB_LO,
  MB_OK,
  MB_OP,
  MB_REQUEST,
  MB_SERVER_WAITING,
  MB_SIZE,
  MB_STATE,
  RUN_EXIT,
  RUN_PAUSE,
  RUN_RUN,
  SharedGuestClock,
  SLOT_WORDS,
  TX_RING,
  txBase,
  type ControlViews,
  type HartThreadInit,
} from './threaded-layout.js';

/** A hart thread as the platform runs it (worker_threads on Node). */
export interface HartThreadHandle {
  terminate(): void;
}

/** Starts a hart thread; `onError` is called if its code throws (a crash of the VM). */
export type StartHartThread = (init: HartThreadInit, onError: (error: Error) => void) => HartThreadHandle;

type WaitAsync = (array: Int32Array, index: number, value: number, timeout?: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export interface ThreadedHooks {
  /** Timers of the device thread's event loop. */
  after(ms: number, fn: () => void): () => void;
  /** The guest stopped by itself (power-off, reboot handled inside, HTIF exit). */
  onStop(reason: StopReason): void;
  /** After device activity: flush console output etc. */
  onActivity(): void;
}

/** Creates the shared words before the board exists: its clock must read them. */
export function createThreadedShared(harts: number, wallMs: () => number) {
  const control = new SharedArrayBuffer(controlBytes(harts));
  const mailbox = new SharedArrayBuffer(mailboxBytes(harts));
  const views = controlViews(control, harts);
  return { control, mailbox, views, clock: new SharedGuestClock(views, wallMs) };
}

const SERVED_TX = 1;
const SERVED_REQUEST = 2;

/** Back-to-back serving passes before the device thread lets its event loop run. */
const BUSY_PASSES_PER_YIELD = 64;

export class ThreadedScheduler {
  private readonly ctl: ControlViews;
  private readonly mb: Int32Array;
  private readonly states: Int32Array[];
  private readonly threads: HartThreadHandle[] = [];
  private stopped = false;
  private cancelTimer: (() => void) | null = null;
  private serving = false;

  constructor(
    private readonly machine: VirtMachine,
    private readonly shared: ReturnType<typeof createThreadedShared>,
    private readonly hooks: ThreadedHooks,
    private readonly startThread: StartHartThread,
    private readonly onFatal: (error: Error) => void,
    private readonly cpuCapPercent: number,
  ) {
    this.ctl = shared.views;
    this.mb = new Int32Array(shared.mailbox);
    this.states = machine.harts.map((h) => h.s);
    this.mipBefore = new Int32Array(this.states.length);
  }

  /** Scratch: each hart's hardware mip word before a device poll. */
  private readonly mipBefore: Int32Array;

  /** Instructions retired by all harts. */
  get retired(): number {
    let sum = 0;
    for (let h = 0; h < this.states.length; h++) sum += this.ctl.f64[F_RETIRED + h];
    return sum;
  }

  start(): void {
    const m = this.machine;
    Atomics.store(this.ctl.i32, C_RUN, RUN_RUN);
    this.shared.clock.start();
    const devices = m.bus.mappings.map((d) => ({ name: d.name, base: d.base, size: d.size }));
    for (let h = 0; h < m.harts.length; h++) {
      const init: HartThreadInit = {
        hartId: h,
        harts: m.harts.length,
        ramBytes: m.memory.ramBytes,
        memory: m.memory.memory,
        control: this.shared.control,
        mailbox: this.shared.mailbox,
        devices,
        fastPathState: m.platform.fastPathState,
        sv48: (m.config.mmu ?? 'sv48') === 'sv48',
        resetPc: 0x1000,
        cpuCapPercent: this.cpuCapPercent,
      };
      this.threads.push(this.startThread(init, (error) => this.fail(error)));
    }
    void this.serveLoop();
    this.arm();
  }

  /** Parks every hart (state consistent, guest clock frozen). */
  async pause(): Promise<void> {
    Atomics.store(this.ctl.i32, C_RUN, RUN_PAUSE);
    for (const s of this.states) {
      Atomics.store(s, S_ATTENTION, 1);
      Atomics.notify(s, S_MIP_HW);
    }
    while (!this.stopped && Atomics.load(this.ctl.i32, C_PARKED) < this.states.length) {
      const seen = Atomics.load(this.ctl.i32, C_PARKED);
      if (seen >= this.states.length) break;
      const r = waitAsync(this.ctl.i32, C_PARKED, seen, 100);
      if (r.async) await r.value;
    }
    this.shared.clock.pause();
  }

  resume(): void {
    this.shared.clock.resume();
    for (const s of this.states) Atomics.store(s, S_ATTENTION, 0);
    Atomics.store(this.ctl.i32, C_RUN, RUN_RUN);
    Atomics.notify(this.ctl.i32, C_RUN);
    this.arm();
  }

  /** Reset button / guest reboot: park the harts, reset the board, let the harts reload their state. */
  async reset(): Promise<void> {
    const wasRunning = Atomics.load(this.ctl.i32, C_RUN) === RUN_RUN;
    await this.pause();
    this.drainTx();
    this.machine.reset();
    Atomics.add(this.ctl.i32, C_GENERATION, 1);
    if (wasRunning) this.resume();
  }

  /** Input and other host events that may have raised interrupts. */
  kick(): void {
    this.wakeHarts();
    this.arm();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTimer?.();
    Atomics.store(this.ctl.i32, C_RUN, RUN_EXIT);
    Atomics.notify(this.ctl.i32, C_RUN);
    for (const s of this.states) Atomics.notify(s, S_MIP_HW);
    Atomics.add(this.mb, MB_DOORBELL, 1);
    Atomics.notify(this.mb, MB_DOORBELL);
    for (const t of this.threads) t.terminate();
  }

  private fail(error: Error): void {
    if (this.stopped) return;
    this.stop();
    this.onFatal(error);
  }

  private wakeHarts(): void {
    for (const s of this.states) Atomics.notify(s, S_MIP_HW);
  }

  /** Serves mailbox requests and drains the TX ring whenever a hart rings the doorbell. */
  private async serveLoop(): Promise<void> {
    const mb = this.mb;
    const tail = txBase(this.states.length) + 1;
    let busy = 0;
    while (!this.stopped) {
      const seen = Atomics.load(mb, MB_DOORBELL);
      const served = this.serveAll();
      if (served !== 0) {
        this.afterActivity(served === SERVED_REQUEST);
        // A guest that keeps the ring or the mailbox busy (a tight print loop) must not starve the
        // event loop: host messages (pause, stop, input, stats) and timers get a turn regularly.
        if (++busy >= BUSY_PASSES_PER_YIELD) {
          busy = 0;
          await new Promise<void>((resolve) => this.hooks.after(0, resolve));
        }
        continue;
      }
      busy = 0;
      // Nothing to do: say so, then look at the TX ring once more (a hart that posted a byte
      // before it could see the flag did not ring).
      Atomics.store(mb, MB_SERVER_WAITING, 1);
      if (Atomics.load(mb, tail) !== Atomics.load(mb, tail - 1)) {
        Atomics.store(mb, MB_SERVER_WAITING, 0);
        continue;
      }
      const r = waitAsync(mb, MB_DOORBELL, seen);
      if (r.async) await r.value;
      Atomics.store(mb, MB_SERVER_WAITING, 0);
    }
  }

  /** Sends the bytes the guest wrote to THR to the console, in order. */
  private drainTx(): boolean {
    const mb = this.mb;
    const tx = txBase(this.states.length);
    const tail = Atomics.load(mb, tx + 1);
    let head = mb[tx];
    if (head === tail) return false;
    const out = this.machine.platform.options.serialOut;
    while (head !== tail) {
      out(mb[tx + 2 + (head & (TX_RING - 1))] & 0xff);
      head = (head + 1) | 0; // the counters wrap at 2^31 (Int32)
    }
    Atomics.store(mb, tx, head);
    Atomics.notify(mb, tx); // a hart may wait for room
    return true;
  }

  /** Drains the TX ring and serves pending mailbox requests: what it did (SERVED_*). */
  private serveAll(): number {
    const mb = this.mb;
    const bus = this.machine.bus;
    let served = 0;
    try {
      if (this.drainTx()) served = SERVED_TX;
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      return 0;
    }
    for (let h = 0; h < this.states.length; h++) {
      const s = SLOT_WORDS * (h + 1);
      if (Atomics.load(mb, s + MB_STATE) !== MB_REQUEST) continue;
      served = SERVED_REQUEST;
      const addr = mb[s + MB_ADDR] >>> 0;
      const size = mb[s + MB_SIZE];
      let ok = true;
      try {
        if (mb[s + MB_OP] === 0) {
          if (size === 8) {
            const r = bus.read64(addr);
            if (r === undefined) ok = false;
            else {
              mb[s + MB_LO] = r[0] | 0;
              mb[s + MB_HI] = r[1] | 0;
            }
          } else {
            const v = bus.read(addr, size as 1 | 2 | 4);
            if (v === undefined) ok = false;
            else mb[s + MB_LO] = v | 0;
          }
        } else if (size === 8) {
          ok = bus.write64(addr, mb[s + MB_LO] >>> 0, mb[s + MB_HI] >>> 0);
        } else {
          ok = bus.write(addr, size as 1 | 2 | 4, mb[s + MB_LO] >>> 0);
        }
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
        return 0;
      }
      mb[s + MB_OK] = ok ? 1 : 0;
      Atomics.store(mb, s + MB_STATE, MB_DONE);
      Atomics.notify(mb, s + MB_STATE);
    }
    return served;
  }

  private afterActivity(requests: boolean): void {
    // A slow-path device may have raised an interrupt (console bytes alone raise none here).
    if (requests) this.wakeHarts();
    this.hooks.onActivity();
    this.poll();
  }

  /** Time-driven devices and power requests; re-arms the timer for the next deadline. */
  private poll(): void {
    if (this.stopped) return;
    const m = this.machine;
    const before = this.mipBefore;
    for (let h = 0; h < this.states.length; h++) before[h] = Atomics.load(this.states[h], S_MIP_HW);
    m.updateDevices();
    // Wake only the harts whose interrupt lines the devices moved (the hart threads keep their own timers).
    for (let h = 0; h < this.states.length; h++) {
      if (Atomics.load(this.states[h], S_MIP_HW) !== before[h]) Atomics.notify(this.states[h], S_MIP_HW);
    }
    const stop = m.pollStop();
    if (stop) {
      if (stop.kind === 'reboot') {
        void this.reset().catch((error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))));
      } else {
        this.stop();
        this.hooks.onStop(stop);
        return;
      }
    }
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    this.cancelTimer?.();
    // The hart threads raise their own timer interrupts (CLINT, Sstc); here only the RTC alarm.
    // Poll at least every 100 ms (HTIF tohost lives in RAM: nothing rings for it).
    const alarmNs = this.machine.platform.rtc.nsUntilAlarm();
    const ms = alarmNs === Infinity ? 100 : Math.max(0, Math.min(100, alarmNs / 1e6));
    this.cancelTimer = this.hooks.after(Math.ceil(ms), () => {
      this.cancelTimer = null;
      this.poll();
    });
  }
}
