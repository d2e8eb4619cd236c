/**
 * The CSR table, after QEMU's csr.c: one entry per implemented CSR with a predicate (returns an
 * exception code, or -1 when the access is allowed), a read and an optional write (absent:
 * the CSR is read-only). Values are 64-bit as (low, high) int32 halves: `read` returns the low
 * word and leaves the high word in `h.csrHi`; `write` receives both halves of the new value
 * (already combined with the old one by CSRRS/CSRRC).
 *
 * The generic rules of Priv §2.1 (privilege from bits 9:8, read-only from bits 11:10) are
 * checked by the CSR instructions in execute/zicsr.ts before an entry's predicate.
 */
import * as C from '../isa/csr.js';
import type { Hart } from './hart.js';
import {
  S_MCOUNTEREN,
  S_MCOUNTINHIBIT,
  S_MEDELEG,
  S_MENVCFG,
  S_MIDELEG,
  S_MIE,
  S_MIP,
  S_MSTATUS,
  S_MTVEC,
  S_PMPADDR,
  S_SATP,
  S_SCOUNTEREN,
  S_STIMECMP,
  S_STVEC,
  S_MSCRATCH,
  S_MEPC,
  S_MCAUSE,
  S_MTVAL,
  S_SSCRATCH,
  S_SEPC,
  S_SCAUSE,
  S_STVAL,
  S_SENVCFG,
} from './state.js';

export interface CsrSpec {
  readonly name: string;
  /** -1 when the access is allowed, else the exception to raise (illegal instruction). */
  readonly predicate?: (h: Hart, write: boolean) => number;
  readonly read: (h: Hart) => number;
  readonly write?: (h: Hart, lo: number, hi: number) => void;
  /**
   * The value CSRRS/CSRRC set or clear bits in, when it differs from what `read` returns (high
   * half in h.csrHi): mip, whose SEIP reads as the OR of the software bit and the PLIC's line.
   */
  readonly readToModify?: (h: Hart) => number;
}

const OK = -1;
const ILLEGAL = C.EXC_ILLEGAL_INSN;

/** misa: RV64 (MXL=2) with I, M, A, F, D, C, S, U. Read-only, as QEMU's virt CPU by default. */
export const MISA_LO = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);
export const MISA_HI = 0x80000000 | 0;

/** mstatus bits M-mode may write (Priv §3.1.6); UXL/SXL are fixed at 2 (64-bit). */
const MSTATUS_WRITABLE =
  C.MSTATUS_SIE |
  C.MSTATUS_MIE |
  C.MSTATUS_SPIE |
  C.MSTATUS_MPIE |
  C.MSTATUS_SPP |
  C.MSTATUS_MPP |
  C.MSTATUS_FS |
  C.MSTATUS_MPRV |
  C.MSTATUS_SUM |
  C.MSTATUS_MXR |
  C.MSTATUS_TVM |
  C.MSTATUS_TW |
  C.MSTATUS_TSR;
/** The sstatus view of mstatus. */
const SSTATUS_MASK = C.MSTATUS_SIE | C.MSTATUS_SPIE | C.MSTATUS_SPP | C.MSTATUS_FS | C.MSTATUS_XS | C.MSTATUS_VS | C.MSTATUS_SUM | C.MSTATUS_MXR;
const SSTATUS_WRITABLE = C.MSTATUS_SIE | C.MSTATUS_SPIE | C.MSTATUS_SPP | C.MSTATUS_FS | C.MSTATUS_SUM | C.MSTATUS_MXR;
/** Bits of mstatus that select the TLB context (see Hart.selectTlb); MXR changes flush. */
const MSTATUS_TLB_CONTEXT = C.MSTATUS_MPRV | C.MSTATUS_MPP | C.MSTATUS_SUM;
/** UXL = SXL = 2 in the high word. */
const MSTATUS_HI_FIXED = 0x0000000a;

/**
 * Exceptions medeleg can hold: 0-9, 11, 12, 13, 15, as QEMU without H (bit 11, ECALL from
 * M-mode, is writable although such a trap is never delegated).
 */
export const MEDELEG_WRITABLE = 0xbbff;
/** Interrupts mideleg can delegate: SSI, STI, SEI. */
export const MIDELEG_WRITABLE = C.MIP_SSIP | C.MIP_STIP | C.MIP_SEIP;
/** Implemented interrupt enables. */
const MIE_WRITABLE = C.MIP_SSIP | C.MIP_MSIP | C.MIP_STIP | C.MIP_MTIP | C.MIP_SEIP | C.MIP_MEIP;
/** menvcfg: FIOM (bit 0) and STCE (bit 63). */
const MENVCFG_STCE_HI = 0x80000000 | 0;

const fsOff = (h: Hart): boolean => (h.s[S_MSTATUS] & C.MSTATUS_FS) === 0;
const fpPredicate = (h: Hart): number => (fsOff(h) ? ILLEGAL : OK);

/** Zicntr/Zihpm access: mcounteren (and scounteren for U) gate each counter (Priv §3.1.11). */
function counterPredicate(index: number): (h: Hart) => number {
  return (h) => {
    const priv = h.priv;
    if (priv === C.PRV_M) return OK;
    if (((h.s[S_MCOUNTEREN] >>> index) & 1) === 0) return ILLEGAL;
    if (priv === C.PRV_U && ((h.s[S_SCOUNTEREN] >>> index) & 1) === 0) return ILLEGAL;
    return OK;
  };
}

/** A plain 64-bit register in the state block with a writable mask. */
function reg(name: string, at: number, maskLo: number, maskHi: number, after?: (h: Hart) => void): CsrSpec {
  return {
    name,
    read: (h) => {
      h.csrHi = h.s[at + 1];
      return h.s[at];
    },
    write: (h, lo, hi) => {
      h.s[at] = (h.s[at] & ~maskLo) | (lo & maskLo);
      h.s[at + 1] = (h.s[at + 1] & ~maskHi) | (hi & maskHi);
      if (after !== undefined) after(h);
    },
  };
}

/** A read-only constant. */
function constant(name: string, lo: number, hi = 0): CsrSpec {
  return {
    name,
    read: (h) => {
      h.csrHi = hi;
      return lo;
    },
  };
}

/** A writable CSR that reads as zero (WARL with no legal non-zero value). */
function zeroWarl(name: string): CsrSpec {
  return { name, read: (h) => ((h.csrHi = 0), 0), write: () => {} };
}

function tvec(name: string, at: number): CsrSpec {
  return {
    name,
    read: (h) => {
      h.csrHi = h.s[at + 1];
      return h.s[at];
    },
    // MODE >= 2 is reserved: QEMU ignores such writes
    write: (h, lo, hi) => {
      if ((lo & 3) >= 2) return;
      h.s[at] = lo;
      h.s[at + 1] = hi;
    },
  };
}

function readMstatus(h: Hart): number {
  const lo = h.s[S_MSTATUS];
  const dirty = (lo & C.MSTATUS_FS) === C.MSTATUS_FS;
  h.csrHi = MSTATUS_HI_FIXED | (dirty ? C.MSTATUS_HI_SD : 0);
  return lo;
}

function writeMstatus(h: Hart, lo: number, mask: number): void {
  const old = h.s[S_MSTATUS];
  let v = (old & ~mask) | (lo & mask);
  // MPP is WARL: H-mode (2) is not implemented, legalize to U as Spike does
  if (((v >>> C.MSTATUS_MPP_SHIFT) & 3) === 2) v &= ~C.MSTATUS_MPP;
  h.s[S_MSTATUS] = v;
  h.s[S_MSTATUS + 1] = MSTATUS_HI_FIXED;
  if (((old ^ v) & C.MSTATUS_MXR) !== 0) h.flushTlb();
  if (((old ^ v) & (MSTATUS_TLB_CONTEXT | C.MSTATUS_MXR)) !== 0) h.selectTlb();
  h.requestInterruptCheck();
}

function readCounter(h: Hart, instret: boolean): number {
  const v = instret ? h.instret() : h.cycle();
  h.csrHi = Math.floor(v / 4294967296) | 0;
  return v % 4294967296 | 0;
}

function pmpcfg(index: number): CsrSpec {
  // pmpcfg0 holds entries 0-7, pmpcfg2 entries 8-15 (RV64)
  const first = index * 4;
  return {
    name: `pmpcfg${index}`,
    read: (h) => {
      let lo = 0;
      let hi = 0;
      for (let k = 0; k < 4; k++) lo |= h.pmp.cfgByte(first + k) << (8 * k);
      for (let k = 0; k < 4; k++) hi |= h.pmp.cfgByte(first + 4 + k) << (8 * k);
      h.csrHi = hi;
      return lo;
    },
    write: (h, lo, hi) => {
      for (let k = 0; k < 4; k++) h.pmp.writeCfg(first + k, (lo >>> (8 * k)) & 0xff);
      for (let k = 0; k < 4; k++) h.pmp.writeCfg(first + 4 + k, (hi >>> (8 * k)) & 0xff);
      h.pmp.recompute();
      h.flushTlb();
    },
  };
}

function pmpaddr(i: number): CsrSpec {
  return {
    name: `pmpaddr${i}`,
    read: (h) => {
      h.csrHi = h.s[S_PMPADDR + 2 * i + 1];
      return h.s[S_PMPADDR + 2 * i];
    },
    write: (h, lo, hi) => {
      h.pmp.writeAddr(i, lo, hi);
      h.pmp.recompute();
      h.flushTlb();
    },
  };
}

function buildTable(): (CsrSpec | undefined)[] {
  const t: (CsrSpec | undefined)[] = new Array<CsrSpec | undefined>(4096).fill(undefined);
  const fpDirty = (h: Hart): void => h.markFsDirty();

  t[C.CSR_FFLAGS] = {
    name: 'fflags',
    predicate: fpPredicate,
    read: (h) => ((h.csrHi = 0), h.fpu.fflags),
    write: (h, lo) => {
      h.fpu.fflags = lo & 31;
      fpDirty(h);
    },
  };
  t[C.CSR_FRM] = {
    name: 'frm',
    predicate: fpPredicate,
    read: (h) => ((h.csrHi = 0), h.fpu.frm),
    write: (h, lo) => {
      h.fpu.frm = lo & 7;
      fpDirty(h);
    },
  };
  t[C.CSR_FCSR] = {
    name: 'fcsr',
    predicate: fpPredicate,
    read: (h) => ((h.csrHi = 0), (h.fpu.frm << 5) | h.fpu.fflags),
    write: (h, lo) => {
      h.fpu.frm = (lo >>> 5) & 7;
      h.fpu.fflags = lo & 31;
      fpDirty(h);
    },
  };

  // Zicntr / Zihpm user views
  t[C.CSR_CYCLE] = { name: 'cycle', predicate: counterPredicate(0), read: (h) => readCounter(h, false) };
  t[C.CSR_TIME] = {
    name: 'time',
    predicate: counterPredicate(1),
    read: (h) => {
      const v = h.time.now();
      h.csrHi = Math.floor(v / 4294967296) | 0;
      return v % 4294967296 | 0;
    },
  };
  t[C.CSR_INSTRET] = { name: 'instret', predicate: counterPredicate(2), read: (h) => readCounter(h, true) };
  for (let k = 3; k < 32; k++) {
    t[C.CSR_CYCLE + k] = { name: `hpmcounter${k}`, predicate: counterPredicate(k), read: (h) => ((h.csrHi = 0), 0) };
    t[C.CSR_MCYCLE + k] = zeroWarl(`mhpmcounter${k}`);
    t[C.CSR_MCOUNTINHIBIT + k] = zeroWarl(`mhpmevent${k}`);
  }

  // Supervisor
  t[C.CSR_SSTATUS] = {
    name: 'sstatus',
    read: (h) => {
      const lo = readMstatus(h) & SSTATUS_MASK;
      h.csrHi &= ~C.MSTATUS_HI_SXL; // sstatus shows UXL and SD only
      return lo;
    },
    write: (h, lo) => writeMstatus(h, lo, SSTATUS_WRITABLE),
  };
  t[C.CSR_SIE] = {
    name: 'sie',
    read: (h) => ((h.csrHi = 0), h.s[S_MIE] & h.s[S_MIDELEG]),
    write: (h, lo) => {
      const d = h.s[S_MIDELEG];
      h.s[S_MIE] = (h.s[S_MIE] & ~d) | (lo & d & MIE_WRITABLE);
      h.requestInterruptCheck();
    },
  };
  t[C.CSR_STVEC] = tvec('stvec', S_STVEC);
  t[C.CSR_SCOUNTEREN] = reg('scounteren', S_SCOUNTEREN, -1, 0);
  t[C.CSR_SENVCFG] = reg('senvcfg', S_SENVCFG, 1, 0);
  t[C.CSR_SSCRATCH] = reg('sscratch', S_SSCRATCH, -1, -1);
  t[C.CSR_SEPC] = reg('sepc', S_SEPC, ~1, -1);
  t[C.CSR_SCAUSE] = reg('scause', S_SCAUSE, -1, -1);
  t[C.CSR_STVAL] = reg('stval', S_STVAL, -1, -1);
  t[C.CSR_SIP] = {
    name: 'sip',
    read: (h) => ((h.csrHi = 0), h.mip() & h.s[S_MIDELEG]),
    // only SSIP is writable through sip, and only when delegated
    write: (h, lo) => {
      const m = h.s[S_MIDELEG] & C.MIP_SSIP;
      h.s[S_MIP] = (h.s[S_MIP] & ~m) | (lo & m);
      h.requestInterruptCheck();
    },
  };
  t[C.CSR_STIMECMP] = {
    name: 'stimecmp',
    // Sstc: from S-mode only when menvcfg.STCE and mcounteren.TM
    predicate: (h) =>
      h.priv === C.PRV_M || ((h.s[S_MENVCFG + 1] & MENVCFG_STCE_HI) !== 0 && (h.s[S_MCOUNTEREN] & 2) !== 0) ? OK : ILLEGAL,
    read: (h) => {
      h.csrHi = h.s[S_STIMECMP + 1];
      return h.s[S_STIMECMP];
    },
    write: (h, lo, hi) => {
      h.s[S_STIMECMP] = lo;
      h.s[S_STIMECMP + 1] = hi;
      h.updateSstc();
    },
  };
  t[C.CSR_SATP] = {
    name: 'satp',
    predicate: (h) => (h.priv === C.PRV_S && (h.s[S_MSTATUS] & C.MSTATUS_TVM) !== 0 ? ILLEGAL : OK),
    read: (h) => {
      h.csrHi = h.s[S_SATP + 1];
      return h.s[S_SATP];
    },
    // an unsupported MODE makes the whole write ignored (Priv §4.1.11, as QEMU)
    write: (h, lo, hi) => {
      if (!h.mmu.modeSupported(hi >>> 28)) return;
      h.s[S_SATP] = lo;
      h.s[S_SATP + 1] = hi;
      h.flushTlb();
    },
  };

  // Machine information
  t[C.CSR_MVENDORID] = constant('mvendorid', 0);
  t[C.CSR_MARCHID] = constant('marchid', 0);
  t[C.CSR_MIMPID] = constant('mimpid', 0);
  t[C.CSR_MHARTID] = { name: 'mhartid', read: (h) => ((h.csrHi = 0), h.hartId) };
  t[C.CSR_MCONFIGPTR] = constant('mconfigptr', 0);

  // Machine trap setup and handling
  t[C.CSR_MSTATUS] = { name: 'mstatus', read: readMstatus, write: (h, lo) => writeMstatus(h, lo, MSTATUS_WRITABLE) };
  t[C.CSR_MISA] = { name: 'misa', read: (h) => ((h.csrHi = MISA_HI), MISA_LO), write: () => {} };
  t[C.CSR_MEDELEG] = reg('medeleg', S_MEDELEG, MEDELEG_WRITABLE, 0);
  t[C.CSR_MIDELEG] = reg('mideleg', S_MIDELEG, MIDELEG_WRITABLE, 0, (h) => h.requestInterruptCheck());
  t[C.CSR_MIE] = reg('mie', S_MIE, MIE_WRITABLE, 0, (h) => h.requestInterruptCheck());
  t[C.CSR_MTVEC] = tvec('mtvec', S_MTVEC);
  t[C.CSR_MCOUNTEREN] = reg('mcounteren', S_MCOUNTEREN, -1, 0);
  t[C.CSR_MENVCFG] = reg('menvcfg', S_MENVCFG, 1, MENVCFG_STCE_HI, (h) => h.updateSstc());
  t[C.CSR_MCOUNTINHIBIT] = reg('mcountinhibit', S_MCOUNTINHIBIT, ~2, 0);
  t[C.CSR_MSCRATCH] = reg('mscratch', S_MSCRATCH, -1, -1);
  t[C.CSR_MEPC] = reg('mepc', S_MEPC, ~1, -1);
  t[C.CSR_MCAUSE] = reg('mcause', S_MCAUSE, -1, -1);
  t[C.CSR_MTVAL] = reg('mtval', S_MTVAL, -1, -1);
  t[C.CSR_MIP] = {
    name: 'mip',
    read: (h) => ((h.csrHi = 0), h.mip()),
    // Priv §3.1.9: CSRRS/CSRRC modify only the software-writable SEIP bit, never the external
    // interrupt signal ORed into what CSRR reads. (OpenSBI sets SSIP with csrs mip while the PLIC
    // may hold SEIP high: copying the line into the software bit would latch SEIP for good.)
    readToModify: (h) => ((h.csrHi = 0), (h.mip() & ~C.MIP_SEIP) | (h.s[S_MIP] & C.MIP_SEIP)),
    // SSIP and SEIP (software view) are writable; STIP too unless Sstc drives it (menvcfg.STCE)
    write: (h, lo) => {
      let m = C.MIP_SSIP | C.MIP_SEIP | C.MIP_STIP;
      if ((h.s[S_MENVCFG + 1] & MENVCFG_STCE_HI) !== 0) m &= ~C.MIP_STIP;
      h.s[S_MIP] = (h.s[S_MIP] & ~m) | (lo & m);
      h.requestInterruptCheck();
    },
  };
  // 16 entries as QEMU 7.2: pmpcfg0/pmpcfg2 (odd numbers are illegal on RV64), pmpaddr0-15
  t[C.CSR_PMPCFG0] = pmpcfg(0);
  t[C.CSR_PMPCFG0 + 2] = pmpcfg(2);
  for (let i = 0; i < 16; i++) t[C.CSR_PMPADDR0 + i] = pmpaddr(i);

  // Machine counters
  t[C.CSR_MCYCLE] = {
    name: 'mcycle',
    read: (h) => readCounter(h, false),
    write: (h, lo, hi) => h.setCycle((lo >>> 0) + (hi >>> 0) * 4294967296),
  };
  t[C.CSR_MINSTRET] = {
    name: 'minstret',
    read: (h) => readCounter(h, true),
    write: (h, lo, hi) => h.setInstret((lo >>> 0) + (hi >>> 0) * 4294967296),
  };
  return t;
}

/** CSR_TABLE[number] is the CSR's spec, or undefined when not implemented (illegal). */
export const CSR_TABLE: readonly (CsrSpec | undefined)[] = buildTable();
