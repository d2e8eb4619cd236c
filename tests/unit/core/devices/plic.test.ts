import { describe, expect, it } from 'vitest';
import { Plic, PLIC_CONTEXT, PLIC_ENABLE, PLIC_PENDING } from '../../../../core/devices/plic.js';
import type { IrqLine } from '../../../../core/memory/mmio.js';

class Wire implements IrqLine {
  level = false;
  set(level: boolean): void {
    this.level = level;
  }
}

function setup(harts = 2) {
  const outs = Array.from({ length: harts * 2 }, () => new Wire());
  return { plic: new Plic(95, outs), outs };
}

const claimReg = (ctx: number) => PLIC_CONTEXT + 0x1000 * ctx + 4;
const thresholdReg = (ctx: number) => PLIC_CONTEXT + 0x1000 * ctx;
const enableReg = (ctx: number, word = 0) => PLIC_ENABLE + 0x80 * ctx + 4 * word;

describe('PLIC', () => {
  it('a raised source is pending but interrupts no context until enabled with priority above threshold', () => {
    const { plic, outs } = setup();
    plic.source(10).set(true);
    expect(plic.read(PLIC_PENDING, 4)).toBe(1 << 10);
    expect(outs.some((o) => o.level)).toBe(false);
    plic.write(enableReg(1), 4, 1 << 10); // hart 0, S-mode
    expect(outs[1].level).toBe(false); // priority 0 never interrupts
    plic.write(10 * 4, 4, 1);
    expect(outs[1].level).toBe(true);
    expect(outs[0].level).toBe(false);
    plic.write(thresholdReg(1), 4, 1);
    expect(outs[1].level).toBe(false);
    plic.write(thresholdReg(1), 4, 0);
    expect(outs[1].level).toBe(true);
  });

  it('claim returns the highest-priority source, clears its pending bit, and complete re-arms a still-high level', () => {
    const { plic, outs } = setup();
    plic.write(5 * 4, 4, 2);
    plic.write(40 * 4, 4, 5);
    plic.write(enableReg(2, 0), 4, 1 << 5); // hart 1, M-mode
    plic.write(enableReg(2, 1), 4, 1 << (40 - 32));
    plic.source(5).set(true);
    plic.source(40).set(true);
    expect(outs[2].level).toBe(true);
    expect(plic.read(claimReg(2), 4)).toBe(40);
    expect(plic.read(PLIC_PENDING + 4, 4)).toBe(0);
    expect(plic.read(claimReg(2), 4)).toBe(5);
    expect(outs[2].level).toBe(false);
    expect(plic.read(claimReg(2), 4)).toBe(0);
    plic.source(5).set(false);
    plic.write(claimReg(2), 4, 5);
    plic.write(claimReg(2), 4, 40);
    expect(plic.read(PLIC_PENDING + 4, 4)).toBe(1 << 8);
    expect(plic.read(PLIC_PENDING, 4)).toBe(0);
    expect(outs[2].level).toBe(true);
  });

  it('priority registers hold 3 bits and source 0 cannot be enabled', () => {
    const { plic } = setup();
    plic.write(4, 4, 0xff);
    expect(plic.read(4, 4)).toBe(7);
    plic.write(enableReg(0), 4, 0xffff_ffff);
    expect(plic.read(enableReg(0), 4)).toBe(0xffff_fffe);
  });

  it('rejects interrupt sources outside 1..ndev', () => {
    const { plic } = setup();
    expect(() => plic.source(0)).toThrow(/no interrupt source 0/);
    expect(() => plic.source(96)).toThrow(/valid: 1..95/);
  });

  it('save/restore round-trips priorities, enables, thresholds, pending and claimed sources', () => {
    const a = setup();
    a.plic.write(10 * 4, 4, 3);
    a.plic.write(11 * 4, 4, 1);
    a.plic.write(enableReg(3), 4, (1 << 10) | (1 << 11));
    a.plic.write(thresholdReg(3), 4, 0);
    a.plic.source(10).set(true);
    a.plic.source(11).set(true);
    expect(a.plic.read(claimReg(3), 4)).toBe(10);
    const state = JSON.parse(JSON.stringify(a.plic.save()));
    const b = setup();
    b.plic.restore(state);
    expect(b.plic.save()).toEqual(a.plic.save());
    expect(b.outs[3].level).toBe(true);
    expect(b.plic.read(claimReg(3), 4)).toBe(11);
  });
});
