/**
 * Block backends: where a virtual disk's bytes live. virtio-blk talks to this interface only; the
 * raw image file implementation is in core/platform/node/block-file.ts, an in-memory one below.
 *
 * Every operation is asynchronous and completes only when it is done in the sense the guest cares
 * about: `flush` resolves after the data written before it is on stable storage (fsync for files).
 * Offsets and lengths are in bytes; callers keep them inside `size` (the device checks).
 */
export interface BlockBackend {
  /** Disk size in bytes (a multiple of 512). */
  readonly size: number;
  /** True when the disk may not be written (the device offers VIRTIO_BLK_F_RO). */
  readonly readOnly: boolean;
  /** Reads `dest.length` bytes at `offset` into `dest`. */
  read(offset: number, dest: Uint8Array): Promise<void>;
  /** Writes `src` at `offset`. */
  write(offset: number, src: Uint8Array): Promise<void>;
  /** Makes every completed write durable. */
  flush(): Promise<void>;
  /** The guest no longer needs these bytes; their content afterwards is unspecified. */
  discard(offset: number, length: number): Promise<void>;
  /** Sets `length` bytes at `offset` to zero. */
  writeZeroes(offset: number, length: number): Promise<void>;
  /** Releases the backend (file handle, lock). */
  close(): Promise<void>;
}

/** A refusal to open a disk image, with a message the user can act on. */
export class DiskImageError extends Error {
  override readonly name = 'DiskImageError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export const SECTOR_SIZE = 512;

/** A disk held in memory (tests, scratch disks). Its bytes are `data`. */
export class MemoryBlockBackend implements BlockBackend {
  readonly data: Uint8Array;
  flushes = 0;

  constructor(
    sizeOrData: number | Uint8Array,
    readonly readOnly = false,
  ) {
    this.data = typeof sizeOrData === 'number' ? new Uint8Array(sizeOrData) : sizeOrData;
    if (this.data.length % SECTOR_SIZE !== 0) throw new RangeError(`disk size ${this.data.length} is not a multiple of ${SECTOR_SIZE} bytes`);
  }

  get size(): number {
    return this.data.length;
  }

  private check(offset: number, length: number): void {
    if (offset < 0 || length < 0 || offset + length > this.data.length) throw new RangeError(`access at ${offset}+${length} is outside the ${this.data.length}-byte disk`);
  }

  async read(offset: number, dest: Uint8Array): Promise<void> {
    this.check(offset, dest.length);
    dest.set(this.data.subarray(offset, offset + dest.length));
  }

  async write(offset: number, src: Uint8Array): Promise<void> {
    if (this.readOnly) throw new Error('disk is read-only');
    this.check(offset, src.length);
    this.data.set(src, offset);
  }

  async flush(): Promise<void> {
    this.flushes++;
  }

  async discard(offset: number, length: number): Promise<void> {
    this.check(offset, length);
  }

  async writeZeroes(offset: number, length: number): Promise<void> {
    if (this.readOnly) throw new Error('disk is read-only');
    this.check(offset, length);
    this.data.fill(0, offset, offset + length);
  }

  async close(): Promise<void> {}
}
