import { describe, expect, it } from 'vitest';
import { Pmp, PMP_R, PMP_W, PMP_X } from '../../../../core/mmu/pmp.js';
import { S_END, S_PMPADDR } from '../../../../core/cpu/state.js';
import { PRV_M, PRV_S, PRV_U } from '../../../../core/isa/csr.js';

const TOR = 0x08;
const NA4 = 0x10;
const NAPOT = 0x18;
const L = 0x80;

function pmp(): Pmp {
  return new Pmp(new Int32Array(S_END));
}

describe('PMP (Priv 3.7)', () => {
  it('with no active entry lets M-mode through and refuses S and U', () => {
    const p = pmp();
    expect(p.check(0x8000_0000, 4, PMP_R, PRV_M)).toBe(true);
    expect(p.check(0x8000_0000, 4, PMP_R, PRV_S)).toBe(false);
    expect(p.check(0x8000_0000, 4, PMP_X, PRV_U)).toBe(false);
  });

  it('decodes NAPOT sizes from the trailing ones of pmpaddr', () => {
    const p = pmp();
    // 64 KiB at 0x8001_0000: pmpaddr = (base >> 2) | (size/8 - 1)
    p.writeAddr(0, ((0x8001_0000 >>> 2) | (0x10000 / 8 - 1)) | 0, 0);
    p.writeCfg(0, NAPOT | PMP_R | PMP_X);
    p.recompute();
    expect(p.check(0x8001_0000, 8, PMP_R, PRV_S)).toBe(true);
    expect(p.check(0x8001_fff8, 8, PMP_X, PRV_U)).toBe(true);
    expect(p.check(0x8001_0000, 8, PMP_W, PRV_S)).toBe(false);
    expect(p.check(0x8002_0000, 4, PMP_R, PRV_S)).toBe(false);
    // straddling the top of the range: a partial match fails
    expect(p.check(0x8001_fffc, 8, PMP_R, PRV_S)).toBe(false);
  });

  it('matches TOR between the previous pmpaddr and its own, and NA4 on four bytes', () => {
    const p = pmp();
    p.writeAddr(0, 0x1000 >>> 2, 0);
    p.writeAddr(1, 0x2000 >>> 2, 0);
    p.writeCfg(1, TOR | PMP_R | PMP_W);
    p.writeAddr(2, 0x3000 >>> 2, 0);
    p.writeCfg(2, NA4 | PMP_X);
    p.recompute();
    expect(p.check(0x0fff, 1, PMP_R, PRV_S)).toBe(false);
    expect(p.check(0x1000, 4, PMP_W, PRV_S)).toBe(true);
    expect(p.check(0x1ffc, 4, PMP_R, PRV_U)).toBe(true);
    expect(p.check(0x3000, 4, PMP_X, PRV_S)).toBe(true);
    expect(p.check(0x3004, 4, PMP_X, PRV_S)).toBe(false);
  });

  it('lets the lowest-numbered matching entry decide', () => {
    const p = pmp();
    p.writeAddr(0, (0x4000 >>> 2) | 0x1ff, 0); // 4 KiB NAPOT at 0x4000
    p.writeCfg(0, NAPOT | PMP_R);
    p.writeAddr(1, -1, 0x3fffff); // everything
    p.writeCfg(1, NAPOT | PMP_R | PMP_W | PMP_X);
    p.recompute();
    expect(p.check(0x4010, 8, PMP_W, PRV_S)).toBe(false);
    expect(p.check(0x5010, 8, PMP_W, PRV_S)).toBe(true);
  });

  it('binds M-mode to locked entries and ignores writes to them', () => {
    const s = new Int32Array(S_END);
    const p = new Pmp(s);
    p.writeAddr(0, 0x1000 >>> 2, 0);
    p.writeCfg(0, NA4 | PMP_R | L);
    p.recompute();
    expect(p.check(0x1000, 4, PMP_R, PRV_M)).toBe(true);
    expect(p.check(0x1000, 4, PMP_W, PRV_M)).toBe(false);
    p.writeCfg(0, 0);
    p.writeAddr(0, 0, 0);
    expect(p.cfgByte(0)).toBe(NA4 | PMP_R | L);
    expect(s[S_PMPADDR]).toBe(0x1000 >>> 2);
  });

  it('ignores writes to pmpaddr[i-1] when entry i is a locked TOR', () => {
    const s = new Int32Array(S_END);
    const p = new Pmp(s);
    p.writeAddr(0, 0x100, 0);
    p.writeCfg(1, TOR | L);
    p.writeAddr(0, 0x200, 0);
    expect(s[S_PMPADDR]).toBe(0x100);
  });
});
