/**
 * Virtual-memory translation (Priv §4.3-4.6): Bare, Sv39, Sv48, Sv57 with all page sizes, U/SUM/MXR
 * permission checks and hardware A/D updates as QEMU does them (the walker sets A, and D on a
 * store, in the PTE). Page-table reads are PMP-checked as S-mode accesses; a PMP or bus failure
 * there is an access fault of the original access type.
 */
import {
  EXC_INSN_ACCESS,
  EXC_INSN_PAGE_FAULT,
  EXC_LOAD_ACCESS,
  EXC_LOAD_PAGE_FAULT,
  EXC_STORE_ACCESS,
  EXC_STORE_PAGE_FAULT,
  PRV_S,
  PRV_U,
  SATP_MODE_SV39,
  SATP_MODE_SV48,
  SATP_MODE_SV57,
} from '../isa/csr.js';
import { RAM_BASE } from '../memory/ram.js';
import { PMP_R, type Pmp } from './pmp.js';

export const ACCESS_FETCH = 0;
export const ACCESS_LOAD = 1;
export const ACCESS_STORE = 2;
export type AccessType = 0 | 1 | 2;

const PTE_V = 1;
const PTE_R = 2;
const PTE_W = 4;
const PTE_X = 8;
const PTE_U = 16;
const PTE_A = 64;
const PTE_D = 128;
const TWO32 = 4294967296;

export const PAGE_FAULT: readonly number[] = [EXC_INSN_PAGE_FAULT, EXC_LOAD_PAGE_FAULT, EXC_STORE_PAGE_FAULT];
export const ACCESS_FAULT: readonly number[] = [EXC_INSN_ACCESS, EXC_LOAD_ACCESS, EXC_STORE_ACCESS];

/** Translation modes a VM may offer (satp writes of other modes are ignored). */
export interface MmuModes {
  readonly sv39: boolean;
  readonly sv48: boolean;
  readonly sv57?: boolean;
}

export class Mmu {
  /** Cause of the last failed translation. */
  cause = 0;
  private readonly m32: Int32Array;
  private readonly ramBytes: number;
  private readonly pmp: Pmp;
  readonly modes: MmuModes;

  constructor(buffer: ArrayBufferLike, ramBytes: number, pmp: Pmp, modes: MmuModes) {
    this.m32 = new Int32Array(buffer, 0, ramBytes >>> 2);
    this.ramBytes = ramBytes;
    this.pmp = pmp;
    this.modes = modes;
  }

  /** Whether satp may hold this MODE (Bare always). */
  modeSupported(mode: number): boolean {
    return (
      mode === 0 ||
      (mode === SATP_MODE_SV39 && this.modes.sv39) ||
      (mode === SATP_MODE_SV48 && this.modes.sv48) ||
      (mode === SATP_MODE_SV57 && this.modes.sv57 === true)
    );
  }

  /**
   * Translates the virtual address (vhi:vlo) under satp (shi:slo) for an access at effective
   * privilege `priv` (already MPRV-adjusted; M-mode callers skip translation). Returns the
   * physical address, or -1 with `cause` set.
   */
  translate(vlo: number, vhi: number, access: AccessType, priv: number, slo: number, shi: number, sum: boolean, mxr: boolean): number {
    const mode = shi >>> 28;
    let levels: number;
    if (mode === SATP_MODE_SV39) {
      levels = 3;
      // bits 63:39 must equal bit 38
      const top = vhi >> 6;
      if (top !== 0 && top !== -1) return this.fail(PAGE_FAULT[access]);
    } else if (mode === SATP_MODE_SV48) {
      levels = 4;
      const top = vhi >> 15;
      if (top !== 0 && top !== -1) return this.fail(PAGE_FAULT[access]);
    } else if (mode === SATP_MODE_SV57) {
      levels = 5;
      const top = vhi >> 24;
      if (top !== 0 && top !== -1) return this.fail(PAGE_FAULT[access]);
    } else {
      return (vlo >>> 0) + (vhi >>> 0) * TWO32;
    }
    // root table: satp.PPN (bits 43:0)
    let table = ((slo >>> 0) + (shi & 0xfff) * TWO32) * 4096;
    for (let level = levels - 1; level >= 0; level--) {
      let vpn: number;
      if (level === 0) vpn = (vlo >>> 12) & 0x1ff;
      else if (level === 1) vpn = (vlo >>> 21) & 0x1ff;
      else if (level === 2) vpn = ((vlo >>> 30) | (vhi << 2)) & 0x1ff;
      else if (level === 3) vpn = (vhi >>> 7) & 0x1ff;
      else vpn = (vhi >>> 16) & 0x1ff;
      const pteAddr = table + vpn * 8;
      if (!this.pmp.check(pteAddr, 8, PMP_R, PRV_S)) return this.fail(ACCESS_FAULT[access]);
      const off = pteAddr - RAM_BASE;
      if (off < 0 || off + 8 > this.ramBytes) return this.fail(ACCESS_FAULT[access]);
      const wi = off >>> 2;
      let lo = this.m32[wi];
      const hi = this.m32[wi + 1];
      if ((lo & PTE_V) === 0 || (lo & (PTE_R | PTE_W)) === PTE_W) return this.fail(PAGE_FAULT[access]);
      // bits 63:54 are reserved (no Svpbmt, Svnapot): non-zero is a page fault
      if (hi >>> 22 !== 0) return this.fail(PAGE_FAULT[access]);
      const ppn = (lo >>> 10) + (hi & 0x3fffff) * 4194304;
      if ((lo & (PTE_R | PTE_X)) === 0) {
        table = ppn * 4096;
        continue;
      }
      // leaf: permission checks (Priv §4.3.2 step 5)
      if ((lo & PTE_U) !== 0) {
        if (priv === PRV_S && (access === ACCESS_FETCH || !sum)) return this.fail(PAGE_FAULT[access]);
      } else if (priv === PRV_U) {
        return this.fail(PAGE_FAULT[access]);
      }
      if (access === ACCESS_FETCH) {
        if ((lo & PTE_X) === 0) return this.fail(PAGE_FAULT[access]);
      } else if (access === ACCESS_LOAD) {
        if ((lo & PTE_R) === 0 && !(mxr && (lo & PTE_X) !== 0)) return this.fail(PAGE_FAULT[access]);
      } else if ((lo & PTE_W) === 0) {
        return this.fail(PAGE_FAULT[access]);
      }
      // superpage alignment: the low level*9 bits of the PPN must be zero
      const span = 2 ** (9 * level);
      if (ppn % span !== 0) return this.fail(PAGE_FAULT[access]);
      // A/D in hardware, as QEMU
      const want = PTE_A | (access === ACCESS_STORE ? PTE_D : 0);
      if ((lo & want) !== want) {
        lo |= want;
        this.m32[wi] = lo;
      }
      const pageOffsetBits = 12 + 9 * level;
      const vOffset =
        pageOffsetBits <= 31
          ? (vlo >>> 0) % 2 ** pageOffsetBits
          : (vlo >>> 0) + ((vhi >>> 0) % 2 ** (pageOffsetBits - 32)) * TWO32; // 512 GiB and 256 TiB pages
      return ppn * 4096 + vOffset;
    }
    return this.fail(PAGE_FAULT[access]);
  }

  private fail(cause: number): number {
    this.cause = cause;
    return -1;
  }
}
