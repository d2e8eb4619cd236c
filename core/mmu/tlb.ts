/**
 * A direct-mapped software TLB for one access kind (fetch, read or write), after TinyEMU's
 * three TLBs: each entry maps a 4 KiB virtual page (tag = vaddr bits 31:12 plus the high word)
 * to the RAM offset of its physical page. Only RAM pages whose whole 4 KiB passed the PMP
 * check are entered; everything else takes the slow path every time.
 *
 * Entries are valid for the translation context they were filled in: the hart keeps one set
 * per context (privilege, and SUM for S-mode) and flushes them all on satp writes, SFENCE.VMA,
 * PMP writes and MXR changes.
 */
export const TLB_SIZE = 512;
export const TLB_MASK = TLB_SIZE - 1;

export class Tlb {
  /** vaddr >>> 12 of the low word, or -1 when the entry is empty. */
  readonly tagLo = new Int32Array(TLB_SIZE).fill(-1);
  /** High word of the vaddr. */
  readonly tagHi = new Int32Array(TLB_SIZE);
  /** RAM byte offset of the physical page. */
  readonly off = new Int32Array(TLB_SIZE);

  flush(): void {
    this.tagLo.fill(-1);
  }

  fill(vlo: number, vhi: number, ramOffset: number): void {
    const vpn = vlo >>> 12;
    const i = vpn & TLB_MASK;
    this.tagLo[i] = vpn;
    this.tagHi[i] = vhi;
    this.off[i] = ramOffset;
  }
}
