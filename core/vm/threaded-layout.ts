/**
 * The shared words between the device thread and the hart threads of one VM (threaded
 * scheduler). Besides guest memory (RAM + hart state blocks, core/memory/ram.ts) the threads
 * share two small SharedArrayBuffers:
 *
 *   control   Int32 words: RUN (run / pause / exit), PARKED (harts parked for a pause),
 *             GENERATION (bumped when the device thread rewrote hart state: reset)
 *             Float64 slots: the guest clock's epoch and pause bookkeeping, and each hart's
 *             retired-instruction count
 *   mailbox   one MMIO request slot per hart plus a doorbell word: a hart that touches a device
 *             writes its request, rings the doorbell and waits; the device thread serves it on
 *             the real bus and wakes the hart
 */

export const RUN_RUN = 0;
export const RUN_PAUSE = 1;
export const RUN_EXIT = 2;

/** Int32 indexes in `control`. */
export const C_RUN = 0;
export const C_PARKED = 1;
export const C_GENERATION = 2;
/** Float64 indexes in `control` (after the Int32 header of 16 bytes... 64 bytes). */
const F_BASE_BYTES = 64;
export const F_EPOCH = 0;
export const F_PAUSED_TOTAL = 1;
export const F_PAUSED_AT = 2;
export const F_RETIRED = 4; // + hart id

export function controlBytes(harts: number): number {
  return F_BASE_BYTES + (F_RETIRED + harts) * 8;
}

export interface ControlViews {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
}

export function controlViews(buffer: SharedArrayBuffer, harts: number): ControlViews {
  return { i32: new Int32Array(buffer, 0, F_BASE_BYTES / 4), f64: new Float64Array(buffer, F_BASE_BYTES, F_RETIRED + harts) };
}

/** Mailbox: word 0 is the doorbell; hart h's slot starts at SLOT_WORDS * (h + 1). */
export const MB_DOORBELL = 0;
export const SLOT_WORDS = 8;
export const MB_STATE = 0; // 0 idle, 1 request, 2 done
export const MB_OP = 1; // 0 read, 1 write
export const MB_ADDR = 2;
export const MB_SIZE = 3;
export const MB_LO = 4;
export const MB_HI = 5;
export const MB_OK = 6;
export const MB_IDLE = 0;
export const MB_REQUEST = 1;
export const MB_DONE = 2;

/**
 * UART transmit fast path: a write to UART0's THR (DLAB clear) does not wait for the device
 * thread; the byte goes into the hart's TX ring, drained in order before that hart's next
 * request is served. MB_LCR mirrors the UART's LCR as written by any hart (DLAB decides whether
 * offset 0 is THR or the divisor latch).
 */
export const MB_LCR = 1;
export const TX_RING = 256;
/** Int32 index of hart h's TX ring header: [head, tail], then TX_RING byte slots. */
export function txBase(harts: number, h: number): number {
  return SLOT_WORDS * (harts + 1) + h * (TX_RING + 2);
}

export function mailboxBytes(harts: number): number {
  return (SLOT_WORDS * (harts + 1) + harts * (TX_RING + 2)) * 4;
}

/**
 * The guest's clock as every thread sees it: 10 MHz ticks of host time since the VM started,
 * standing still while the VM is paused. `now` is a millisecond clock shared by all threads
 * (performance.timeOrigin + performance.now()).
 */
export class SharedGuestClock {
  constructor(
    private readonly control: ControlViews,
    private readonly wallMs: () => number,
  ) {}

  now(): number {
    const f = this.control.f64;
    const pausedAt = f[F_PAUSED_AT];
    const t = pausedAt > 0 ? pausedAt : this.wallMs();
    return Math.floor((t - f[F_EPOCH] - f[F_PAUSED_TOTAL]) * 10_000);
  }

  start(): void {
    this.control.f64[F_EPOCH] = this.wallMs();
  }

  pause(): void {
    const f = this.control.f64;
    if (!(f[F_PAUSED_AT] > 0)) f[F_PAUSED_AT] = this.wallMs();
  }

  resume(): void {
    const f = this.control.f64;
    if (f[F_PAUSED_AT] > 0) {
      f[F_PAUSED_TOTAL] += this.wallMs() - f[F_PAUSED_AT];
      f[F_PAUSED_AT] = 0;
    }
  }
}

/** What a hart thread gets when it starts (structured-clone friendly). */
export interface HartThreadInit {
  readonly hartId: number;
  readonly harts: number;
  readonly ramBytes: number;
  readonly memory: WebAssembly.Memory;
  readonly control: SharedArrayBuffer;
  readonly mailbox: SharedArrayBuffer;
  /** The board's device ranges: every access there goes through the mailbox. */
  readonly devices: readonly { readonly name: string; readonly base: number; readonly size: number }[];
  readonly sv48: boolean;
  readonly resetPc: number;
  readonly cpuCapPercent: number;
}
