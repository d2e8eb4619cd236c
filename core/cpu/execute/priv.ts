/**
 * Privileged instructions and trap entry (Priv §3.1.6.1, §3.3, §3.1.9, §4.2.1): trap delegation,
 * interrupt selection with the spec's priorities, MRET/SRET/WFI/SFENCE.VMA.
 */
import * as C from '../../isa/csr.js';
import type { Hart } from '../hart.js';
import {
  S_MCAUSE,
  S_MEDELEG,
  S_MEPC,
  S_MIDELEG,
  S_MIE,
  S_MSTATUS,
  S_MTVAL,
  S_MTVEC,
  S_PC,
  S_PRIV,
  S_SCAUSE,
  S_SEPC,
  S_STVAL,
  S_STVEC,
  S_WFI,
} from '../state.js';

/** After a privilege or mstatus change: the hart picks the TLB sets of the new context. */
function contextChanged(h: Hart, oldPriv: number, oldMstatus: number): void {
  const s = h.s;
  if (s[S_PRIV] !== oldPriv || s[S_MSTATUS] !== oldMstatus) h.selectTlb();
}

/**
 * Enters a trap: `cause` is the exception code or interrupt number, epc the pc to return to.
 * Traps from S or U go to S-mode when medeleg/mideleg delegates them (Priv §3.1.8).
 */
export function enterTrap(h: Hart, cause: number, interrupt: boolean, tvalLo: number, tvalHi: number, epcLo: number, epcHi: number): void {
  const s = h.s;
  const priv = s[S_PRIV];
  const deleg = interrupt ? s[S_MIDELEG] : s[S_MEDELEG];
  const oldMstatus = s[S_MSTATUS];
  let mst = oldMstatus;
  let tvecLo: number;
  let tvecHi: number;
  if (priv <= C.PRV_S && ((deleg >>> cause) & 1) !== 0) {
    s[S_SEPC] = epcLo;
    s[S_SEPC + 1] = epcHi;
    s[S_SCAUSE] = cause;
    s[S_SCAUSE + 1] = interrupt ? 0x80000000 | 0 : 0;
    s[S_STVAL] = tvalLo;
    s[S_STVAL + 1] = tvalHi;
    mst = (mst & ~(C.MSTATUS_SPIE | C.MSTATUS_SIE | C.MSTATUS_SPP)) |
      ((mst & C.MSTATUS_SIE) !== 0 ? C.MSTATUS_SPIE : 0) |
      (priv === C.PRV_S ? C.MSTATUS_SPP : 0);
    s[S_PRIV] = C.PRV_S;
    tvecLo = s[S_STVEC];
    tvecHi = s[S_STVEC + 1];
  } else {
    s[S_MEPC] = epcLo;
    s[S_MEPC + 1] = epcHi;
    s[S_MCAUSE] = cause;
    s[S_MCAUSE + 1] = interrupt ? 0x80000000 | 0 : 0;
    s[S_MTVAL] = tvalLo;
    s[S_MTVAL + 1] = tvalHi;
    mst = (mst & ~(C.MSTATUS_MPIE | C.MSTATUS_MIE | C.MSTATUS_MPP)) |
      ((mst & C.MSTATUS_MIE) !== 0 ? C.MSTATUS_MPIE : 0) |
      (priv << C.MSTATUS_MPP_SHIFT);
    s[S_PRIV] = C.PRV_M;
    tvecLo = s[S_MTVEC];
    tvecHi = s[S_MTVEC + 1];
  }
  s[S_MSTATUS] = mst;
  // vectored mode: interrupts go to BASE + 4*cause
  let pc = tvecLo & ~3;
  if ((tvecLo & 3) === 1 && interrupt) pc = (pc + 4 * cause) | 0;
  s[S_PC] = pc;
  s[S_PC + 1] = tvecHi;
  contextChanged(h, priv, oldMstatus);
}

/** Interrupt numbers in decreasing priority (Priv §3.1.9): MEI, MSI, MTI, SEI, SSI, STI. */
const PRIORITY = [C.IRQ_MEI, C.IRQ_MSI, C.IRQ_MTI, C.IRQ_SEI, C.IRQ_SSI, C.IRQ_STI];

/** The interrupt the hart should take now, or -1. */
export function pendingInterrupt(h: Hart): number {
  const s = h.s;
  const pending = h.mip() & s[S_MIE];
  if (pending === 0) return -1;
  const priv = s[S_PRIV];
  const mst = s[S_MSTATUS];
  const mideleg = s[S_MIDELEG];
  let take = 0;
  const mLevel = pending & ~mideleg;
  if (mLevel !== 0 && (priv < C.PRV_M || (mst & C.MSTATUS_MIE) !== 0)) take = mLevel;
  else {
    const sLevel = pending & mideleg;
    if (sLevel !== 0 && (priv < C.PRV_S || (priv === C.PRV_S && (mst & C.MSTATUS_SIE) !== 0))) take = sLevel;
  }
  if (take === 0) return -1;
  for (const irq of PRIORITY) if ((take >>> irq) & 1) return irq;
  return -1;
}

/** Takes a pending, enabled interrupt if there is one (pc in the state block is the epc). */
export function takeInterrupt(h: Hart): boolean {
  const irq = pendingInterrupt(h);
  if (irq < 0) return false;
  const s = h.s;
  s[S_WFI] = 0;
  enterTrap(h, irq, true, 0, 0, s[S_PC], s[S_PC + 1]);
  return true;
}

/** MRET (Priv §3.3.2). Returns false when illegal (not in M-mode). Writes the new pc to the state. */
export function mret(h: Hart): boolean {
  const s = h.s;
  if (s[S_PRIV] !== C.PRV_M) return false;
  const oldMstatus = s[S_MSTATUS];
  let mst = oldMstatus;
  const mpp = (mst >>> C.MSTATUS_MPP_SHIFT) & 3;
  mst = (mst & ~(C.MSTATUS_MIE | C.MSTATUS_MPP)) | ((mst & C.MSTATUS_MPIE) !== 0 ? C.MSTATUS_MIE : 0) | C.MSTATUS_MPIE;
  if (mpp !== C.PRV_M) mst &= ~C.MSTATUS_MPRV;
  s[S_MSTATUS] = mst;
  s[S_PRIV] = mpp;
  s[S_PC] = s[S_MEPC];
  s[S_PC + 1] = s[S_MEPC + 1];
  contextChanged(h, C.PRV_M, oldMstatus);
  return true;
}

/** SRET: illegal in U-mode, and in S-mode when mstatus.TSR is set. */
export function sret(h: Hart): boolean {
  const s = h.s;
  const priv = s[S_PRIV];
  const oldMstatus = s[S_MSTATUS];
  let mst = oldMstatus;
  if (priv === C.PRV_U || (priv === C.PRV_S && (mst & C.MSTATUS_TSR) !== 0)) return false;
  const spp = (mst & C.MSTATUS_SPP) !== 0 ? C.PRV_S : C.PRV_U;
  mst = (mst & ~(C.MSTATUS_SIE | C.MSTATUS_SPP | C.MSTATUS_MPRV)) | ((mst & C.MSTATUS_SPIE) !== 0 ? C.MSTATUS_SIE : 0) | C.MSTATUS_SPIE;
  s[S_MSTATUS] = mst;
  s[S_PRIV] = spp;
  s[S_PC] = s[S_SEPC];
  s[S_PC + 1] = s[S_SEPC + 1];
  contextChanged(h, priv, oldMstatus);
  return true;
}

/** WFI is illegal in U-mode (S-mode exists) and in S-mode when mstatus.TW is set (Priv §3.1.6.5). */
export function wfiAllowed(h: Hart): boolean {
  const priv = h.s[S_PRIV];
  if (priv === C.PRV_M) return true;
  if (priv === C.PRV_U) return false;
  return (h.s[S_MSTATUS] & C.MSTATUS_TW) === 0;
}

/** SFENCE.VMA is illegal in U-mode and in S-mode when mstatus.TVM is set. */
export function sfenceAllowed(h: Hart): boolean {
  const priv = h.s[S_PRIV];
  if (priv === C.PRV_M) return true;
  if (priv === C.PRV_U) return false;
  return (h.s[S_MSTATUS] & C.MSTATUS_TVM) === 0;
}
