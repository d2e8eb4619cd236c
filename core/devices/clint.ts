/**
 * CLINT / ACLINT (SiFive layout as on QEMU's virt board): MSWI (msip per hart at 0x0),
 * MTIMER (mtimecmp per hart at 0x4000, mtime at 0xbff8). mtime ticks at 10 MHz from a TimeSource.
 *
 * The CLINT drives each hart's MSIP and MTIP through IrqLines (the board wires them to the hart).
 * MTIP is re-evaluated when mtimecmp or mtime is written and whenever the scheduler calls `update()`;
 * `nextDeadline()` tells a scheduler how long a WFI may sleep.
 */
import type { TimeSource } from '../common/clock.js';
import type { IrqLine, MmioDevice } from '../memory/mmio.js';

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

export class Clint implements MmioDevice {
  readonly harts: number;
  private readonly msip: Uint8Array;
  /** mtimecmp halves: [lo0, hi0, lo1, hi1, ...]. */
  private readonly cmp: Uint32Array;
  /** mtimecmp as a double (exact below 2^53; Infinity above, where no mtime reaches it). */
  private readonly cmpNum: Float64Array;
  private readonly mtipLevel: Uint8Array;
  private offset = 0;
  private readonly lines: readonly ClintHartLines[];
  private readonly clock: TimeSource;

  constructor(clock: TimeSource, lines: readonly ClintHartLines[]) {
    this.clock = clock;
    this.lines = lines;
    this.harts = lines.length;
    this.msip = new Uint8Array(this.harts);
    this.cmp = new Uint32Array(this.harts * 2).fill(0xffffffff);
    this.cmpNum = new Float64Array(this.harts).fill(Infinity);
    this.mtipLevel = new Uint8Array(this.harts);
  }

  /** Current mtime (10 MHz ticks), as the guest sees it. */
  mtime(): number {
    return this.clock.now() + this.offset;
  }

  /** A TimeSource that includes guest writes to mtime (feed it to the harts' `time` CSR). */
  readonly timeSource: TimeSource = { now: () => this.mtime() };

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset < CLINT_MTIMECMP) {
      const hart = offset >> 2;
      if (hart < this.harts && (offset & 3) === 0) return this.msip[hart];
      return 0;
    }
    if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8) {
      return this.slice(this.mtime(), offset - CLINT_MTIME, size);
    }
    if (offset < CLINT_MTIMECMP + 8 * this.harts) {
      const rel = offset - CLINT_MTIMECMP;
      const hart = rel >> 3;
      const byte = rel & 7;
      const lo = this.cmp[2 * hart];
      const hi = this.cmp[2 * hart + 1];
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
      if (hart < this.harts && (offset & 3) === 0) {
        const bit = value & 1;
        if (this.msip[hart] !== bit) {
          this.msip[hart] = bit;
          this.lines[hart].msip.set(bit === 1);
        }
      }
      return;
    }
    if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8) {
      const cur = BigInt(this.mtime());
      const next = mergeBytes(cur, offset - CLINT_MTIME, size, value);
      this.offset = Number(next) - this.clock.now();
      this.update();
      return;
    }
    if (offset < CLINT_MTIMECMP + 8 * this.harts) {
      const rel = offset - CLINT_MTIMECMP;
      const hart = rel >> 3;
      const cur = BigInt(this.cmp[2 * hart]) | (BigInt(this.cmp[2 * hart + 1]) << 32n);
      this.setCmp(hart, mergeBytes(cur, rel & 7, size, value));
    }
  }

  read64(offset: number): bigint {
    if (offset === CLINT_MTIME) return BigInt(this.mtime());
    const rel = offset - CLINT_MTIMECMP;
    if (rel >= 0 && rel < 8 * this.harts && (rel & 7) === 0) {
      const hart = rel >> 3;
      return BigInt(this.cmp[2 * hart]) | (BigInt(this.cmp[2 * hart + 1]) << 32n);
    }
    return BigInt(this.read(offset, 4)) | (BigInt(this.read(offset + 4, 4)) << 32n);
  }

  write64(offset: number, value: bigint): void {
    const rel = offset - CLINT_MTIMECMP;
    if (rel >= 0 && rel < 8 * this.harts && (rel & 7) === 0) {
      this.setCmp(rel >> 3, BigInt.asUintN(64, value));
      return;
    }
    if (offset === CLINT_MTIME) {
      this.offset = Number(BigInt.asUintN(64, value)) - this.clock.now();
      this.update();
      return;
    }
    this.write(offset, 4, Number(value & 0xffffffffn));
    this.write(offset + 4, 4, Number((value >> 32n) & 0xffffffffn));
  }

  /** Re-evaluates every hart's MTIP against the current mtime (the scheduler calls this between slices). */
  update(): void {
    const now = this.mtime();
    for (let h = 0; h < this.harts; h++) {
      const level = now >= this.cmpNum[h] ? 1 : 0;
      if (level !== this.mtipLevel[h]) {
        this.mtipLevel[h] = level;
        this.lines[h].mtip.set(level === 1);
      }
    }
  }

  /** The earliest mtime at which a currently clear MTIP will rise (Infinity when none is armed). */
  nextDeadline(): number {
    let next = Infinity;
    for (let h = 0; h < this.harts; h++) {
      if (this.mtipLevel[h] === 0 && this.cmpNum[h] < next) next = this.cmpNum[h];
    }
    return next - this.offset;
  }

  /** Whether hart `h`'s MTIP or MSIP is currently raised. */
  pending(h: number): boolean {
    return this.mtipLevel[h] === 1 || this.msip[h] === 1;
  }

  save(): ClintState {
    const mtimecmp: string[] = [];
    for (let h = 0; h < this.harts; h++) {
      mtimecmp.push((BigInt(this.cmp[2 * h]) | (BigInt(this.cmp[2 * h + 1]) << 32n)).toString());
    }
    return { kind: 'clint', version: 1, msip: Array.from(this.msip), mtimecmp, mtimeOffset: String(this.offset) };
  }

  restore(state: ClintState): void {
    if (state.kind !== 'clint' || state.version !== 1) throw new Error(`CLINT: cannot restore state ${state.kind} v${state.version}`);
    if (state.msip.length !== this.harts) throw new Error(`CLINT: state has ${state.msip.length} harts, machine has ${this.harts}`);
    this.offset = Number(state.mtimeOffset);
    for (let h = 0; h < this.harts; h++) {
      const bit = state.msip[h] & 1;
      this.msip[h] = bit;
      this.lines[h].msip.set(bit === 1);
      this.storeCmp(h, BigInt(state.mtimecmp[h]));
    }
    this.mtipLevel.fill(2); // force every line to be driven again
    this.update();
  }

  private setCmp(hart: number, value: bigint): void {
    this.storeCmp(hart, value);
    const level = this.mtime() >= this.cmpNum[hart] ? 1 : 0;
    if (level !== this.mtipLevel[hart]) {
      this.mtipLevel[hart] = level;
      this.lines[hart].mtip.set(level === 1);
    }
  }

  private storeCmp(hart: number, value: bigint): void {
    const lo = Number(value & 0xffffffffn);
    const hi = Number((value >> 32n) & 0xffffffffn);
    this.cmp[2 * hart] = lo;
    this.cmp[2 * hart + 1] = hi;
    // Beyond 2^53 ticks (28 years at 10 MHz) the deadline is never reached.
    this.cmpNum[hart] = hi >= 0x20_0000 ? Infinity : hi * TWO32 + lo;
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
