/**
 * One RV64GC hart (RV64IMAFDC + Zicsr, Zifencei, Zihintpause, Zba, Zbb, Zbc, Zbs, Zicntr,
 * Zihpm, Sstc; M/S/U modes; Sv39/Sv48; PMP): an interpreter over a state block in shared memory.
 *
 * `run(budget)` executes up to `budget` instructions in one bounded slice with pc in int32
 * locals (V8 optimizes a returning loop far better than one that never returns), then comes
 * back with a RunExit. Interrupt lines are sampled at slice start and after any instruction
 * that can change interrupt state (CSR writes, xRET, MMIO stores); a scheduler calls run()
 * again after devices update their lines.
 *
 * Semantics live in small per-extension modules (execute/*.ts); this file owns decode, the
 * memory access paths (TLB fast path, translation + PMP slow path) and control flow.
 */
import type { TimeSource } from '../common/clock.js';
import * as C from '../isa/csr.js';
import type { PhysicalBus } from '../memory/bus.js';
import type { IrqLine } from '../memory/mmio.js';
import { RAM_BASE, type GuestMemory } from '../memory/ram.js';
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, Mmu, type AccessType } from '../mmu/mmu.js';
import { Pmp, PMP_R, PMP_W, PMP_X } from '../mmu/pmp.js';
import { Tlb, TLB_MASK } from '../mmu/tlb.js';
import { executeFp } from './execute/rvfd.js';
import { AMO_LR, AMO_SC, amo32, amo64, amoHi, amoLo, isAmo } from './execute/rva.js';
import { clmul, clz64, cpop32, ctz64, ctzw, orcb, rev8, rol64, ror64 } from './execute/rvb.js';
import { EXPANDED } from './execute/rvc.js';
import { add64, lt64, ltu64, sll64, sra64, srl64, sub64 } from './execute/rvi.js';
import { div, divu, divuw, divw, mul, mulh, mulhsu, mulhu, mulw } from './execute/rvm.js';
import { enterTrap, mret, sfenceAllowed, sret, takeInterrupt, wfiAllowed } from './execute/priv.js';
import { executeCsr } from './execute/zicsr.js';
import type { FpuState } from './fpu-state.js';
import {
  S_ATTENTION,
  S_END,
  S_F,
  S_FFLAGS,
  S_FRM,
  S_MCOUNTINHIBIT,
  S_MCYCLE,
  S_MENVCFG,
  S_MIE,
  S_MINSTRET,
  S_MIP,
  S_MIP_HW,
  S_MSTATUS,
  S_PC,
  S_PRIV,
  S_RES_ADDR,
  S_RES_SIZE,
  S_RES_VALID,
  S_RES_VALUE,
  S_SATP,
  S_STIMECMP,
  S_WFI,
  requestHartAttention,
  setHartInterruptLevel,
} from './state.js';

/** run() spent its budget. */
export const RUN_BUDGET = 0;
/** The hart executed WFI with no interrupt pending: sleep until an interrupt or timer deadline. */
export const RUN_WFI = 1;
/** The attention word was set (pause/stop requested): state is consistent, call run() to resume. */
export const RUN_ATTENTION = 2;
export type RunExit = typeof RUN_BUDGET | typeof RUN_WFI | typeof RUN_ATTENTION;

/** The ISA this hart implements, as a RISC-V ISA string (for the FDT's riscv,isa). */
export const HART_ISA = 'rv64imafdc_zicntr_zicsr_zifencei_zihintpause_zihpm_zba_zbb_zbc_zbs_sstc';

/** Writes a 64-bit result (low, high) to register pair d. */
function put(x: Int32Array, d: number, lo: number, hi: number): void {
  x[d] = lo;
  x[d + 1] = hi;
}

// event flags raised while executing an instruction
const EV_EXC = 1;
/** The instruction changed control state: reload pc from the state block, re-check interrupts. */
const EV_SYNC = 2;
/** The instruction wrote the next pc into the state block itself (xRET). */
const EV_PC = 4;
/** End the slice after this instruction (WFI). */
const EV_STOP = 8;

const TWO32 = 4294967296;
const FS_DIRTY = C.MSTATUS_FS;

export interface HartOptions {
  readonly memory: GuestMemory;
  readonly bus: PhysicalBus;
  readonly time: TimeSource;
  readonly hartId?: number;
  /**
   * Translation modes offered in satp (default Sv39 and Sv48; Linux takes the largest offered,
   * and fewer levels walk faster). QEMU 7.2 offers Sv57 too.
   */
  readonly sv39?: boolean;
  readonly sv48?: boolean;
  readonly sv57?: boolean;
  /** Reset pc (default RAM base; the virt board uses the mrom at 0x1000). */
  readonly resetPc?: number;
}

export class Hart {
  readonly hartId: number;
  readonly memory: GuestMemory;
  readonly bus: PhysicalBus;
  readonly time: TimeSource;
  /** The state block (see state.ts). x registers are at index 0, so s doubles as the x file. */
  readonly s: Int32Array;
  readonly fpu: FpuState;
  readonly pmp: Pmp;
  readonly mmu: Mmu;
  private readonly counters: Float64Array;
  private readonly resetPc: number;

  // views of the whole shared buffer (RAM at offset 0)
  private readonly m8: Uint8Array;
  private readonly i8: Int8Array;
  private readonly m16: Uint16Array;
  private readonly i16: Int16Array;
  private readonly m32: Int32Array;
  /** For 64-bit AMOs and SC (Atomics needs a BigInt64Array). */
  private readonly m64: BigInt64Array;
  private readonly dirty: Uint8Array;
  private readonly ramBytes: number;

  /**
   * TLB sets per translation context, so a privilege change (every syscall) or Linux toggling
   * SUM around user copies selects other sets instead of flushing: context 0 U, 1 S, 2 S with
   * SUM, 3 M. Fetches use the context of the current privilege, loads and stores that of the
   * MPRV-effective privilege.
   */
  private readonly tlbSetsX = [new Tlb(), new Tlb(), new Tlb(), new Tlb()];
  private readonly tlbSetsR = [new Tlb(), new Tlb(), new Tlb(), new Tlb()];
  private readonly tlbSetsW = [new Tlb(), new Tlb(), new Tlb(), new Tlb()];
  private tlbX: Tlb;
  private tlbR: Tlb;
  private tlbW: Tlb;
  private rTag: Int32Array;
  private rTagHi: Int32Array;
  private rOff: Int32Array;
  private wTag: Int32Array;
  private wTagHi: Int32Array;
  private wOff: Int32Array;

  /** Event flags of the current instruction. */
  ev = 0;
  private excCause = 0;
  private tvalLo = 0;
  private tvalHi = 0;
  /** High word of a CSR read (see csr.ts). */
  csrHi = 0;
  /** High word of the last 8-byte load. */
  private ldHi = 0;
  /** STIP as driven by Sstc (stimecmp <= time with menvcfg.STCE). */
  private sstcStip = 0;
  /** Instructions counted so far in the current slice (for instret/cycle reads). */
  private sliceN = 0;
  /** The current fetch page, filled by fetchSlow when the page can be cached. */
  private fPage = 1;
  private fPageHi = 0;
  private fBase = 0;

  constructor(options: HartOptions) {
    this.hartId = options.hartId ?? 0;
    this.memory = options.memory;
    this.bus = options.bus;
    this.time = options.time;
    this.resetPc = options.resetPc ?? RAM_BASE;
    const buffer = this.memory.buffer;
    const off = this.memory.hartStateOffset(this.hartId);
    this.s = new Int32Array(buffer, off, S_END);
    this.counters = new Float64Array(buffer, off, S_END / 2);
    this.fpu = {
      x: new Int32Array(buffer, off, 64),
      f: new Int32Array(buffer, off + S_F * 4, 64),
      f64: new Float64Array(buffer, off + S_F * 4, 32),
      f32: new Float32Array(buffer, off + S_F * 4, 64),
      frm: 0,
      fflags: 0,
    };
    this.ramBytes = this.memory.ramBytes;
    this.m8 = new Uint8Array(buffer, 0, this.ramBytes);
    this.i8 = new Int8Array(buffer, 0, this.ramBytes);
    this.m16 = new Uint16Array(buffer, 0, this.ramBytes >>> 1);
    this.i16 = new Int16Array(buffer, 0, this.ramBytes >>> 1);
    this.m32 = new Int32Array(buffer, 0, this.ramBytes >>> 2);
    this.m64 = new BigInt64Array(buffer, 0, this.ramBytes >>> 3);
    this.dirty = this.memory.dirty;
    this.pmp = new Pmp(this.s);
    this.mmu = new Mmu(buffer, this.ramBytes, this.pmp, {
      sv39: options.sv39 ?? true,
      sv48: options.sv48 ?? true,
      sv57: options.sv57 ?? false,
    });
    this.tlbX = this.tlbSetsX[3];
    this.tlbR = this.tlbSetsR[3];
    this.tlbW = this.tlbSetsW[3];
    this.rTag = this.tlbR.tagLo;
    this.rTagHi = this.tlbR.tagHi;
    this.rOff = this.tlbR.off;
    this.wTag = this.tlbW.tagLo;
    this.wTagHi = this.tlbW.tagHi;
    this.wOff = this.tlbW.off;
    this.reset();
  }

  /** Resets the hart as QEMU does: M-mode, pc at the reset vector, interrupts off, PMP off. */
  reset(): void {
    this.s.fill(0);
    this.s[S_MSTATUS + 1] = 0xa; // UXL = SXL = 64-bit
    this.s[S_PRIV] = C.PRV_M;
    this.s[S_PC] = this.resetPc | 0;
    this.s[S_PC + 1] = Math.floor(this.resetPc / TWO32) | 0;
    this.s[S_STIMECMP] = -1;
    this.s[S_STIMECMP + 1] = -1;
    this.fpu.frm = 0;
    this.fpu.fflags = 0;
    this.pmp.recompute();
    this.flushTlb();
    this.selectTlb();
  }

  // ---- public API ----

  get priv(): number {
    return this.s[S_PRIV];
  }

  getPc(): bigint {
    return (BigInt(this.s[S_PC + 1] >>> 0) << 32n) | BigInt(this.s[S_PC] >>> 0);
  }

  setPc(v: bigint | number): void {
    const b = BigInt.asUintN(64, BigInt(v));
    this.s[S_PC] = Number(b & 0xffffffffn) | 0;
    this.s[S_PC + 1] = Number(b >> 32n) | 0;
  }

  getX(i: number): bigint {
    return (BigInt(this.s[2 * i + 1]) << 32n) | BigInt(this.s[2 * i] >>> 0);
  }

  setX(i: number, v: bigint | number): void {
    if (i === 0) return;
    const b = BigInt.asUintN(64, BigInt(v));
    this.s[2 * i] = Number(b & 0xffffffffn) | 0;
    this.s[2 * i + 1] = Number(b >> 32n) | 0;
  }

  /** f register i as raw 64 bits. */
  getF(i: number): bigint {
    return (BigInt(this.s[S_F + 2 * i + 1] >>> 0) << 32n) | BigInt(this.s[S_F + 2 * i] >>> 0);
  }

  /**
   * Drives hardware interrupt-pending bits (MIP_MSIP, MIP_MTIP, MIP_SEIP, MIP_MEIP). Thread-safe:
   * the word is updated with Atomics; the hart samples it at slice boundaries and after
   * instructions that may change interrupt state.
   */
  setInterruptLevel(mask: number, level: boolean): void {
    setHartInterruptLevel(this.s, mask, level);
    this.ev |= EV_SYNC;
  }

  /** An IrqLine for one interrupt number (C.IRQ_MEI, IRQ_SEI, IRQ_MTI, IRQ_MSI): for CLINT/PLIC. */
  irqLine(irq: number): IrqLine {
    const mask = 1 << irq;
    return { set: (level: boolean) => this.setInterruptLevel(mask, level) };
  }

  /** Asks run() to return RUN_ATTENTION at the next check (any thread). */
  requestAttention(): void {
    requestHartAttention(this.s);
  }

  clearAttention(): void {
    Atomics.store(this.s, S_ATTENTION, 0);
  }

  /** True while the hart waits in WFI. */
  get waiting(): boolean {
    return this.s[S_WFI] !== 0;
  }

  /** mtime at which Sstc will raise STIP (Infinity when Sstc is off): a WFI sleep bound. */
  timerDeadline(): number {
    if ((this.s[S_MENVCFG + 1] & 0x80000000) === 0) return Infinity;
    return (this.s[S_STIMECMP] >>> 0) + (this.s[S_STIMECMP + 1] >>> 0) * TWO32;
  }

  /** Flushes the TLBs (derived state): after a snapshot restore, or a cleared dirty map. */
  flushTlb(): void {
    for (let c = 0; c < 4; c++) {
      this.tlbSetsX[c].flush();
      this.tlbSetsR[c].flush();
      this.tlbSetsW[c].flush();
    }
    this.fPage = 1;
  }

  /**
   * Selects the TLB sets for the current privilege and mstatus (MPRV, MPP, SUM): call after
   * any change of them. MXR changes flush instead (rare).
   */
  selectTlb(): void {
    const s = this.s;
    const priv = s[S_PRIV];
    const mst = s[S_MSTATUS];
    const sum = (mst & C.MSTATUS_SUM) !== 0;
    const ctx = (p: number): number => (p === C.PRV_M ? 3 : p === C.PRV_U ? 0 : sum ? 2 : 1);
    this.tlbX = this.tlbSetsX[ctx(priv)];
    const d = ctx(this.dataPriv());
    this.tlbR = this.tlbSetsR[d];
    this.tlbW = this.tlbSetsW[d];
    this.rTag = this.tlbR.tagLo;
    this.rTagHi = this.tlbR.tagHi;
    this.rOff = this.tlbR.off;
    this.wTag = this.tlbW.tagLo;
    this.wTagHi = this.tlbW.tagHi;
    this.wOff = this.tlbW.off;
    this.fPage = 1;
  }

  /** Current mip: software bits, hardware lines and Sstc's STIP. */
  mip(): number {
    let sw = this.s[S_MIP];
    if ((this.s[S_MENVCFG + 1] & 0x80000000) !== 0) sw &= ~C.MIP_STIP;
    return sw | Atomics.load(this.s, S_MIP_HW) | this.sstcStip;
  }

  /** Re-evaluates Sstc's STIP against the time source. */
  updateSstc(): void {
    if ((this.s[S_MENVCFG + 1] & 0x80000000) === 0) {
      this.sstcStip = 0;
      return;
    }
    const cmp = (this.s[S_STIMECMP] >>> 0) + (this.s[S_STIMECMP + 1] >>> 0) * TWO32;
    this.sstcStip = this.time.now() >= cmp ? C.MIP_STIP : 0;
    this.ev |= EV_SYNC;
  }

  requestInterruptCheck(): void {
    this.ev |= EV_SYNC;
  }

  markFsDirty(): void {
    this.s[S_MSTATUS] |= FS_DIRTY;
  }

  /** Raises a synchronous exception for the current instruction. */
  raise(cause: number, tvalLo: number, tvalHi: number): void {
    this.excCause = cause;
    this.tvalLo = tvalLo;
    this.tvalHi = tvalHi;
    this.ev |= EV_EXC;
  }

  instret(): number {
    const inhibit = (this.s[S_MCOUNTINHIBIT] & 4) !== 0;
    return this.counters[S_MINSTRET >> 1] + (inhibit ? 0 : Math.max(0, this.sliceN - 1));
  }

  cycle(): number {
    const inhibit = (this.s[S_MCOUNTINHIBIT] & 1) !== 0;
    return this.counters[S_MCYCLE >> 1] + (inhibit ? 0 : Math.max(0, this.sliceN - 1));
  }

  setInstret(v: number): void {
    this.counters[S_MINSTRET >> 1] = v - this.sliceN;
  }

  setCycle(v: number): void {
    this.counters[S_MCYCLE >> 1] = v - this.sliceN;
  }

  /** Writes JS-side state (fcsr) into the state block; call before copying it (snapshots). */
  syncState(): void {
    this.s[S_FFLAGS] = this.fpu.fflags;
    this.s[S_FRM] = this.fpu.frm;
  }

  /** Reloads JS-side state from the block after it was overwritten (snapshot restore). */
  reloadState(): void {
    this.fpu.fflags = this.s[S_FFLAGS];
    this.fpu.frm = this.s[S_FRM];
    this.pmp.recompute();
    this.flushTlb();
    this.selectTlb();
    this.updateSstc();
  }

  // ---- the interpreter ----

  /** Executes up to `budget` instructions (10k-100k is a good slice). */
  run(budget: number): RunExit {
    const s = this.s;
    if (Atomics.load(s, S_ATTENTION) !== 0) return RUN_ATTENTION;
    this.updateSstc();
    if (s[S_WFI] !== 0) {
      if ((this.mip() & s[S_MIE]) === 0) return RUN_WFI;
      s[S_WFI] = 0;
    }
    takeInterrupt(this);
    this.ev = 0;
    const x = s;
    const m16 = this.m16;
    const m32 = this.m32;
    const expanded = EXPANDED;
    const i8 = this.i8;
    const m8 = this.m8;
    const i16 = this.i16;
    let rTag = this.rTag;
    let rTagHi = this.rTagHi;
    let rOff = this.rOff;
    let wTag = this.wTag;
    let wTagHi = this.wTagHi;
    let wOff = this.wOff;
    let pcLo = s[S_PC];
    let pcHi = s[S_PC + 1];
    let fPage = 0;
    let fPageHi = 0;
    let fBase = 0;
    let fLimit = 0;
    let n = 0;
    let exit: RunExit = RUN_BUDGET;
    while (n < budget) {
      n++;
      let raw: number;
      let insn: number;
      let len = 4;
      // one compare covers "same page, not its last halfword" (fLimit is 0 when no page is cached)
      const po = (pcLo - fPage) | 0;
      if (po >>> 0 < fLimit && pcHi === fPageHi) {
        const hw = (fBase + po) >>> 1;
        raw = m16[hw];
        if ((raw & 3) === 3) {
          raw |= m16[hw + 1] << 16;
          insn = raw;
        } else {
          insn = expanded[raw];
          len = 2;
        }
      } else {
        raw = this.fetchSlow(pcLo, pcHi);
        if (this.ev !== 0) {
          this.ev = 0;
          this.sliceN = n;
          enterTrap(this, this.excCause, false, this.tvalLo, this.tvalHi, pcLo, pcHi);
          pcLo = s[S_PC];
          pcHi = s[S_PC + 1];
          fLimit = 0;
          rTag = this.rTag;
          rTagHi = this.rTagHi;
          rOff = this.rOff;
          wTag = this.wTag;
          wTagHi = this.wTagHi;
          wOff = this.wOff;
          continue;
        }
        fPage = this.fPage;
        fPageHi = this.fPageHi;
        fBase = this.fBase;
        fLimit = fPage === 1 ? 0 : 0xffe;
        if ((raw & 3) === 3) insn = raw;
        else {
          insn = EXPANDED[raw];
          len = 2;
        }
      }
      let npcLo = (pcLo + len) | 0;
      let npcHi = pcHi;
      if (npcLo >>> 0 < len) npcHi = (npcHi + 1) | 0;
      const rd = (insn >>> 6) & 62;
      const r1 = (insn >>> 14) & 62;
      const r2 = (insn >>> 19) & 62;
      switch (insn & 0x7f) {
        case 0x37: // LUI
          x[rd] = insn & 0xfffff000;
          x[rd + 1] = insn >> 31;
          break;
        case 0x17: {
          // AUIPC
          const imm = insn & 0xfffff000;
          const lo = (pcLo + imm) | 0;
          x[rd + 1] = (pcHi + (imm >> 31) + (lo >>> 0 < pcLo >>> 0 ? 1 : 0)) | 0;
          x[rd] = lo;
          break;
        }
        case 0x6f: {
          // JAL
          const imm = ((insn >> 11) & ~0xfffff) | (insn & 0xff000) | ((insn >>> 9) & 0x800) | ((insn >>> 20) & 0x7fe);
          const lo = (pcLo + imm) | 0;
          const hi = (pcHi + (imm >> 31) + (lo >>> 0 < pcLo >>> 0 ? 1 : 0)) | 0;
          x[rd] = npcLo;
          x[rd + 1] = npcHi;
          npcLo = lo;
          npcHi = hi;
          break;
        }
        case 0x67: {
          // JALR
          if ((insn & 0x7000) !== 0) {
            this.raise(C.EXC_ILLEGAL_INSN, raw, 0);
            break;
          }
          const imm = insn >> 20;
          const a = x[r1];
          const lo = (a + imm) | 0;
          const hi = (x[r1 + 1] + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          x[rd] = npcLo;
          x[rd + 1] = npcHi;
          npcLo = lo & ~1;
          npcHi = hi;
          break;
        }
        case 0x63: {
          // BRANCH
          const alo = x[r1];
          const ahi = x[r1 + 1];
          const blo = x[r2];
          const bhi = x[r2 + 1];
          let taken: boolean;
          switch ((insn >>> 12) & 7) {
            case 0:
              taken = alo === blo && ahi === bhi;
              break;
            case 1:
              taken = alo !== blo || ahi !== bhi;
              break;
            case 4:
              taken = ahi < bhi || (ahi === bhi && alo >>> 0 < blo >>> 0);
              break;
            case 5:
              taken = ahi > bhi || (ahi === bhi && alo >>> 0 >= blo >>> 0);
              break;
            case 6:
              taken = ahi >>> 0 < bhi >>> 0 || (ahi === bhi && alo >>> 0 < blo >>> 0);
              break;
            case 7:
              taken = ahi >>> 0 > bhi >>> 0 || (ahi === bhi && alo >>> 0 >= blo >>> 0);
              break;
            default:
              this.raise(C.EXC_ILLEGAL_INSN, raw, 0);
              taken = false;
          }
          if (taken) {
            const imm =
              ((insn >> 19) & ~0xfff) | ((insn << 4) & 0x800) | ((insn >>> 20) & 0x7e0) | ((insn >>> 7) & 0x1e);
            const lo = (pcLo + imm) | 0;
            npcHi = (pcHi + (imm >> 31) + (lo >>> 0 < pcLo >>> 0 ? 1 : 0)) | 0;
            npcLo = lo;
          }
          break;
        }
        case 0x03: {
          // LOAD
          const imm = insn >> 20;
          const b = x[r1];
          const alo = (b + imm) | 0;
          const ahi = (x[r1 + 1] + (imm >> 31) + (alo >>> 0 < b >>> 0 ? 1 : 0)) | 0;
          const vpn = alo >>> 12;
          const ti = vpn & TLB_MASK;
          const hit = rTag[ti] === vpn && rTagHi[ti] === ahi;
          const off = rOff[ti] + (alo & 0xfff);
          switch ((insn >>> 12) & 7) {
            case 0: {
              const v = hit ? i8[off] : (this.loadSlow(alo, ahi, 1) << 24) >> 24;
              if (this.ev & EV_EXC) break; // EV_SYNC alone (an MMIO read moved an IRQ line, e.g. a PLIC claim) must still write rd
              x[rd] = v;
              x[rd + 1] = v >> 31;
              break;
            }
            case 1: {
              const v = hit && (alo & 1) === 0 ? i16[off >>> 1] : (this.loadSlow(alo, ahi, 2) << 16) >> 16;
              if (this.ev & EV_EXC) break;
              x[rd] = v;
              x[rd + 1] = v >> 31;
              break;
            }
            case 2: {
              const v = hit && (alo & 3) === 0 ? m32[off >>> 2] : this.loadSlow(alo, ahi, 4);
              if (this.ev & EV_EXC) break;
              x[rd] = v;
              x[rd + 1] = v >> 31;
              break;
            }
            case 3: {
              if (hit && (alo & 7) === 0) {
                const w = off >>> 2;
                x[rd] = m32[w];
                x[rd + 1] = m32[w + 1];
              } else {
                const v = this.loadSlow(alo, ahi, 8);
                if (this.ev & EV_EXC) break;
                x[rd] = v;
                x[rd + 1] = this.ldHi;
              }
              break;
            }
            case 4: {
              const v = hit ? m8[off] : this.loadSlow(alo, ahi, 1) & 0xff;
              if (this.ev & EV_EXC) break;
              x[rd] = v;
              x[rd + 1] = 0;
              break;
            }
            case 5: {
              const v = hit && (alo & 1) === 0 ? m16[off >>> 1] : this.loadSlow(alo, ahi, 2) & 0xffff;
              if (this.ev & EV_EXC) break;
              x[rd] = v;
              x[rd + 1] = 0;
              break;
            }
            case 6: {
              const v = hit && (alo & 3) === 0 ? m32[off >>> 2] : this.loadSlow(alo, ahi, 4);
              if (this.ev & EV_EXC) break;
              x[rd] = v;
              x[rd + 1] = 0;
              break;
            }
            default:
              this.raise(C.EXC_ILLEGAL_INSN, raw, 0);
          }
          break;
        }
        case 0x23: {
          // STORE
          const imm = ((insn >> 20) & ~31) | ((insn >>> 7) & 31);
          const b = x[r1];
          const alo = (b + imm) | 0;
          const ahi = (x[r1 + 1] + (imm >> 31) + (alo >>> 0 < b >>> 0 ? 1 : 0)) | 0;
          const vpn = alo >>> 12;
          const ti = vpn & TLB_MASK;
          const hit = wTag[ti] === vpn && wTagHi[ti] === ahi;
          const off = wOff[ti] + (alo & 0xfff);
          const v = x[r2];
          switch ((insn >>> 12) & 7) {
            case 0:
              if (hit) m8[off] = v;
              else this.storeSlow(alo, ahi, 1, v, 0);
              break;
            case 1:
              if (hit && (alo & 1) === 0) m16[off >>> 1] = v;
              else this.storeSlow(alo, ahi, 2, v, 0);
              break;
            case 2:
              if (hit && (alo & 3) === 0) m32[off >>> 2] = v;
              else this.storeSlow(alo, ahi, 4, v, 0);
              break;
            case 3:
              if (hit && (alo & 7) === 0) {
                const w = off >>> 2;
                m32[w] = v;
                m32[w + 1] = x[r2 + 1];
              } else this.storeSlow(alo, ahi, 8, v, x[r2 + 1]);
              break;
            default:
              this.raise(C.EXC_ILLEGAL_INSN, raw, 0);
          }
          break;
        }
        case 0x13: {
          // OP-IMM
          const imm = insn >> 20;
          const a = x[r1];
          const ah = x[r1 + 1];
          switch ((insn >>> 12) & 7) {
            case 0: {
              const lo = (a + imm) | 0;
              x[rd + 1] = (ah + (imm >> 31) + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
              x[rd] = lo;
              break;
            }
            case 2: {
              const t = lt64(a, ah, imm, imm >> 31) ? 1 : 0;
              x[rd] = t;
              x[rd + 1] = 0;
              break;
            }
            case 3: {
              const t = ltu64(a, ah, imm, imm >> 31) ? 1 : 0;
              x[rd] = t;
              x[rd + 1] = 0;
              break;
            }
            case 4:
              x[rd] = a ^ imm;
              x[rd + 1] = ah ^ (imm >> 31);
              break;
            case 6:
              x[rd] = a | imm;
              x[rd + 1] = ah | (imm >> 31);
              break;
            case 7:
              x[rd] = a & imm;
              x[rd + 1] = ah & (imm >> 31);
              break;
            case 1:
              this.opImmShiftLeft(insn, raw, rd, a, ah);
              break;
            default:
              this.opImmShiftRight(insn, raw, rd, a, ah);
          }
          break;
        }
        case 0x33: {
          // OP
          const a = x[r1];
          const ah = x[r1 + 1];
          const b = x[r2];
          const bh = x[r2 + 1];
          const f7 = insn >>> 25;
          const f3 = (insn >>> 12) & 7;
          if (f7 === 0) {
            switch (f3) {
              case 0: {
                const lo = (a + b) | 0;
                x[rd + 1] = (ah + bh + (lo >>> 0 < a >>> 0 ? 1 : 0)) | 0;
                x[rd] = lo;
                break;
              }
              case 1:
                sll64(x, rd, a, ah, b & 63);
                break;
              case 2: {
                const t = lt64(a, ah, b, bh) ? 1 : 0;
                x[rd] = t;
                x[rd + 1] = 0;
                break;
              }
              case 3: {
                const t = ltu64(a, ah, b, bh) ? 1 : 0;
                x[rd] = t;
                x[rd + 1] = 0;
                break;
              }
              case 4:
                x[rd] = a ^ b;
                x[rd + 1] = ah ^ bh;
                break;
              case 5:
                srl64(x, rd, a, ah, b & 63);
                break;
              case 6:
                x[rd] = a | b;
                x[rd + 1] = ah | bh;
                break;
              default:
                x[rd] = a & b;
                x[rd + 1] = ah & bh;
            }
          } else if (f7 === 0x20 && f3 === 0) {
            sub64(x, rd, a, ah, b, bh);
          } else if (f7 === 1) {
            switch (f3) {
              case 0:
                mul(x, rd, a, ah, b, bh);
                break;
              case 1:
                mulh(x, rd, a, ah, b, bh);
                break;
              case 2:
                mulhsu(x, rd, a, ah, b, bh);
                break;
              case 3:
                mulhu(x, rd, a, ah, b, bh);
                break;
              case 4:
                div(x, rd, a, ah, b, bh, false);
                break;
              case 5:
                divu(x, rd, a, ah, b, bh, false);
                break;
              case 6:
                div(x, rd, a, ah, b, bh, true);
                break;
              default:
                divu(x, rd, a, ah, b, bh, true);
            }
          } else {
            this.opOther(insn, raw, rd, a, ah, b, bh);
          }
          break;
        }
        case 0x1b: {
          // OP-IMM-32
          const a = x[r1];
          const f3 = (insn >>> 12) & 7;
          const f7 = insn >>> 25;
          const sh = (insn >>> 20) & 31;
          let r: number;
          if (f3 === 0) r = (a + (insn >> 20)) | 0;
          else if (f3 === 1 && f7 === 0) r = a << sh;
          else if (f3 === 5 && f7 === 0) r = a >>> sh;
          else if (f3 === 5 && f7 === 0x20) r = a >> sh;
          else {
            this.opImm32Other(insn, raw, rd, a, x[r1 + 1]);
            break;
          }
          x[rd] = r;
          x[rd + 1] = r >> 31;
          break;
        }
        case 0x3b: {
          // OP-32
          const a = x[r1];
          const b = x[r2];
          const f3 = (insn >>> 12) & 7;
          const f7 = insn >>> 25;
          let r: number;
          if (f7 === 0) {
            if (f3 === 0) r = (a + b) | 0;
            else if (f3 === 1) r = a << (b & 31);
            else if (f3 === 5) r = a >>> (b & 31);
            else {
              this.op32Other(insn, raw, rd, a, x[r1 + 1], b);
              break;
            }
          } else if (f7 === 0x20) {
            if (f3 === 0) r = (a - b) | 0;
            else if (f3 === 5) r = a >> (b & 31);
            else {
              this.raise(C.EXC_ILLEGAL_INSN, raw, 0);
              break;
            }
          } else if (f7 === 1) {
            if (f3 === 0) mulw(x, rd, a, b);
            else if (f3 === 4) divw(x, rd, a, b, false);
            else if (f3 === 5) divuw(x, rd, a, b, false);
            else if (f3 === 6) divw(x, rd, a, b, true);
            else if (f3 === 7) divuw(x, rd, a, b, true);
            else this.raise(C.EXC_ILLEGAL_INSN, raw, 0);
            break;
          } else {
            this.op32Other(insn, raw, rd, a, x[r1 + 1], b);
            break;
          }
          x[rd] = r;
          x[rd + 1] = r >> 31;
          break;
        }
        case 0x0f: {
          // MISC-MEM: FENCE (incl. FENCE.TSO, PAUSE) and FENCE.I. Memory is coherent and no
          // decoded code is cached, so both only need to exist.
          const f3 = (insn >>> 12) & 7;
          if (f3 > 1) this.raise(C.EXC_ILLEGAL_INSN, raw, 0);
          break;
        }
        case 0x73:
          this.sliceN = n;
          this.system(insn, raw, npcLo, npcHi);
          break;
        case 0x2f:
          this.sliceN = n;
          this.atomic(insn, raw, rd, r1, r2);
          break;
        case 0x07:
        case 0x27:
          this.fpLoadStore(insn, raw);
          break;
        case 0x43:
        case 0x47:
        case 0x4b:
        case 0x4f:
        case 0x53:
          if ((s[S_MSTATUS] & C.MSTATUS_FS) === 0 || executeFp(this.fpu, insn) < 0) {
            this.raise(C.EXC_ILLEGAL_INSN, raw, 0);
          } else s[S_MSTATUS] |= FS_DIRTY;
          break;
        default:
          this.raise(C.EXC_ILLEGAL_INSN, raw, 0);
      }
      x[0] = 0;
      x[1] = 0;
      if (this.ev !== 0) {
        const ev = this.ev;
        this.ev = 0;
        this.sliceN = n;
        if ((ev & EV_EXC) !== 0) {
          enterTrap(this, this.excCause, false, this.tvalLo, this.tvalHi, pcLo, pcHi);
        } else if ((ev & EV_PC) === 0) {
          s[S_PC] = npcLo;
          s[S_PC + 1] = npcHi;
        }
        if ((ev & EV_STOP) !== 0) {
          exit = RUN_WFI;
          pcLo = s[S_PC];
          pcHi = s[S_PC + 1];
          break;
        }
        takeInterrupt(this);
        this.ev = 0;
        pcLo = s[S_PC];
        pcHi = s[S_PC + 1];
        fLimit = 0;
        // the instruction may have changed the translation context
        rTag = this.rTag;
        rTagHi = this.rTagHi;
        rOff = this.rOff;
        wTag = this.wTag;
        wTagHi = this.wTagHi;
        wOff = this.wOff;
        continue;
      }
      pcLo = npcLo;
      pcHi = npcHi;
    }
    s[S_PC] = pcLo;
    s[S_PC + 1] = pcHi;
    this.retire(n);
    return exit;
  }

  private retire(n: number): void {
    const inhibit = this.s[S_MCOUNTINHIBIT];
    if ((inhibit & 4) === 0) this.counters[S_MINSTRET >> 1] += n;
    if ((inhibit & 1) === 0) this.counters[S_MCYCLE >> 1] += n;
    this.sliceN = 0;
    this.s[S_FFLAGS] = this.fpu.fflags;
    this.s[S_FRM] = this.fpu.frm;
  }

  // ---- less frequent integer forms (Zba/Zbb/Zbc/Zbs, shifts by immediate) ----

  private illegal(raw: number): void {
    this.raise(C.EXC_ILLEGAL_INSN, raw, 0);
  }

  private opImmShiftLeft(insn: number, raw: number, rd: number, a: number, ah: number): void {
    const x = this.s;
    const f6 = insn >>> 26;
    const sh = (insn >>> 20) & 63;
    if (f6 === 0) sll64(x, rd, a, ah, sh);
    else if (f6 === 0x0a) {
      // BSETI
      if (sh < 32) put(x, rd, a | (1 << sh), ah);
      else put(x, rd, a, ah | (1 << (sh - 32)));
    } else if (f6 === 0x12) {
      // BCLRI
      if (sh < 32) put(x, rd, a & ~(1 << sh), ah);
      else put(x, rd, a, ah & ~(1 << (sh - 32)));
    } else if (f6 === 0x1a) {
      // BINVI
      if (sh < 32) put(x, rd, a ^ (1 << sh), ah);
      else put(x, rd, a, ah ^ (1 << (sh - 32)));
    } else if (insn >>> 25 === 0x30) {
      let r: number;
      switch (sh) {
        case 0:
          r = clz64(a, ah);
          break;
        case 1:
          r = ctz64(a, ah);
          break;
        case 2:
          r = cpop32(a) + cpop32(ah);
          break;
        case 4:
          r = (a << 24) >> 24;
          x[rd] = r;
          x[rd + 1] = r >> 31;
          return;
        case 5:
          r = (a << 16) >> 16;
          x[rd] = r;
          x[rd + 1] = r >> 31;
          return;
        default:
          this.illegal(raw);
          return;
      }
      x[rd] = r;
      x[rd + 1] = 0;
    } else this.illegal(raw);
  }

  private opImmShiftRight(insn: number, raw: number, rd: number, a: number, ah: number): void {
    const x = this.s;
    const f6 = insn >>> 26;
    const sh = (insn >>> 20) & 63;
    if (f6 === 0) srl64(x, rd, a, ah, sh);
    else if (f6 === 0x10) sra64(x, rd, a, ah, sh);
    else if (f6 === 0x18) ror64(x, rd, a, ah, sh);
    else if (f6 === 0x12) {
      // BEXTI
      x[rd] = sh < 32 ? (a >>> sh) & 1 : (ah >>> (sh - 32)) & 1;
      x[rd + 1] = 0;
    } else if (insn >>> 20 === 0x287) orcb(x, rd, a, ah);
    else if (insn >>> 20 === 0x6b8) rev8(x, rd, a, ah);
    else this.illegal(raw);
  }

  private opImm32Other(insn: number, raw: number, rd: number, a: number, ah: number): void {
    const x = this.s;
    const f3 = (insn >>> 12) & 7;
    const f7 = insn >>> 25;
    const sh = (insn >>> 20) & 31;
    if (f3 === 1 && insn >>> 26 === 0x02) {
      // SLLI.UW
      sll64(x, rd, a, 0, (insn >>> 20) & 63);
      return;
    }
    let r: number;
    if (f3 === 1 && f7 === 0x30) {
      if (sh === 0) r = Math.clz32(a);
      else if (sh === 1) r = ctzw(a);
      else if (sh === 2) r = cpop32(a);
      else return this.illegal(raw);
    } else if (f3 === 5 && f7 === 0x30) {
      r = sh === 0 ? a : (a >>> sh) | (a << (32 - sh));
    } else return this.illegal(raw);
    x[rd] = r;
    x[rd + 1] = r >> 31;
    void ah;
  }

  private op32Other(insn: number, raw: number, rd: number, a: number, ah: number, b: number): void {
    const x = this.s;
    const f3 = (insn >>> 12) & 7;
    const f7 = insn >>> 25;
    const bh = x[((insn >>> 19) & 62) + 1];
    if (f7 === 0x04 && f3 === 0) {
      // ADD.UW: rs2 + zext32(rs1)
      add64(x, rd, b, bh, a, 0);
    } else if (f7 === 0x04 && f3 === 4 && ((insn >>> 20) & 31) === 0) {
      // ZEXT.H
      x[rd] = a & 0xffff;
      x[rd + 1] = 0;
    } else if (f7 === 0x10 && (f3 === 2 || f3 === 4 || f3 === 6)) {
      // SHnADD.UW: rs2 + (zext32(rs1) << n)
      const n = f3 >>> 1;
      const slo = a << n;
      const shi = a >>> (32 - n);
      add64(x, rd, b, bh, slo, shi);
    } else if (f7 === 0x30 && (f3 === 1 || f3 === 5)) {
      const n = (f3 === 1 ? b : -b) & 31;
      const r = n === 0 ? a : (a << n) | (a >>> (32 - n));
      x[rd] = r;
      x[rd + 1] = r >> 31;
    } else this.illegal(raw);
    void ah;
  }

  private opOther(insn: number, raw: number, rd: number, a: number, ah: number, b: number, bh: number): void {
    const x = this.s;
    const f3 = (insn >>> 12) & 7;
    switch (insn >>> 25) {
      case 0x20:
        if (f3 === 5) sra64(x, rd, a, ah, b & 63);
        else if (f3 === 4) put(x, rd, ~(a ^ b), ~(ah ^ bh));
        else if (f3 === 6) put(x, rd, a | ~b, ah | ~bh);
        else if (f3 === 7) put(x, rd, a & ~b, ah & ~bh);
        else this.illegal(raw);
        return;
      case 0x10:
        if (f3 === 2 || f3 === 4 || f3 === 6) {
          const n = f3 >>> 1;
          add64(x, rd, b, bh, a << n, (ah << n) | (a >>> (32 - n)));
        } else this.illegal(raw);
        return;
      case 0x05:
        switch (f3) {
          case 1:
            clmul(x, rd, a, ah, b, bh, 0);
            return;
          case 2:
            clmul(x, rd, a, ah, b, bh, 2);
            return;
          case 3:
            clmul(x, rd, a, ah, b, bh, 1);
            return;
          case 4: {
            const lt = lt64(a, ah, b, bh);
            x[rd] = lt ? a : b;
            x[rd + 1] = lt ? ah : bh;
            return;
          }
          case 5: {
            const lt = ltu64(a, ah, b, bh);
            x[rd] = lt ? a : b;
            x[rd + 1] = lt ? ah : bh;
            return;
          }
          case 6: {
            const lt = lt64(a, ah, b, bh);
            x[rd] = lt ? b : a;
            x[rd + 1] = lt ? bh : ah;
            return;
          }
          case 7: {
            const lt = ltu64(a, ah, b, bh);
            x[rd] = lt ? b : a;
            x[rd + 1] = lt ? bh : ah;
            return;
          }
          default:
            this.illegal(raw);
            return;
        }
      case 0x30:
        if (f3 === 1) rol64(x, rd, a, ah, b & 63);
        else if (f3 === 5) ror64(x, rd, a, ah, b & 63);
        else this.illegal(raw);
        return;
      case 0x24:
      case 0x34:
      case 0x14: {
        const f7 = insn >>> 25;
        const sh = b & 63;
        const mlo = sh < 32 ? 1 << sh : 0;
        const mhi = sh < 32 ? 0 : 1 << (sh - 32);
        if (f7 === 0x24 && f3 === 1) put(x, rd, a & ~mlo, ah & ~mhi);
        else if (f7 === 0x24 && f3 === 5) put(x, rd, (a & mlo) !== 0 || (ah & mhi) !== 0 ? 1 : 0, 0);
        else if (f7 === 0x34 && f3 === 1) put(x, rd, a ^ mlo, ah ^ mhi);
        else if (f7 === 0x14 && f3 === 1) put(x, rd, a | mlo, ah | mhi);
        else this.illegal(raw);
        return;
      }
      default:
        this.illegal(raw);
    }
  }

  // ---- SYSTEM ----

  private system(insn: number, raw: number, npcLo: number, npcHi: number): void {
    const s = this.s;
    if (((insn >>> 12) & 7) !== 0) {
      if (((insn >>> 12) & 7) === 4) return this.illegal(raw);
      executeCsr(this, insn);
      this.ev |= EV_SYNC;
      return;
    }
    switch (insn) {
      case 0x00000073: // ECALL: cause 8 + privilege (U 8, S 9, M 11)
        this.raise(C.EXC_ECALL_U + s[S_PRIV], 0, 0);
        return;
      case 0x00100073: // EBREAK: QEMU 7.2 leaves tval 0
        this.raise(C.EXC_BREAKPOINT, 0, 0);
        return;
      case 0x30200073:
        if (mret(this)) this.ev |= EV_PC | EV_SYNC;
        else this.illegal(raw);
        return;
      case 0x10200073:
        if (sret(this)) this.ev |= EV_PC | EV_SYNC;
        else this.illegal(raw);
        return;
      case 0x10500073:
        if (!wfiAllowed(this)) return this.illegal(raw);
        this.updateSstc();
        if ((this.mip() & s[S_MIE]) === 0) {
          s[S_WFI] = 1;
          s[S_PC] = npcLo;
          s[S_PC + 1] = npcHi;
          this.ev |= EV_PC | EV_STOP;
        }
        return;
      default:
        if (insn >>> 25 === 0x09 && (insn & 0x7fff) === 0x73) {
          // SFENCE.VMA: this TLB has no ASIDs, so every form flushes everything
          if (!sfenceAllowed(this)) return this.illegal(raw);
          this.flushTlb();
          this.ev |= EV_SYNC;
          return;
        }
        this.illegal(raw);
    }
  }

  // ---- memory access slow paths ----

  /** Effective privilege for loads and stores (Priv §3.1.6.3: MPRV applies to them only). */
  private dataPriv(): number {
    const s = this.s;
    const priv = s[S_PRIV];
    if (priv === C.PRV_M && (s[S_MSTATUS] & C.MSTATUS_MPRV) !== 0) return (s[S_MSTATUS] >>> C.MSTATUS_MPP_SHIFT) & 3;
    return priv;
  }

  /** Virtual to physical for one access; -1 after raising the fault. */
  private translate(lo: number, hi: number, access: AccessType, priv: number): number {
    const s = this.s;
    if (priv === C.PRV_M || s[S_SATP + 1] >>> 28 === 0) return (lo >>> 0) + (hi >>> 0) * TWO32;
    const mst = s[S_MSTATUS];
    const pa = this.mmu.translate(lo, hi, access, priv, s[S_SATP], s[S_SATP + 1], (mst & C.MSTATUS_SUM) !== 0, (mst & C.MSTATUS_MXR) !== 0);
    if (pa < 0) this.raise(this.mmu.cause, lo, hi);
    return pa;
  }

  /** Enters the page into `tlb` when the whole page is RAM and passes PMP for `perm`. */
  private fillTlb(tlb: Tlb, lo: number, hi: number, pa: number, perm: number, priv: number): boolean {
    const page = pa - (lo & 0xfff);
    const off = page - RAM_BASE;
    if (off < 0 || off + 4096 > this.ramBytes) return false;
    if (!this.pmp.check(page, 4096, perm, priv)) return false;
    tlb.fill(lo, hi, off);
    if (perm === PMP_W) this.dirty[off >>> 12] = 1;
    return true;
  }

  private readRam(off: number, size: number): number {
    const m8 = this.m8;
    switch (size) {
      case 1:
        return m8[off];
      case 2:
        return m8[off] | (m8[off + 1] << 8);
      case 4:
        return m8[off] | (m8[off + 1] << 8) | (m8[off + 2] << 16) | (m8[off + 3] << 24);
      default:
        this.ldHi = m8[off + 4] | (m8[off + 5] << 8) | (m8[off + 6] << 16) | (m8[off + 7] << 24);
        return m8[off] | (m8[off + 1] << 8) | (m8[off + 2] << 16) | (m8[off + 3] << 24);
    }
  }

  private writeRam(off: number, size: number, lo: number, hi: number): void {
    const m8 = this.m8;
    for (let k = 0; k < size && k < 4; k++) m8[off + k] = lo >>> (8 * k);
    for (let k = 4; k < size; k++) m8[off + k] = hi >>> (8 * (k - 4));
    this.dirty[off >>> 12] = 1;
    this.dirty[(off + size - 1) >>> 12] = 1;
  }

  /**
   * Physical read of 1/2/4/8 bytes (RAM or MMIO), after translation and PMP. Returns the low
   * word (8 bytes: high word in ldHi); raises `fault` when nothing answers.
   */
  private physRead(pa: number, size: number, fault: number, lo: number, hi: number): number {
    const off = pa - RAM_BASE;
    if (off >= 0 && off + size <= this.ramBytes) return this.readRam(off, size);
    if (size === 8) {
      const r = this.bus.read64(pa);
      if (r === undefined) {
        this.raise(fault, lo, hi);
        return 0;
      }
      this.ldHi = r[1] | 0;
      return r[0] | 0;
    }
    const v = this.bus.read(pa, size as 1 | 2 | 4);
    if (v === undefined) {
      this.raise(fault, lo, hi);
      return 0;
    }
    return v | 0;
  }

  private physWrite(pa: number, size: number, vlo: number, vhi: number, lo: number, hi: number): void {
    const off = pa - RAM_BASE;
    if (off >= 0 && off + size <= this.ramBytes) {
      this.writeRam(off, size, vlo, vhi);
      return;
    }
    const ok = size === 8 ? this.bus.write64(pa, vlo, vhi) : this.bus.write(pa, size as 1 | 2 | 4, vlo);
    if (!ok) this.raise(C.EXC_STORE_ACCESS, lo, hi);
    // a device may have changed interrupt lines
    this.ev |= EV_SYNC;
  }

  /** Load that missed the TLB (or is misaligned): translate, PMP, then RAM or MMIO. */
  private loadSlow(lo: number, hi: number, size: number): number {
    if ((lo & 0xfff) + size > 0x1000) return this.loadSplit(lo, hi, size);
    const priv = this.dataPriv();
    const pa = this.translate(lo, hi, ACCESS_LOAD, priv);
    if (pa < 0) return 0;
    if (!this.pmp.check(pa, size, PMP_R, priv)) {
      this.raise(C.EXC_LOAD_ACCESS, lo, hi);
      return 0;
    }
    this.fillTlb(this.tlbR, lo, hi, pa, PMP_R, priv);
    return this.physRead(pa, size, C.EXC_LOAD_ACCESS, lo, hi);
  }

  /** A misaligned load crossing a page: byte by byte, faulting on the first bad byte (as QEMU). */
  private loadSplit(lo: number, hi: number, size: number): number {
    let vlo = 0;
    let vhi = 0;
    for (let k = 0; k < size; k++) {
      const alo = (lo + k) | 0;
      const ahi = alo >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi;
      const b = this.loadSlow(alo, ahi, 1) & 0xff;
      if (this.ev & EV_EXC) return 0;
      if (k < 4) vlo |= b << (8 * k);
      else vhi |= b << (8 * (k - 4));
    }
    this.ldHi = vhi;
    return vlo;
  }

  private storeSlow(lo: number, hi: number, size: number, vlo: number, vhi: number): void {
    const priv = this.dataPriv();
    if ((lo & 0xfff) + size > 0x1000) {
      // probe both pages before writing anything (QEMU does the same)
      const hi2 = ((lo | 0xfff) + 1) >>> 0 === 0 ? (hi + 1) | 0 : hi;
      const lo2 = ((lo | 0xfff) + 1) | 0;
      const p1 = this.translate(lo, hi, ACCESS_STORE, priv);
      if (p1 < 0) return;
      if (!this.pmp.check(p1, 1, PMP_W, priv)) return this.raise(C.EXC_STORE_ACCESS, lo, hi);
      const p2 = this.translate(lo2, hi2, ACCESS_STORE, priv);
      if (p2 < 0) return;
      if (!this.pmp.check(p2, 1, PMP_W, priv)) return this.raise(C.EXC_STORE_ACCESS, lo2, hi2);
      for (let k = 0; k < size; k++) {
        const alo = (lo + k) | 0;
        const ahi = alo >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi;
        const byte = k < 4 ? vlo >>> (8 * k) : vhi >>> (8 * (k - 4));
        this.storeSlow(alo, ahi, 1, byte, 0);
        if (this.ev & EV_EXC) return;
      }
      return;
    }
    const pa = this.translate(lo, hi, ACCESS_STORE, priv);
    if (pa < 0) return;
    if (!this.pmp.check(pa, size, PMP_W, priv)) return this.raise(C.EXC_STORE_ACCESS, lo, hi);
    this.fillTlb(this.tlbW, lo, hi, pa, PMP_W, priv);
    this.physWrite(pa, size, vlo, vhi, lo, hi);
  }

  /** Fetches one halfword; fills the fetch TLB / page cache when `cache`. */
  private fetch16(lo: number, hi: number, cache: boolean): number {
    const vpn = lo >>> 12;
    const i = vpn & TLB_MASK;
    const t = this.tlbX;
    if (t.tagLo[i] === vpn && t.tagHi[i] === hi) {
      if (cache) this.setFetchPage(lo, hi, t.off[i]);
      return this.m16[(t.off[i] + (lo & 0xfff)) >>> 1];
    }
    const priv = this.s[S_PRIV];
    const pa = this.translate(lo, hi, ACCESS_FETCH, priv);
    if (pa < 0) return 0;
    if (!this.pmp.check(pa, 2, PMP_X, priv)) {
      this.raise(C.EXC_INSN_ACCESS, lo, hi);
      return 0;
    }
    if (this.fillTlb(t, lo, hi, pa, PMP_X, priv)) {
      if (cache) this.setFetchPage(lo, hi, t.off[i]);
    }
    return this.physRead(pa, 2, C.EXC_INSN_ACCESS, lo, hi) & 0xffff;
  }

  private setFetchPage(lo: number, hi: number, off: number): void {
    this.fPage = lo & ~0xfff;
    this.fPageHi = hi;
    this.fBase = off;
  }

  /** Instruction fetch outside the cached page: returns the raw bits (16 or 32). */
  private fetchSlow(lo: number, hi: number): number {
    this.fPage = 1;
    const h0 = this.fetch16(lo, hi, true);
    if (this.ev & EV_EXC) return 0;
    if ((h0 & 3) !== 3) return h0;
    const lo2 = (lo + 2) | 0;
    const hi2 = lo2 >>> 0 < lo >>> 0 ? (hi + 1) | 0 : hi;
    const h1 = this.fetch16(lo2, hi2, false);
    if (this.ev & EV_EXC) return 0;
    return h0 | (h1 << 16);
  }

  // ---- A extension ----

  private atomic(insn: number, raw: number, rd: number, r1: number, r2: number): void {
    const s = this.s;
    const f3 = (insn >>> 12) & 7;
    const f5 = insn >>> 27;
    if ((f3 !== 2 && f3 !== 3) || !isAmo(f5) || (f5 === AMO_LR && r2 !== 0)) return this.illegal(raw);
    const size = f3 === 2 ? 4 : 8;
    const lo = s[r1];
    const hi = s[r1 + 1];
    const priv = this.dataPriv();
    if (f5 === AMO_LR) {
      if ((lo & (size - 1)) !== 0) return this.raise(C.EXC_LOAD_MISALIGNED, lo, hi);
      const pa = this.translate(lo, hi, ACCESS_LOAD, priv);
      if (pa < 0) return;
      if (!this.pmp.check(pa, size, PMP_R, priv)) return this.raise(C.EXC_LOAD_ACCESS, lo, hi);
      const vlo = this.physRead(pa, size, C.EXC_LOAD_ACCESS, lo, hi);
      if (this.ev & EV_EXC) return;
      const vhi = size === 8 ? this.ldHi : vlo >> 31;
      s[S_RES_VALID] = 1;
      s[S_RES_ADDR] = lo;
      s[S_RES_ADDR + 1] = hi;
      s[S_RES_VALUE] = vlo;
      s[S_RES_VALUE + 1] = vhi;
      s[S_RES_SIZE] = size;
      s[rd] = vlo;
      s[rd + 1] = vhi;
      return;
    }
    if (f5 === AMO_SC) {
      // QEMU: an SC whose address differs from the reservation fails without accessing memory
      if (s[S_RES_VALID] === 0 || s[S_RES_ADDR] !== lo || s[S_RES_ADDR + 1] !== hi || s[S_RES_SIZE] !== size) {
        s[S_RES_VALID] = 0;
        s[rd] = 1;
        s[rd + 1] = 0;
        return;
      }
      if ((lo & (size - 1)) !== 0) return this.raise(C.EXC_STORE_MISALIGNED, lo, hi);
      const pa = this.translate(lo, hi, ACCESS_STORE, priv);
      if (pa < 0) return;
      if (!this.pmp.check(pa, size, PMP_W, priv)) return this.raise(C.EXC_STORE_ACCESS, lo, hi);
      s[S_RES_VALID] = 0;
      const off = pa - RAM_BASE;
      let same: boolean;
      if (off >= 0 && off + size <= this.ramBytes) {
        // compare-and-exchange against the value LR saw (atomic across hart threads)
        if (size === 4) same = Atomics.compareExchange(this.m32, off >>> 2, s[S_RES_VALUE], s[r2]) === s[S_RES_VALUE];
        else {
          const expect = (BigInt(s[S_RES_VALUE + 1]) << 32n) | BigInt(s[S_RES_VALUE] >>> 0);
          const value = (BigInt(s[r2 + 1]) << 32n) | BigInt(s[r2] >>> 0);
          same = Atomics.compareExchange(this.m64, off >>> 3, expect, value) === expect;
        }
        if (same) this.dirty[off >>> 12] = 1;
      } else {
        const clo = this.physRead(pa, size, C.EXC_STORE_ACCESS, lo, hi);
        if (this.ev & EV_EXC) return;
        same = clo === s[S_RES_VALUE] && (size === 4 || this.ldHi === s[S_RES_VALUE + 1]);
        if (same) {
          this.physWrite(pa, size, s[r2], s[r2 + 1], lo, hi);
          if (this.ev & EV_EXC) return;
        }
      }
      s[rd] = same ? 0 : 1;
      s[rd + 1] = 0;
      return;
    }
    // A misaligned AMO raises load-address-misaligned on QEMU 7.2 (its atomic helpers probe
    // alignment as a load); page and access faults are store/AMO faults.
    if ((lo & (size - 1)) !== 0) return this.raise(C.EXC_LOAD_MISALIGNED, lo, hi);
    const pa = this.translate(lo, hi, ACCESS_STORE, priv);
    if (pa < 0) return;
    if (!this.pmp.check(pa, size, PMP_R, priv) || !this.pmp.check(pa, size, PMP_W, priv)) {
      return this.raise(C.EXC_STORE_ACCESS, lo, hi);
    }
    const blo = s[r2];
    const bhi = s[r2 + 1];
    const off = pa - RAM_BASE;
    if (off >= 0 && off + size <= this.ramBytes) {
      // RAM: a compare-and-exchange loop, atomic across hart threads
      this.dirty[off >>> 12] = 1;
      if (size === 4) {
        const m32 = this.m32;
        const i = off >>> 2;
        let old = Atomics.load(m32, i);
        for (;;) {
          const seen = Atomics.compareExchange(m32, i, old, amo32(f5, old, blo));
          if (seen === old) break;
          old = seen;
        }
        s[rd] = old;
        s[rd + 1] = old >> 31;
      } else {
        const m64 = this.m64;
        const i = off >>> 3;
        let old = Atomics.load(m64, i);
        for (;;) {
          const olo = Number(BigInt.asIntN(32, old));
          const ohi = Number(old >> 32n);
          amo64(f5, olo, ohi, blo, bhi);
          const seen = Atomics.compareExchange(m64, i, old, (BigInt(amoHi) << 32n) | BigInt(amoLo >>> 0));
          if (seen === old) {
            s[rd] = olo;
            s[rd + 1] = ohi;
            break;
          }
          old = seen;
        }
      }
      return;
    }
    // MMIO: read-modify-write through the bus
    const olo = this.physRead(pa, size, C.EXC_STORE_ACCESS, lo, hi);
    if (this.ev & EV_EXC) return;
    if (size === 4) {
      const v = amo32(f5, olo, blo);
      this.physWrite(pa, 4, v, 0, lo, hi);
      if (this.ev & EV_EXC) return;
      s[rd] = olo;
      s[rd + 1] = olo >> 31;
    } else {
      const ohi = this.ldHi;
      amo64(f5, olo, ohi, blo, bhi);
      this.physWrite(pa, 8, amoLo, amoHi, lo, hi);
      if (this.ev & EV_EXC) return;
      s[rd] = olo;
      s[rd + 1] = ohi;
    }
  }

  // ---- F/D loads and stores (the arithmetic is in execute/rvfd.ts) ----

  private fpLoadStore(insn: number, raw: number): void {
    const s = this.s;
    const f3 = (insn >>> 12) & 7;
    if ((s[S_MSTATUS] & C.MSTATUS_FS) === 0 || (f3 !== 2 && f3 !== 3)) return this.illegal(raw);
    const size = f3 === 2 ? 4 : 8;
    const r1 = (insn >>> 14) & 62;
    const store = (insn & 0x7f) === 0x27;
    const imm = store ? ((insn >> 20) & ~31) | ((insn >>> 7) & 31) : insn >> 20;
    const b = s[r1];
    const lo = (b + imm) | 0;
    const hi = (s[r1 + 1] + (imm >> 31) + (lo >>> 0 < b >>> 0 ? 1 : 0)) | 0;
    const vpn = lo >>> 12;
    const ti = vpn & TLB_MASK;
    if (store) {
      const f = S_F + ((insn >>> 19) & 62);
      if (this.wTag[ti] === vpn && this.wTagHi[ti] === hi && (lo & (size - 1)) === 0) {
        const w = (this.wOff[ti] + (lo & 0xfff)) >>> 2;
        this.m32[w] = s[f];
        if (size === 8) this.m32[w + 1] = s[f + 1];
      } else this.storeSlow(lo, hi, size, s[f], s[f + 1]);
      return;
    }
    let v: number;
    if (this.rTag[ti] === vpn && this.rTagHi[ti] === hi && (lo & (size - 1)) === 0) {
      const w = (this.rOff[ti] + (lo & 0xfff)) >>> 2;
      v = this.m32[w];
      this.ldHi = this.m32[w + 1];
    } else v = this.loadSlow(lo, hi, size);
    if (this.ev & EV_EXC) return;
    const f = S_F + ((insn >>> 6) & 62);
    s[f] = v;
    s[f + 1] = size === 4 ? -1 : this.ldHi; // NaN-box singles
    s[S_MSTATUS] |= FS_DIRTY;
  }
}
