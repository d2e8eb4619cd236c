import { describe, expect, it } from 'vitest';
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, Mmu } from '../../../../core/mmu/mmu.js';
import { Pmp } from '../../../../core/mmu/pmp.js';
import { S_END } from '../../../../core/cpu/state.js';
import * as C from '../../../../core/isa/csr.js';
import { GuestMemory, RAM_BASE } from '../../../../core/memory/ram.js';

const V = 1, R = 2, W = 4, X = 8, U = 16, A = 64, D = 128;

/** Sv39 tables in RAM: root at +0x10000, one L1 at +0x11000, one L0 at +0x12000. */
function setup() {
  const memory = new GuestMemory({ ramBytes: 16 << 20 });
  const m64 = new BigInt64Array(memory.buffer, 0, memory.ramBytes / 8);
  const state = new Int32Array(S_END);
  const pmp = new Pmp(state);
  // entry 0: everything RWX for S/U
  pmp.writeAddr(0, -1, 0x3fffff);
  pmp.writeCfg(0, 0x1f);
  pmp.recompute();
  const mmu = new Mmu(memory.buffer, memory.ramBytes, pmp, { sv39: true, sv48: true });
  const root = RAM_BASE + 0x10000;
  const l1 = RAM_BASE + 0x11000;
  const l0 = RAM_BASE + 0x12000;
  const pte = (table: number, index: number, pa: number, flags: number): void => {
    m64[(table - RAM_BASE) / 8 + index] = (BigInt(pa / 4096) << 10n) | BigInt(flags);
  };
  const read = (table: number, index: number): bigint => m64[(table - RAM_BASE) / 8 + index];
  const satpHi = (C.SATP_MODE_SV39 << 28) | 0;
  const satpLo = root / 4096;
  const walk = (va: bigint, access: 0 | 1 | 2, priv: number, sum = false, mxr = false): number =>
    mmu.translate(Number(va & 0xffffffffn) | 0, Number(va >> 32n) | 0, access, priv, satpLo, satpHi, sum, mxr);
  return { mmu, pte, read, walk, root, l1, l0 };
}

describe('Sv39 translation', () => {
  it('maps 4 KiB, 2 MiB and 1 GiB pages with the offset bits from the virtual address', () => {
    const t = setup();
    t.pte(t.root, 0, t.l1, V);
    t.pte(t.l1, 0, t.l0, V);
    t.pte(t.l0, 5, RAM_BASE + 0x40000, V | R | A);
    t.pte(t.l1, 3, RAM_BASE + 0x200000, V | R | A);
    t.pte(t.root, 1, RAM_BASE, V | R | A);
    expect(t.walk(0x5123n, ACCESS_LOAD, C.PRV_S)).toBe(RAM_BASE + 0x40123);
    expect(t.walk(0x60abcdn, ACCESS_LOAD, C.PRV_S)).toBe(RAM_BASE + 0x200000 + 0xabcd);
    expect(t.walk(0x4123_4567n, ACCESS_LOAD, C.PRV_S)).toBe(RAM_BASE + 0x0123_4567);
  });

  it('raises page faults of the access type for invalid, W-only, misaligned-superpage and non-canonical cases', () => {
    const t = setup();
    t.pte(t.root, 0, t.l1, V);
    t.pte(t.l1, 0, t.l0, V);
    t.pte(t.l0, 1, RAM_BASE, V | W | A | D);
    t.pte(t.l1, 1, RAM_BASE + 0x1000, V | R | A); // megapage not 2 MiB aligned
    expect(t.walk(0x2000n, ACCESS_LOAD, C.PRV_S)).toBe(-1);
    expect(t.mmu.cause).toBe(C.EXC_LOAD_PAGE_FAULT);
    expect(t.walk(0x1000n, ACCESS_STORE, C.PRV_S)).toBe(-1);
    expect(t.mmu.cause).toBe(C.EXC_STORE_PAGE_FAULT);
    expect(t.walk(0x200000n, ACCESS_FETCH, C.PRV_S)).toBe(-1);
    expect(t.mmu.cause).toBe(C.EXC_INSN_PAGE_FAULT);
    expect(t.walk(0x40_0000_0000n, ACCESS_LOAD, C.PRV_S)).toBe(-1); // bit 38 set, bits 63:39 clear
    expect(t.mmu.cause).toBe(C.EXC_LOAD_PAGE_FAULT);
  });

  it('applies U, SUM and MXR (Priv 4.3.1)', () => {
    const t = setup();
    t.pte(t.root, 0, t.l1, V);
    t.pte(t.l1, 0, t.l0, V);
    t.pte(t.l0, 1, RAM_BASE, V | R | W | X | U | A | D);
    t.pte(t.l0, 2, RAM_BASE, V | X | A);
    t.pte(t.l0, 3, RAM_BASE, V | R | W | A | D);
    expect(t.walk(0x1000n, ACCESS_LOAD, C.PRV_S)).toBe(-1);
    expect(t.walk(0x1000n, ACCESS_LOAD, C.PRV_S, true)).toBe(RAM_BASE);
    expect(t.walk(0x1000n, ACCESS_FETCH, C.PRV_S, true)).toBe(-1);
    expect(t.walk(0x1000n, ACCESS_FETCH, C.PRV_U)).toBe(RAM_BASE);
    expect(t.walk(0x3000n, ACCESS_LOAD, C.PRV_U)).toBe(-1);
    expect(t.walk(0x2000n, ACCESS_LOAD, C.PRV_S)).toBe(-1);
    expect(t.walk(0x2000n, ACCESS_LOAD, C.PRV_S, false, true)).toBe(RAM_BASE);
  });

  it('sets A on any access and D on stores, in the PTE', () => {
    const t = setup();
    t.pte(t.root, 0, t.l1, V);
    t.pte(t.l1, 0, t.l0, V);
    t.pte(t.l0, 1, RAM_BASE, V | R | W);
    t.walk(0x1000n, ACCESS_LOAD, C.PRV_S);
    expect(t.read(t.l0, 1) & BigInt(A | D)).toBe(BigInt(A));
    t.walk(0x1000n, ACCESS_STORE, C.PRV_S);
    expect(t.read(t.l0, 1) & BigInt(A | D)).toBe(BigInt(A | D));
  });

  it('walks page tables under PMP as S-mode: an unreadable table is an access fault', () => {
    const t = setup();
    const memory = new GuestMemory({ ramBytes: 16 << 20 });
    const pmp = new Pmp(new Int32Array(S_END)); // no entries: S-mode may not read the tables
    const mmu = new Mmu(memory.buffer, memory.ramBytes, pmp, { sv39: true, sv48: false });
    expect(mmu.translate(0x1000, 0, ACCESS_STORE, C.PRV_S, t.root / 4096, C.SATP_MODE_SV39 << 28, false, false)).toBe(-1);
    expect(mmu.cause).toBe(C.EXC_STORE_ACCESS);
    expect(mmu.modeSupported(C.SATP_MODE_SV48)).toBe(false);
  });
});

describe('Sv48 and Sv57', () => {
  it('walk four and five levels with the canonical checks at bits 47 and 56', () => {
    const memory = new GuestMemory({ ramBytes: 16 << 20 });
    const m64 = new BigInt64Array(memory.buffer, 0, memory.ramBytes / 8);
    const pmp = new Pmp(new Int32Array(S_END));
    pmp.writeAddr(0, -1, 0x3fffff);
    pmp.writeCfg(0, 0x1f);
    pmp.recompute();
    const mmu = new Mmu(memory.buffer, memory.ramBytes, pmp, { sv39: true, sv48: true, sv57: true });
    const t = (n: number): number => RAM_BASE + 0x10000 + n * 0x1000;
    const pte = (table: number, index: number, pa: number, flags: number): void => {
      m64[(table - RAM_BASE) / 8 + index] = (BigInt(pa / 4096) << 10n) | BigInt(flags);
    };
    // VA 0x0001_0203_0405_6789 under Sv57: vpn4 = 0x001, vpn3 = 0x004, vpn2 = 0x00c, vpn1 = 0x020, vpn0 = 0x056
    const va = 0x0001_0203_0405_6789n;
    const idx = (level: number): number => Number((va >> BigInt(12 + 9 * level)) & 0x1ffn);
    pte(t(0), idx(4), t(1), V);
    pte(t(1), idx(3), t(2), V);
    pte(t(2), idx(2), t(3), V);
    pte(t(3), idx(1), t(4), V);
    pte(t(4), idx(0), RAM_BASE + 0x80000, V | R | A);
    const lo = Number(va & 0xffffffffn) | 0;
    const hi = Number(va >> 32n) | 0;
    expect(mmu.translate(lo, hi, ACCESS_LOAD, C.PRV_S, t(0) / 4096, C.SATP_MODE_SV57 << 28, false, false)).toBe(
      RAM_BASE + 0x80789,
    );
    // the same VA is not canonical under Sv48 (bit 48 set, 63:48 not all equal to bit 47)
    expect(mmu.translate(lo, hi, ACCESS_LOAD, C.PRV_S, t(1) / 4096, C.SATP_MODE_SV48 << 28, false, false)).toBe(-1);
    expect(mmu.cause).toBe(C.EXC_LOAD_PAGE_FAULT);
    // Sv48 from level 3: drop bit 48 and walk from t(1)
    const va48 = va & 0x0000_ffff_ffff_ffffn;
    expect(
      mmu.translate(Number(va48 & 0xffffffffn) | 0, Number(va48 >> 32n) | 0, ACCESS_LOAD, C.PRV_S, t(1) / 4096, C.SATP_MODE_SV48 << 28, false, false),
    ).toBe(RAM_BASE + 0x80789);
  });
});
