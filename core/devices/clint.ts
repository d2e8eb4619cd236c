/**
 * CLINT / ACLINT (SiFive layout as on QEMU's virt board): MSWI (msip per hart at 0x0),
 * MTIMER (mtimecmp per hart at 0x4000, mtime at 0xbff8). mtime ticks at 10 MHz from a TimeSource.
 *
 * The CLINT drives each hart's MSIP and MTIP through IrqLines (the board wires them to the hart).
 * MTIP is re-evaluated when mtimecmp or mtime is written and whenever the scheduler calls `update()`
 * (or `updateHart(h)`); `nextDeadline()` / `hartDeadline(h)` tell a scheduler how long a WFI may sleep.
 *
 * The registers live in a DeviceStore (shared-state.ts): the threaded scheduler gives every hart
 * thread its own Clint over the same bytes, with lines that reach every hart, so msip, mtimecmp and
 * mtime writes take effect without the device thread. All of them share one clock (the time source
 * must read the same on every thread) and the mtime offset a guest write to mtime sets.
 */
import type { TimeSource } from '../common/clock.js';
import type { IrqLine, MmioDevice } from '../memory/mmio.js';
import { align8, lock, privateStore, unlock, type DeviceStore } from './shared-state.js';

export const CLINT_MSIP = 0x0;
export const CLINT_MTIMECMP = 0x4000;
export const CLINT_MTIME = 0xbff8;
export const CLINT_SIZE = 0x10000;

const TWO32 = 0x1_0000_0000;

/** Saved CLINT state (mtime itself comes from the TimeSource; only its offset is ours). */
export interface ClintState {
  readonly kind: 'clint';
  readonly version: 1;
  readonly msip: number[];
  /** mtimecmp per hart as decimal strings (64-bit values). */
  readonly mtimecmp: string[];
  /** mtime minus the time source's now(), as a decimal string (nonzero only after the guest wrote mtime). */
  readonly mtimeOffset: string;
}

export interface ClintHartLines {
  readonly msip: IrqLine;
  readonly mtip: IrqLine;
}

// Shared layout: Int32 words [lock, seq], then per hart msip, MTIP level, mtimecmp lo, hi;
// then Float64: the mtime offset and each hart's mtimecmp as a number.
const W_LOCK = 0;
/** Seqlock over the mtime offset: odd while a writer changes it. */
const W_SEQ = 1;
const W_HARTS = 2;

/** Bytes of shared state a CLINT with `harts` harts needs. */
export function clintStateBytes(harts: number): number {
  return align8((W_HARTS + 4 * harts) * 4) + (1 + harts) * 8;
}

export class Clint implements MmioDevice {
  readonly harts: number;
  private readonly w: Int32Array;
  /** msip bits: w[msip + h]. */
  private readonly msip: number;
  private readonly mtip: number;
  /** mtimecmp halves: w[cmp + 2h], w[cmp + 2h + 1]. */
  private readonly cmp: number;
  /** [0] mtime offset, [1 + h] mtimecmp as a double (exact below 2^53; Infinity above, where no mtime reaches it). */
  private readonly f: Float64Array;
  private readonly lines: readonly ClintHartLines[];
  private readonly clock: TimeSource;

  constructor(clock: TimeSource, lines: readonly ClintHartLines[], store: DeviceStore = privateStore(clintStateBytes(lines.length))) {
    this.clock = clock;
    this.lines = lines;
    const harts = lines.length;
    this.harts = harts;
    const ints = align8((W_HARTS + 4 * harts) * 4);
    this.w = new Int32Array(store.buffer, store.offset, ints / 4);
    this.f = new Float64Array(store.buffer, store.offset + ints, 1 + harts);
    this.msip = W_HARTS;
    this.mtip = W_HARTS + harts;
    this.cmp = W_HARTS + 2 * harts;
    if (!store.attach) {
      this.w.fill(0);
      this.w.fill(-1, this.cmp, this.cmp + 2 * harts);
      this.f.fill(Infinity);
      this.f[0] = 0;
    }
  }

  /** Current mtime (10 MHz ticks), as the guest sees it. */
  mtime(): number {
    return this.clock.now() + this.offset();
  }

  /** A TimeSource that includes guest writes to mtime (feed it to the harts' `time` CSR). */
  readonly timeSource: TimeSource = { now: () => this.mtime() };

  private offset(): number {
    const w = this.w;
    for (;;) {
      const s = Atomics.load(w, W_SEQ);
      const v = this.f[0];
      if ((s & 1) === 0 && Atomics.load(w, W_SEQ) === s) return v;
    }
  }

  private setOffset(v: number): void {
    Atomics.add(this.w, W_SEQ, 1);
    this.f[0] = v;
    Atomics.add(this.w, W_SEQ, 1);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset < CLINT_MTIMECMP) {
      const hart = offset >> 2;
      if (hart < this.harts && (offset & 3) === 0) return Atomics.load(this.w, this.msip + hart);
      return 0;
    }
    if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8) {
      return this.slice(this.mtime(), offset - CLINT_MTIME, size);
    }
    if (offset < CLINT_MTIMECMP + 8 * this.harts) {
      const rel = offset - CLINT_MTIMECMP;
      const hart = rel >> 3;
      const byte = rel & 7;
      lock(this.w, W_LOCK);
      const lo = this.w[this.cmp + 2 * hart] >>> 0;
      const hi = this.w[this.cmp + 2 * hart + 1] >>> 0;
      unlock(this.w, W_LOCK);
      const word = byte < 4 ? lo : hi;
      const shift = (byte & 3) * 8;
      const v = word >>> shift;
      return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
    }
    return 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset < CLINT_MTIMECMP) {
      const hart = offset >> 2;
      if (hart < this.harts && (offset & 3) === 0) this.setMsip(hart, value & 1);
      return;
    }
    if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8) {
      lock(this.w, W_LOCK);
      const now = this.clock.now();
      const next = mergeBytes(BigInt(now + this.f[0]), offset - CLINT_MTIME, size, value);
      this.setOffset(Number(next) - now);
      this.updateLocked();
      unlock(this.w, W_LOCK);
      return;
    }
    if (offset < CLINT_MTIMECMP + 8 * this.harts) {
      const rel = offset - CLINT_MTIMECMP;
      const hart = rel >> 3;
      lock(this.w, W_LOCK);
      const cur = BigInt(this.w[this.cmp + 2 * hart] >>> 0) | (BigInt(this.w[this.cmp + 2 * hart + 1] >>> 0) << 32n);
      this.setCmpLocked(hart, mergeBytes(cur, rel & 7, size, value));
      unlock(this.w, W_LOCK);
    }
  }

  read64(offset: number): bigint {
    if (offset === CLINT_MTIME) return BigInt(this.mtime());
    const rel = offset - CLINT_MTIMECMP;
    if (rel >= 0 && rel < 8 * this.harts && (rel & 7) === 0) {
      const hart = rel >> 3;
      lock(this.w, W_LOCK);
      const v = BigInt(this.w[this.cmp + 2 * hart] >>> 0) | (BigInt(this.w[this.cmp + 2 * hart + 1] >>> 0) << 32n);
      unlock(this.w, W_LOCK);
      return v;
    }
    return BigInt(this.read(offset, 4)) | (BigInt(this.read(offset + 4, 4)) << 32n);
  }

  write64(offset: number, value: bigint): void {
    const rel = offset - CLINT_MTIMECMP;
    if (rel >= 0 && rel < 8 * this.harts && (rel & 7) === 0) {
      lock(this.w, W_LOCK);
      this.setCmpLocked(rel >> 3, BigInt.asUintN(64, value));
      unlock(this.w, W_LOCK);
      return;
    }
    if (offset === CLINT_MTIME) {
      lock(this.w, W_LOCK);
      this.setOffset(Number(BigInt.asUintN(64, value)) - this.clock.now());
      this.updateLocked();
      unlock(this.w, W_LOCK);
      return;
    }
    this.write(offset, 4, Number(value & 0xffffffffn));
    this.write(offset + 4, 4, Number((value >> 32n) & 0xffffffffn));
  }

  /** Re-evaluates every hart's MTIP against the current mtime (the scheduler calls this between slices). */
  update(): void {
    lock(this.w, W_LOCK);
    this.updateLocked();
    unlock(this.w, W_LOCK);
  }

  /**
   * Re-evaluates hart `h`'s MTIP (a hart thread, between its slices). Takes the lock only when
   * the level must change.
   */
  updateHart(h: number): void {
    const due = this.mtime() >= this.f[1 + h] ? 1 : 0;
    if (due === Atomics.load(this.w, this.mtip + h)) return;
    lock(this.w, W_LOCK);
    this.evaluateLocked(h, this.mtime());
    unlock(this.w, W_LOCK);
  }

  /**
   * The earliest time at which a currently clear MTIP will rise (Infinity when none is armed), on
   * the time source's clock (mtime minus the offset a guest write to mtime set).
   */
  nextDeadline(): number {
    let next = Infinity;
    for (let h = 0; h < this.harts; h++) next = Math.min(next, this.hartDeadline(h));
    return next - this.offset();
  }

  /** The mtime (as the guest sees it) at which hart `h`'s clear MTIP will rise (Infinity when it is raised or not armed). */
  hartDeadline(h: number): number {
    lock(this.w, W_LOCK);
    const next = this.w[this.mtip + h] === 0 ? this.f[1 + h] : Infinity;
    unlock(this.w, W_LOCK);
    return next;
  }

  /** Whether hart `h`'s MTIP or MSIP is currently raised. */
  pending(h: number): boolean {
    return Atomics.load(this.w, this.mtip + h) === 1 || Atomics.load(this.w, this.msip + h) === 1;
  }

  /**
   * Drives hart `h`'s MSIP and MTIP lines from the registers again (a hart thread that just
   * took over its state block, whose lines may have been set before it existed).
   */
  resyncHart(h: number): void {
    lock(this.w, W_LOCK);
    this.lines[h].msip.set(this.w[this.msip + h] === 1);
    this.lines[h].mtip.set(this.w[this.mtip + h] === 1);
    unlock(this.w, W_LOCK);
  }

  save(): ClintState {
    lock(this.w, W_LOCK);
    const mtimecmp: string[] = [];
    const msip: number[] = [];
    for (let h = 0; h < this.harts; h++) {
      msip.push(this.w[this.msip + h]);
      mtimecmp.push((BigInt(this.w[this.cmp + 2 * h] >>> 0) | (BigInt(this.w[this.cmp + 2 * h + 1] >>> 0) << 32n)).toString());
    }
    const mtimeOffset = String(this.f[0]);
    unlock(this.w, W_LOCK);
    return { kind: 'clint', version: 1, msip, mtimecmp, mtimeOffset };
  }

  restore(state: ClintState): void {
    if (state.kind !== 'clint' || state.version !== 1) throw new Error(`CLINT: cannot restore state ${state.kind} v${state.version}`);
    if (state.msip.length !== this.harts) throw new Error(`CLINT: state has ${state.msip.length} harts, machine has ${this.harts}`);
    lock(this.w, W_LOCK);
    this.setOffset(Number(state.mtimeOffset));
    for (let h = 0; h < this.harts; h++) {
      const bit = state.msip[h] & 1;
      this.w[this.msip + h] = bit;
      this.lines[h].msip.set(bit === 1);
      this.storeCmp(h, BigInt(state.mtimecmp[h]));
      this.w[this.mtip + h] = 2; // force every line to be driven again
    }
    this.updateLocked();
    unlock(this.w, W_LOCK);
  }

  private setMsip(hart: number, bit: number): void {
    lock(this.w, W_LOCK);
    if (this.w[this.msip + hart] !== bit) {
      this.w[this.msip + hart] = bit;
      this.lines[hart].msip.set(bit === 1);
    }
    unlock(this.w, W_LOCK);
  }

  private updateLocked(): void {
    const now = this.mtime();
    for (let h = 0; h < this.harts; h++) this.evaluateLocked(h, now);
  }

  private evaluateLocked(h: number, now: number): void {
    const level = now >= this.f[1 + h] ? 1 : 0;
    if (level !== this.w[this.mtip + h]) {
      Atomics.store(this.w, this.mtip + h, level);
      this.lines[h].mtip.set(level === 1);
    }
  }

  private setCmpLocked(hart: number, value: bigint): void {
    this.storeCmp(hart, value);
    this.evaluateLocked(hart, this.mtime());
  }

  private storeCmp(hart: number, value: bigint): void {
    const lo = Number(value & 0xffffffffn);
    const hi = Number((value >> 32n) & 0xffffffffn);
    this.w[this.cmp + 2 * hart] = lo | 0;
    this.w[this.cmp + 2 * hart + 1] = hi | 0;
    // Beyond 2^53 ticks (28 years at 10 MHz) the deadline is never reached.
    this.f[1 + hart] = hi >= 0x20_0000 ? Infinity : hi * TWO32 + lo;
  }

  private slice(value: number, byte: number, size: 1 | 2 | 4): number {
    const lo = value % TWO32;
    const hi = Math.floor(value / TWO32);
    const word = byte < 4 ? lo : hi;
    const v = word >>> ((byte & 3) * 8);
    return size === 4 ? v >>> 0 : v & (size === 2 ? 0xffff : 0xff);
  }
}

/** Replaces `size` bytes at byte offset `byte` of a 64-bit value. */
function mergeBytes(cur: bigint, byte: number, size: 1 | 2 | 4, value: number): bigint {
  const shift = BigInt(byte * 8);
  const mask = ((1n << BigInt(size * 8)) - 1n) << shift;
  return BigInt.asUintN(64, (cur & ~mask) | ((BigInt(value >>> 0) << shift) & mask));
}
