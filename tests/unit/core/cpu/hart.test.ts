import { describe, expect, it } from 'vitest';
import { Hart, RUN_ATTENTION, RUN_BUDGET, RUN_WFI } from '../../../../core/cpu/hart.js';
import { CSR_TABLE } from '../../../../core/cpu/csr.js';
import * as C from '../../../../core/isa/csr.js';
import { PhysicalBus } from '../../../../core/memory/bus.js';
import { GuestMemory, RAM_BASE } from '../../../../core/memory/ram.js';

function makeHart(words: readonly number[]): Hart {
  const memory = new GuestMemory({ ramBytes: 16 << 20 });
  const bus = new PhysicalBus(memory);
  const hart = new Hart({ memory, bus, time: { now: () => 0 } });
  const bytes = new Uint8Array(new Uint32Array(words.map((w) => w >>> 0)).buffer);
  memory.writeBytes(RAM_BASE, bytes);
  return hart;
}

const csr = (h: Hart, n: number): bigint => {
  const lo = CSR_TABLE[n]!.read(h);
  return (BigInt(h.csrHi >>> 0) << 32n) | BigInt(lo >>> 0);
};

const CSRW_MIE_T0 = 0x30429073;
const WFI = 0x10500073;
const LI_A0_7 = 0x00700513;
const J_SELF = 0x0000006f;
const ADDI_A0_1 = 0x00150513;
const J_BACK_4 = 0xffdff06f;

describe('Hart', () => {
  it('runs exactly the budget and counts retired instructions', () => {
    const h = makeHart([ADDI_A0_1, J_BACK_4]);
    expect(h.run(1001)).toBe(RUN_BUDGET);
    expect(h.getX(10)).toBe(501n);
    expect(csr(h, C.CSR_MINSTRET)).toBe(1001n);
  });

  it('returns RUN_WFI from WFI and resumes after the interrupt line rises', () => {
    const h = makeHart([CSRW_MIE_T0, WFI, LI_A0_7, J_SELF]);
    h.setX(5, 1 << C.IRQ_MEI);
    expect(h.run(100)).toBe(RUN_WFI);
    expect(h.waiting).toBe(true);
    expect(h.getPc()).toBe(BigInt(RAM_BASE + 8));
    expect(h.run(100)).toBe(RUN_WFI);
    h.irqLine(C.IRQ_MEI).set(true);
    // MIE is off in M-mode: WFI wakes up without taking the interrupt
    expect(h.run(10)).toBe(RUN_BUDGET);
    expect(h.waiting).toBe(false);
    expect(h.getX(10)).toBe(7n);
    expect(csr(h, C.CSR_MIP) & BigInt(C.MIP_MEIP)).toBe(BigInt(C.MIP_MEIP));
    h.irqLine(C.IRQ_MEI).set(false);
    expect(csr(h, C.CSR_MIP)).toBe(0n);
  });

  it('sets and clears mip bits with CSRRS/CSRRC without latching the PLIC line into the software SEIP bit', () => {
    const CSRRS_MIP_T0 = 0x3442a073; // csrrs x0, mip, t0
    const CSRRC_MIP_T1 = 0x34433073; // csrrc x0, mip, t1
    const h = makeHart([CSRRS_MIP_T0, CSRRC_MIP_T1, J_SELF]);
    h.setX(5, C.MIP_SSIP);
    h.setX(6, C.MIP_SSIP);
    h.irqLine(C.IRQ_SEI).set(true);
    h.run(1);
    expect(csr(h, C.CSR_MIP)).toBe(BigInt(C.MIP_SSIP | C.MIP_SEIP));
    h.irqLine(C.IRQ_SEI).set(false);
    expect(csr(h, C.CSR_MIP)).toBe(BigInt(C.MIP_SSIP)); // the line dropped: SEIP is gone
    h.irqLine(C.IRQ_SEI).set(true);
    h.run(1);
    h.irqLine(C.IRQ_SEI).set(false);
    expect(csr(h, C.CSR_MIP)).toBe(0n);
  });

  it('keeps a software SEIP set through CSRRS after the PLIC line drops', () => {
    const h = makeHart([0x3442a073, J_SELF]); // csrrs x0, mip, t0
    h.setX(5, C.MIP_SEIP);
    h.irqLine(C.IRQ_SEI).set(true);
    h.run(1);
    h.irqLine(C.IRQ_SEI).set(false);
    expect(csr(h, C.CSR_MIP)).toBe(BigInt(C.MIP_SEIP));
  });

  it('returns RUN_ATTENTION without running while the attention word is set', () => {
    const h = makeHart([ADDI_A0_1, J_BACK_4]);
    h.requestAttention();
    expect(h.run(100)).toBe(RUN_ATTENTION);
    expect(h.getX(10)).toBe(0n);
    h.clearAttention();
    expect(h.run(2)).toBe(RUN_BUDGET);
    expect(h.getX(10)).toBe(1n);
  });

  it('traps an illegal instruction to mtvec with the bits in mtval, never throwing', () => {
    const h = makeHart([0xffffffff, J_SELF]);
    h.run(1);
    expect(csr(h, C.CSR_MCAUSE)).toBe(2n);
    expect(csr(h, C.CSR_MTVAL)).toBe(0xffffffffn);
    expect(csr(h, C.CSR_MEPC)).toBe(BigInt(RAM_BASE));
    expect(h.getPc()).toBe(0n); // mtvec = 0
    // fetching from unmapped address 0 is an instruction access fault, again and again
    h.run(10);
    expect(csr(h, C.CSR_MCAUSE)).toBe(1n);
  });

  it('keeps its whole architectural state in the shared memory block', () => {
    const h = makeHart([ADDI_A0_1, J_BACK_4]);
    h.run(3);
    const copy = h.memory.u8.slice(h.memory.hartStateOffset(0), h.memory.hartStateOffset(0) + 1024);
    const pc = h.getPc();
    h.run(100);
    h.memory.u8.set(copy, h.memory.hartStateOffset(0));
    h.reloadState();
    expect(h.getPc()).toBe(pc);
    expect(h.getX(10)).toBe(2n);
  });
});
