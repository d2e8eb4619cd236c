/**
 * Guest memory: one shared `WebAssembly.Memory` (its buffer is a SharedArrayBuffer) holding
 * guest RAM, a dirty-page byte map, one state block per hart and room for fast-path device
 * state, so hart threads, the device thread and a later JIT all see the same bytes.
 *
 * Layout (byte offsets into the buffer; every region 64-byte aligned):
 *
 *   0                      guest RAM: physical RAM_BASE + k lives at offset k
 *   dirtyOffset            one byte per 4 KiB RAM page, set to 1 when a page may have been
 *                          written (see below)
 *   hartStateOffset(i)     HART_STATE_BYTES per hart: registers, pc, CSRs (core/cpu/state.ts)
 *   deviceStateOffset      deviceStateBytes for fast-path devices (CLINT, PLIC, UART rings)
 *
 * Dirty tracking is free in the interpreter: a hart marks a page dirty when it fills a write
 * TLB entry for it (and on every slow-path store), so whoever clears the map must also flush
 * every hart's TLB (Hart.flushTlb) before the next store can go unrecorded.
 */

/** Physical address of the first byte of RAM on the virt board. */
export const RAM_BASE = 0x8000_0000;
/** Bytes in a hart state block (see core/cpu/state.ts). */
export const HART_STATE_BYTES = 4096;
export const PAGE_SIZE = 4096;
const WASM_PAGE = 65536;
export const MIN_RAM_BYTES = 16 * 1024 * 1024;
export const MAX_RAM_BYTES = 2 * 1024 * 1024 * 1024;

const align64 = (n: number): number => Math.ceil(n / 64) * 64;

export interface GuestMemoryOptions {
  /** RAM size in bytes: a multiple of 1 MiB from 16 MiB to 2 GiB. */
  readonly ramBytes: number;
  /** Number of harts that get a state block (default 1). */
  readonly harts?: number;
  /** Bytes reserved for fast-path device state (default 64 KiB). */
  readonly deviceStateBytes?: number;
  /**
   * An existing shared memory with this layout to use instead of a new one: another thread's
   * view of the same guest (a hart worker adopting the VM's memory).
   */
  readonly memory?: WebAssembly.Memory;
}

export class GuestMemory {
  readonly memory: WebAssembly.Memory;
  readonly buffer: SharedArrayBuffer;
  readonly ramBase = RAM_BASE;
  readonly ramBytes: number;
  readonly harts: number;
  readonly dirtyOffset: number;
  readonly deviceStateOffset: number;
  readonly deviceStateBytes: number;
  private readonly hartStateBase: number;
  /** Byte views over the whole buffer. RAM starts at index 0. */
  readonly u8: Uint8Array;
  /** Dirty map: dirty[pageIndex] for RAM pages. */
  readonly dirty: Uint8Array;

  constructor(options: GuestMemoryOptions) {
    const { ramBytes } = options;
    if (!Number.isInteger(ramBytes) || ramBytes % (1024 * 1024) !== 0 || ramBytes < MIN_RAM_BYTES || ramBytes > MAX_RAM_BYTES) {
      throw new RangeError(`RAM size ${ramBytes} bytes is not supported: use a multiple of 1 MiB from 16 MiB to 2 GiB`);
    }
    this.ramBytes = ramBytes;
    this.harts = options.harts ?? 1;
    this.deviceStateBytes = options.deviceStateBytes ?? 65536;
    this.dirtyOffset = ramBytes;
    this.hartStateBase = align64(this.dirtyOffset + ramBytes / PAGE_SIZE);
    this.deviceStateOffset = this.hartStateBase + this.harts * HART_STATE_BYTES;
    const total = this.deviceStateOffset + this.deviceStateBytes;
    const pages = Math.ceil(total / WASM_PAGE);
    if (options.memory && options.memory.buffer.byteLength < pages * WASM_PAGE) {
      throw new RangeError(`the shared guest memory has ${options.memory.buffer.byteLength} bytes; this layout needs ${pages * WASM_PAGE}`);
    }
    this.memory = options.memory ?? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.buffer = this.memory.buffer as unknown as SharedArrayBuffer;
    this.u8 = new Uint8Array(this.buffer);
    this.dirty = new Uint8Array(this.buffer, this.dirtyOffset, ramBytes / PAGE_SIZE);
  }

  /** Byte offset of hart `i`'s state block (8-byte aligned). */
  hartStateOffset(i: number): number {
    if (i < 0 || i >= this.harts) throw new RangeError(`hart ${i} does not exist (this memory has ${this.harts})`);
    return this.hartStateBase + i * HART_STATE_BYTES;
  }

  /** True when [paddr, paddr+size) lies inside RAM. */
  isRam(paddr: number, size: number): boolean {
    return paddr >= RAM_BASE && paddr + size <= RAM_BASE + this.ramBytes;
  }

  /** Copies bytes into RAM at a physical address (loaders); marks the pages dirty. */
  writeBytes(paddr: number, bytes: Uint8Array): void {
    if (!this.isRam(paddr, bytes.length)) {
      throw new RangeError(`cannot load ${bytes.length} bytes at 0x${paddr.toString(16)}: outside RAM`);
    }
    const off = paddr - RAM_BASE;
    this.u8.set(bytes, off);
    for (let p = off >>> 12; p <= (off + bytes.length - 1) >>> 12; p++) this.dirty[p] = 1;
  }

  /** Copies bytes out of RAM at a physical address. */
  readBytes(paddr: number, length: number): Uint8Array {
    if (!this.isRam(paddr, length)) throw new RangeError(`cannot read ${length} bytes at 0x${paddr.toString(16)}: outside RAM`);
    const off = paddr - RAM_BASE;
    return this.u8.slice(off, off + length);
  }
}
