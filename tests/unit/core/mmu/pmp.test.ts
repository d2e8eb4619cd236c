import { describe, expect, it } from 'vitest';
import { PRV_S } from '../../../../core/isa/csr.js';
import { Pmp, PMP_R, PMP_W, PMP_X } from '../../../../core/mmu/pmp.js';
import { S_END, S_PMPADDR, S_PMPCFG } from '../../../../core/cpu/state.js';

describe('PMP', () => {
  it("a NAPOT entry with pmpaddr all ones (OpenSBI's all-memory region) covers the whole address space", () => {
    const s = new Int32Array(S_END);
    // Priv §3.7.1: pmpaddr holds bits 55:2; all 54 bits set = NAPOT over 2^56 bytes.
    s[S_PMPADDR] = -1;
    s[S_PMPADDR + 1] = 0x3fffff;
    new Uint8Array(s.buffer, S_PMPCFG * 4, 16)[0] = 0x18 | PMP_R | PMP_W | PMP_X;
    const pmp = new Pmp(s);
    expect(pmp.check(0x8020_0000, 4, PMP_X, PRV_S)).toBe(true);
    expect(pmp.check(0, 1, PMP_R, PRV_S)).toBe(true);
    expect(pmp.check(0x10_0000_0000, 8, PMP_W, PRV_S)).toBe(true);
  });
});
