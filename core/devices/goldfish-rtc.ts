/**
 * Goldfish RTC (google,goldfish-rtc), as in QEMU's hw/rtc/goldfish_rtc.c: nanoseconds since the
 * epoch from a host wall clock, a guest-settable offset, and one alarm with an interrupt.
 * Reading TIME_LOW latches the high half so TIME_HIGH read next is consistent.
 */
import type { IrqLine, MmioDevice } from '../memory/mmio.js';
import { NO_IRQ } from '../memory/mmio.js';

export const RTC_SIZE = 0x1000;
const TIME_LOW = 0x00;
const TIME_HIGH = 0x04;
const ALARM_LOW = 0x08;
const ALARM_HIGH = 0x0c;
const IRQ_ENABLED = 0x10;
const CLEAR_ALARM = 0x14;
const ALARM_STATUS = 0x18;
const CLEAR_INTERRUPT = 0x1c;

/** Host wall clock: nanoseconds since the Unix epoch. */
export type WallClock = () => bigint;

export interface GoldfishRtcState {
  readonly kind: 'goldfish-rtc';
  readonly version: 1;
  /** Guest time minus host time, ns (decimal string). */
  readonly offset: string;
  /** Armed alarm time in guest ns (decimal string), or null. */
  readonly alarm: string | null;
  readonly alarmHighLatch: number;
  readonly timeHighLatch: number;
  readonly irqEnabled: boolean;
  readonly irqPending: boolean;
}

export class GoldfishRtc implements MmioDevice {
  private offset = 0n;
  private alarm: bigint | null = null;
  private alarmHigh = 0;
  private timeHigh = 0;
  private irqEnabled = false;
  private irqPending = false;

  constructor(
    private readonly clock: WallClock,
    private readonly irq: IrqLine = NO_IRQ,
  ) {}

  /** Guest time in ns. */
  time(): bigint {
    return this.clock() + this.offset;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (size !== 4) return 0;
    switch (offset) {
      case TIME_LOW: {
        const t = this.time();
        this.timeHigh = Number((t >> 32n) & 0xffffffffn);
        return Number(t & 0xffffffffn);
      }
      case TIME_HIGH:
        return this.timeHigh;
      case ALARM_LOW:
        return this.alarm === null ? 0 : Number(this.alarm & 0xffffffffn);
      case ALARM_HIGH:
        return this.alarm === null ? this.alarmHigh : Number((this.alarm >> 32n) & 0xffffffffn);
      case IRQ_ENABLED:
        return this.irqEnabled ? 1 : 0;
      case ALARM_STATUS:
        return this.alarm !== null ? 1 : 0;
      default:
        return 0;
    }
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4) return;
    value >>>= 0;
    switch (offset) {
      case TIME_LOW: {
        // Setting the clock: TIME_HIGH was written first (QEMU keeps it in the same latch).
        const wanted = (BigInt(this.timeHigh) << 32n) | BigInt(value);
        this.offset = wanted - this.clock();
        this.update();
        return;
      }
      case TIME_HIGH:
        this.timeHigh = value;
        return;
      case ALARM_LOW:
        this.alarm = (BigInt(this.alarmHigh) << 32n) | BigInt(value);
        this.update();
        return;
      case ALARM_HIGH:
        this.alarmHigh = value;
        return;
      case IRQ_ENABLED:
        this.irqEnabled = (value & 1) !== 0;
        this.drive();
        return;
      case CLEAR_ALARM:
        this.alarm = null;
        return;
      case CLEAR_INTERRUPT:
        this.irqPending = false;
        this.drive();
        return;
      default:
        return;
    }
  }

  /** Fires the alarm if its time has come (the scheduler calls this between slices). */
  update(): void {
    if (this.alarm !== null && this.time() >= this.alarm) {
      this.alarm = null;
      this.irqPending = true;
      this.drive();
    }
  }

  /** Host-clock ns until the armed alarm fires (Infinity when none). */
  nsUntilAlarm(): number {
    return this.alarm === null ? Infinity : Math.max(0, Number(this.alarm - this.time()));
  }

  private drive(): void {
    this.irq.set(this.irqPending && this.irqEnabled);
  }

  save(): GoldfishRtcState {
    return {
      kind: 'goldfish-rtc',
      version: 1,
      offset: this.offset.toString(),
      alarm: this.alarm === null ? null : this.alarm.toString(),
      alarmHighLatch: this.alarmHigh,
      timeHighLatch: this.timeHigh,
      irqEnabled: this.irqEnabled,
      irqPending: this.irqPending,
    };
  }

  restore(state: GoldfishRtcState): void {
    if (state.kind !== 'goldfish-rtc' || state.version !== 1) throw new Error(`RTC: cannot restore state ${state.kind} v${state.version}`);
    this.offset = BigInt(state.offset);
    this.alarm = state.alarm === null ? null : BigInt(state.alarm);
    this.alarmHigh = state.alarmHighLatch;
    this.timeHigh = state.timeHighLatch;
    this.irqEnabled = state.irqEnabled;
    this.irqPending = state.irqPending;
    this.drive();
  }
}
