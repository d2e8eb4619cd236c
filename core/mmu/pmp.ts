/**
 * Physical memory protection (Priv §3.7): 16 entries, OFF/TOR/NA4/NAPOT, R/W/X and the L bit,
 * grain 4 bytes, as QEMU's virt CPU. `check` is called on every access that is not served from
 * a TLB entry, and on the whole page before a TLB fill, including page-table walks (as S-mode).
 */
import { PRV_M } from '../isa/csr.js';
import { S_PMPADDR, S_PMPCFG } from '../cpu/state.js';

export const PMP_R = 1;
export const PMP_W = 2;
export const PMP_X = 4;
const PMP_A = 0x18;
const PMP_L = 0x80;
const A_OFF = 0;
const A_TOR = 0x08;
const A_NA4 = 0x10;
const A_NAPOT = 0x18;
export const PMP_ENTRIES = 16;
const TWO32 = 4294967296;

export class Pmp {
  /** Byte view of the 16 cfg bytes inside the hart state block. */
  private readonly cfg: Uint8Array;
  private readonly s: Int32Array;
  /** Decoded ranges [lo, hi) per entry (hi = lo when OFF). */
  private readonly lo = new Float64Array(PMP_ENTRIES);
  private readonly hi = new Float64Array(PMP_ENTRIES);
  /** Number of entries whose A field is not OFF (QEMU allows everything when zero). */
  active = 0;

  constructor(s: Int32Array) {
    this.s = s;
    this.cfg = new Uint8Array(s.buffer, s.byteOffset + S_PMPCFG * 4, PMP_ENTRIES);
    this.recompute();
  }

  cfgByte(i: number): number {
    return this.cfg[i];
  }

  /** pmpaddr[i] as a number (54 bits: physical address bits 55:2). */
  addr(i: number): number {
    return (this.s[S_PMPADDR + 2 * i] >>> 0) + (this.s[S_PMPADDR + 2 * i + 1] & 0x3fffff) * TWO32;
  }

  private locked(i: number): boolean {
    return (this.cfg[i] & PMP_L) !== 0;
  }

  /** Writes cfg byte i (ignored when locked). */
  writeCfg(i: number, v: number): void {
    if (this.locked(i)) return;
    this.cfg[i] = v & 0x9f;
  }

  /** Writes pmpaddr[i] (ignored when locked, or when entry i+1 is a locked TOR). */
  writeAddr(i: number, lo: number, hi: number): void {
    if (this.locked(i)) return;
    if (i + 1 < PMP_ENTRIES && this.locked(i + 1) && (this.cfg[i + 1] & PMP_A) === A_TOR) return;
    this.s[S_PMPADDR + 2 * i] = lo;
    this.s[S_PMPADDR + 2 * i + 1] = hi & 0x3fffff;
  }

  recompute(): void {
    let active = 0;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const a = this.cfg[i] & PMP_A;
      const addr = this.addr(i);
      let lo = 0;
      let hi = 0;
      if (a === A_TOR) {
        lo = i === 0 ? 0 : this.addr(i - 1) * 4;
        hi = addr * 4;
        if (hi < lo) hi = lo;
      } else if (a === A_NA4) {
        lo = addr * 4;
        hi = lo + 4;
      } else if (a === A_NAPOT) {
        // trailing ones of pmpaddr give the size: 2^(ones+3) bytes. Counted on the 32-bit words:
        // pmpaddr has 54 bits, more than a double holds exactly (OpenSBI's all-memory entry is all ones).
        const wlo = this.s[S_PMPADDR + 2 * i];
        const whi = this.s[S_PMPADDR + 2 * i + 1] & 0x3fffff;
        const trailingOnes = (w: number): number => (~w === 0 ? 32 : 31 - Math.clz32(~w & -~w));
        const ones = Math.min(54, (wlo | 0) === -1 ? 32 + trailingOnes(whi) : trailingOnes(wlo));
        const size = 2 ** (ones + 3);
        lo = Math.floor((addr * 4) / size) * size;
        hi = lo + size;
      }
      if (a !== A_OFF) active++;
      this.lo[i] = lo;
      this.hi[i] = hi;
    }
    this.active = active;
  }

  /**
   * Whether an access of `size` bytes at `paddr` with permission bit `perm` (PMP_R/W/X) is
   * allowed at privilege `priv`. The lowest-numbered entry matching any byte decides; it must
   * match all bytes (Priv §3.7.1). With no entry matching, M-mode passes and S/U fail (PMP is
   * implemented, so this holds even with every entry OFF, as on QEMU).
   */
  check(paddr: number, size: number, perm: number, priv: number): boolean {
    if (this.active === 0) return priv === PRV_M;
    const end = paddr + size;
    for (let i = 0; i < PMP_ENTRIES; i++) {
      const c = this.cfg[i];
      if ((c & PMP_A) === 0) continue;
      const lo = this.lo[i];
      const hi = this.hi[i];
      if (end <= lo || paddr >= hi) continue;
      if (paddr < lo || end > hi) return false; // partial match fails
      if (priv === PRV_M && (c & PMP_L) === 0) return true;
      return (c & perm) !== 0;
    }
    return priv === PRV_M;
  }
}
