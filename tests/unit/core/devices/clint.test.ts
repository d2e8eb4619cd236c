import { describe, expect, it } from 'vitest';
import { Clint, CLINT_MTIME, CLINT_MTIMECMP } from '../../../../core/devices/clint.js';
import type { IrqLine } from '../../../../core/memory/mmio.js';

class Wire implements IrqLine {
  level = false;
  changes = 0;
  set(level: boolean): void {
    this.level = level;
    this.changes++;
  }
}

function setup(harts = 2) {
  let now = 1000;
  const clock = { now: () => now };
  const lines = Array.from({ length: harts }, () => ({ msip: new Wire(), mtip: new Wire() }));
  const clint = new Clint(clock, lines);
  return { clint, lines, advance: (t: number) => (now += t), setNow: (t: number) => (now = t) };
}

describe('CLINT', () => {
  it('reads mtime from the time source, as 64 bits or two 32-bit halves', () => {
    const { clint, setNow } = setup();
    setNow(0x1_2345_6789);
    expect(clint.read64(CLINT_MTIME)).toBe(0x1_2345_6789n);
    expect(clint.read(CLINT_MTIME, 4)).toBe(0x2345_6789);
    expect(clint.read(CLINT_MTIME + 4, 4)).toBe(1);
  });

  it('raises MTIP when mtime reaches mtimecmp and lowers it when mtimecmp moves ahead', () => {
    const { clint, lines, advance } = setup();
    clint.write64(CLINT_MTIMECMP + 8, 1500n);
    expect(lines[1].mtip.level).toBe(false);
    expect(clint.nextDeadline()).toBe(1500);
    advance(499);
    clint.update();
    expect(lines[1].mtip.level).toBe(false);
    advance(1);
    clint.update();
    expect(lines[1].mtip.level).toBe(true);
    expect(lines[0].mtip.level).toBe(false);
    clint.write(CLINT_MTIMECMP + 8, 4, 0xffffffff);
    clint.write(CLINT_MTIMECMP + 12, 4, 0xffffffff);
    expect(lines[1].mtip.level).toBe(false);
    expect(clint.nextDeadline()).toBe(Infinity);
  });

  it('mtimecmp resets to all ones so no timer fires before software arms it', () => {
    const { clint, lines } = setup();
    expect(clint.read64(CLINT_MTIMECMP)).toBe(0xffff_ffff_ffff_ffffn);
    clint.update();
    expect(lines[0].mtip.level).toBe(false);
  });

  it('msip bit 0 drives the hart software interrupt; other bits read as zero', () => {
    const { clint, lines } = setup();
    clint.write(4, 4, 0xffff_ffff);
    expect(lines[1].msip.level).toBe(true);
    expect(clint.read(4, 4)).toBe(1);
    expect(lines[0].msip.level).toBe(false);
    clint.write(4, 4, 0);
    expect(lines[1].msip.level).toBe(false);
  });

  it('writing mtime moves the time the guest sees', () => {
    const { clint, advance } = setup();
    clint.write64(CLINT_MTIME, 50n);
    expect(clint.read64(CLINT_MTIME)).toBe(50n);
    advance(10);
    expect(clint.timeSource.now()).toBe(60);
  });

  it('save/restore round-trips msip, mtimecmp and the mtime offset', () => {
    const a = setup();
    a.clint.write(0, 4, 1);
    a.clint.write64(CLINT_MTIMECMP, 0xdead_beef_0000n);
    a.clint.write64(CLINT_MTIMECMP + 8, 0xffff_ffff_ffff_fff0n);
    a.clint.write64(CLINT_MTIME, 777n);
    const state = JSON.parse(JSON.stringify(a.clint.save()));
    const b = setup();
    b.clint.restore(state);
    expect(b.clint.save()).toEqual(a.clint.save());
    expect(b.lines[0].msip.level).toBe(true);
    expect(b.clint.read64(CLINT_MTIMECMP + 8)).toBe(0xffff_ffff_ffff_fff0n);
    expect(b.clint.read64(CLINT_MTIME)).toBe(777n);
  });
});
