/**
 * The shared words between the device thread and the hart threads of one VM (threaded
 * scheduler). Besides guest memory (RAM + hart state blocks, core/memory/ram.ts) the threads
 * share two small SharedArrayBuffers:
 *
 *   control   Int32 words: RUN (run / pause / exit), PARKED (harts parked for a pause),
 *             GENERATION (bumped when the device thread rewrote hart state: reset)
 *             Float64 slots: the guest clock's epoch and pause bookkeeping, and each hart's
 *             retired-instruction count
 *   mailbox   one MMIO request slot per hart plus a doorbell word: a hart that touches a
 *             slow-path device (virtio, RTC, syscon, mrom) writes its request, rings the doorbell
 *             and waits; the device thread serves it on the real bus and wakes the hart. Then the
 *             UART's TX ring: bytes the guest wrote to THR on any hart, in order.
 *
 * The fast-path devices (CLINT, PLIC, UART registers) are not here: they live in the board's
 * shared fast-path state (VirtPlatform.fastPathState), which every hart thread acts on directly.
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
 * Set by the device thread while it waits for the doorbell with nothing to do: a hart that posts
 * a TX byte rings the doorbell only then (Dekker: the hart stores the tail then reads this word,
 * the device thread stores this word then reads the tail, so one of them sees the other).
 */
export const MB_SERVER_WAITING = 1;

/**
 * UART transmit ring: the bytes the guest writes to THR (posted by the hart threads' UARTs under
 * the UART's lock, so in the order the guest wrote them), drained by the device thread. Words:
 * [head, tail] (free-running counters), then TX_RING byte slots. A hart waits for room when fewer
 * than TX_SLACK slots are free (every hart may be between its check and its write).
 */
/** A power of two: slots are indexed with a mask. */
export const TX_RING = 4096;
export const TX_SLACK = 16;
/** Int32 index of the TX ring header. */
export function txBase(harts: number): number {
  return SLOT_WORDS * (harts + 1);
}

export function mailboxBytes(harts: number): number {
  return (txBase(harts) + 2 + TX_RING) * 4;
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
  /** The board's device ranges: accesses go through the mailbox, except to the fast-path devices. */
  readonly devices: readonly { readonly name: string; readonly base: number; readonly size: number }[];
  /** The board's fast-path device state (VirtPlatform.fastPathState): CLINT, PLIC and UART0 are served in the hart thread. */
  readonly fastPathState: { readonly buffer: SharedArrayBuffer; readonly offset: number };
  readonly sv48: boolean;
  readonly resetPc: number;
  readonly cpuCapPercent: number;
}
