import { describe, expect, it } from 'vitest';
import { GoldfishRtc } from '../../../../core/devices/goldfish-rtc.js';
import type { IrqLine } from '../../../../core/memory/mmio.js';

class Wire implements IrqLine {
  level = false;
  set(level: boolean): void {
    this.level = level;
  }
}

// Offsets from QEMU's hw/rtc/goldfish_rtc.c.
const TIME_LOW = 0x00, TIME_HIGH = 0x04, ALARM_LOW = 0x08, ALARM_HIGH = 0x0c;
const IRQ_ENABLED = 0x10, CLEAR_ALARM = 0x14, ALARM_STATUS = 0x18, CLEAR_INTERRUPT = 0x1c;

function setup(start = 1_700_000_000_000_000_000n) {
  let now = start;
  const irq = new Wire();
  const rtc = new GoldfishRtc(() => now, irq);
  return { rtc, irq, advance: (ns: bigint) => (now += ns) };
}

const readTime = (rtc: GoldfishRtc) => {
  const lo = BigInt(rtc.read(TIME_LOW, 4));
  return (BigInt(rtc.read(TIME_HIGH, 4)) << 32n) | lo;
};

describe('goldfish RTC', () => {
  it('reports the host wall clock in nanoseconds, TIME_LOW latching TIME_HIGH', () => {
    const { rtc } = setup();
    expect(readTime(rtc)).toBe(1_700_000_000_000_000_000n);
  });

  it('the guest can set the time; it then runs on from there', () => {
    const { rtc, advance } = setup();
    const wanted = 0x1234_5678_9abc_def0n;
    rtc.write(TIME_HIGH, 4, Number(wanted >> 32n));
    rtc.write(TIME_LOW, 4, Number(wanted & 0xffffffffn));
    advance(5n);
    expect(readTime(rtc)).toBe(wanted + 5n);
  });

  it('an alarm interrupts once its time has passed, when enabled, until cleared', () => {
    const { rtc, irq, advance } = setup(0n);
    rtc.write(IRQ_ENABLED, 4, 1);
    rtc.write(ALARM_HIGH, 4, 0);
    rtc.write(ALARM_LOW, 4, 1000);
    expect(rtc.read(ALARM_STATUS, 4)).toBe(1);
    rtc.update();
    expect(irq.level).toBe(false);
    expect(rtc.nsUntilAlarm()).toBe(1000);
    advance(1000n);
    rtc.update();
    expect(irq.level).toBe(true);
    expect(rtc.read(ALARM_STATUS, 4)).toBe(0);
    rtc.write(CLEAR_INTERRUPT, 4, 1);
    expect(irq.level).toBe(false);
  });

  it('a cleared alarm never fires', () => {
    const { rtc, irq, advance } = setup(0n);
    rtc.write(IRQ_ENABLED, 4, 1);
    rtc.write(ALARM_LOW, 4, 10);
    rtc.write(CLEAR_ALARM, 4, 1);
    advance(100n);
    rtc.update();
    expect(irq.level).toBe(false);
  });

  it('save/restore round-trips the offset, alarm and interrupt state', () => {
    const a = setup(0n);
    a.rtc.write(TIME_HIGH, 4, 1);
    a.rtc.write(TIME_LOW, 4, 2);
    a.rtc.write(IRQ_ENABLED, 4, 1);
    a.rtc.write(ALARM_HIGH, 4, 2);
    a.rtc.write(ALARM_LOW, 4, 0);
    const state = JSON.parse(JSON.stringify(a.rtc.save()));
    const b = setup(0n);
    b.rtc.restore(state);
    expect(b.rtc.save()).toEqual(a.rtc.save());
    expect(readTime(b.rtc)).toBe((1n << 32n) | 2n);
  });
});
