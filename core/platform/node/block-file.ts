/**
 * Raw disk image files as a BlockBackend (core/storage/block-backend.ts).
 *
 * Opening refuses, with a message the user can act on, an image that is missing, not a regular
 * file, empty or not a whole number of 512-byte sectors (truncated), shorter than the size the VM
 * expects, or locked by another running VM.
 *
 * Locking: an advisory lock file `<image>.lock` next to the image, created with O_EXCL and holding
 * the owner's pid (./pid-lock.ts, the same scheme as the library lock). A lock whose pid no longer runs is stale
 * (its VM was killed) and is taken over. The lock is exclusive even for read-only opens: a guest
 * reading a disk another guest writes would see it change underneath. An OS-level exclusive open
 * was not used because Node has no portable flock/O_EXLOCK, and a lock file also tells the user who
 * holds the disk.
 *
 * `flush` is an fsync of the image, so what the guest flushed survives a host crash. `discard` is a
 * no-op (allowed: discarded content is unspecified); `writeZeroes` writes zeros.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { type BlockBackend, DiskImageError, SECTOR_SIZE } from '../../storage/block-backend.js';
import { acquirePidLock, releasePidLock } from './pid-lock.js';

export interface OpenRawImageOptions {
  /** Open for reading only (the guest sees a read-only disk). */
  readonly readOnly?: boolean;
  /** Size in bytes the VM's configuration expects; a shorter image is refused as truncated. */
  readonly expectedSize?: number;
  /** Pid written to the lock file (default: this process). */
  readonly pid?: number;
}

/** Lock files this process holds (a second open of the same image in one process is refused too). */
const heldLocks = new Set<string>();

function acquireDiskLock(imagePath: string, pid: number): string {
  const lockPath = `${imagePath}.lock`;
  const locked = (holder: number | null) =>
    new DiskImageError(
      imagePath,
      `disk image ${imagePath} is in use by another running VM (${holder !== null ? `pid ${holder}` : 'holder unknown'}; lock file ${lockPath}): ` +
        'stop that VM first, or delete the lock file if no VM is using the disk',
    );
  if (heldLocks.has(lockPath)) throw locked(pid);
  let refused: { holder: number | null } | null;
  try {
    refused = acquirePidLock(lockPath, pid, 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EROFS') {
      throw new DiskImageError(imagePath, `cannot create the lock file ${lockPath} (${code}): the disk's folder must be writable`);
    }
    throw error;
  }
  if (refused) throw locked(refused.holder);
  heldLocks.add(lockPath);
  return lockPath;
}

function releaseDiskLock(lockPath: string, pid: number): void {
  heldLocks.delete(lockPath);
  releasePidLock(lockPath, pid);
}

/** A raw image file opened as a disk. Create with `openRawImage`. */
export class RawFileBackend implements BlockBackend {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly size: number,
    readonly readOnly: boolean,
    private readonly lockPath: string,
    private readonly pid: number,
  ) {}

  /** Opens (and locks) a raw image, or throws `DiskImageError` saying why it cannot be used. */
  static async open(path: string, options: OpenRawImageOptions = {}): Promise<RawFileBackend> {
    const readOnly = options.readOnly ?? false;
    const pid = options.pid ?? process.pid;
    let size: number;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw new DiskImageError(path, `disk image ${path} is not a regular file`);
      size = st.size;
    } catch (error) {
      if (error instanceof DiskImageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new DiskImageError(path, `disk image ${path} does not exist`);
      throw new DiskImageError(path, `cannot read disk image ${path}: ${(error as Error).message}`);
    }
    if (size === 0) throw new DiskImageError(path, `disk image ${path} is empty (0 bytes): it may be truncated`);
    if (size % SECTOR_SIZE !== 0) {
      throw new DiskImageError(path, `disk image ${path} is ${size} bytes, not a whole number of 512-byte sectors: it looks truncated`);
    }
    if (options.expectedSize !== undefined && size < options.expectedSize) {
      throw new DiskImageError(path, `disk image ${path} is truncated: ${size} bytes, the VM expects ${options.expectedSize}`);
    }
    const lockPath = acquireDiskLock(path, pid);
    try {
      let fh: FileHandle;
      try {
        fh = await open(path, readOnly ? 'r' : 'r+');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
          throw new DiskImageError(path, `disk image ${path} cannot be opened for ${readOnly ? 'reading' : 'writing'} (${code})${readOnly ? '' : ': attach it read-only, or fix its permissions'}`);
        }
        throw new DiskImageError(path, `cannot open disk image ${path}: ${(error as Error).message}`);
      }
      return new RawFileBackend(path, fh, size, readOnly, lockPath, pid);
    } catch (error) {
      releaseDiskLock(lockPath, pid);
      throw error;
    }
  }

  private check(offset: number, length: number): void {
    if (this.closed) throw new Error(`disk image ${this.path} is closed`);
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new RangeError(`access at ${offset}+${length} is outside disk image ${this.path} (${this.size} bytes)`);
    }
  }

  async read(offset: number, dest: Uint8Array): Promise<void> {
    this.check(offset, dest.length);
    let done = 0;
    while (done < dest.length) {
      const { bytesRead } = await this.fh.read(dest, done, dest.length - done, offset + done);
      if (bytesRead === 0) throw new Error(`disk image ${this.path} ended at ${offset + done} bytes (it shrank while in use?)`);
      done += bytesRead;
    }
  }

  async write(offset: number, src: Uint8Array): Promise<void> {
    if (this.readOnly) throw new Error(`disk image ${this.path} is open read-only`);
    this.check(offset, src.length);
    let done = 0;
    while (done < src.length) {
      const { bytesWritten } = await this.fh.write(src, done, src.length - done, offset + done);
      done += bytesWritten;
    }
  }

  async flush(): Promise<void> {
    if (this.readOnly) return;
    await this.fh.sync();
  }

  discard(offset: number, length: number): Promise<void> {
    this.check(offset, length);
    return Promise.resolve();
  }

  async writeZeroes(offset: number, length: number): Promise<void> {
    const chunk = new Uint8Array(Math.min(length, 1 << 20));
    for (let done = 0; done < length; done += chunk.length) {
      await this.write(offset + done, chunk.subarray(0, Math.min(chunk.length, length - done)));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.fh.close();
    } finally {
      releaseDiskLock(this.lockPath, this.pid);
    }
  }
}

/** Opens a raw image as a disk (see `RawFileBackend.open`). */
export function openRawImage(path: string, options: OpenRawImageOptions = {}): Promise<RawFileBackend> {
  return RawFileBackend.open(path, options);
}
