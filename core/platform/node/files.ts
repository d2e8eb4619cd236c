/**
 * The library's files on Node: atomic replace (temp + fsync + rename + folder fsync), appends for
 * logs, and the rest of `LibraryFiles` (core/hypervisor/host-platform.ts).
 */
import {
  appendFileSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CopyControl, FileInfo, LibraryFiles } from '../../hypervisor/host-platform.js';

/** Bytes read and written per step of a copy (progress and cancel are checked between steps). */
const COPY_CHUNK = 4 * 1024 * 1024;

/**
 * Copies `from` to a new file `to` chunk by chunk: all-zero chunks are skipped (the target is
 * extended to the full size at the end, so they stay holes on file systems that have them), the
 * target is fsynced, and a cancel or an error removes the partial target.
 */
export async function copyFileWithProgress(from: string, to: string, control: CopyControl): Promise<'done' | 'cancelled'> {
  const src = await open(from, 'r');
  let dst: Awaited<ReturnType<typeof open>> | null = null;
  let outcome: 'done' | 'cancelled' = 'done';
  try {
    const total = (await src.stat()).size;
    dst = await open(to, 'wx', 0o644);
    const buffer = new Uint8Array(Math.min(COPY_CHUNK, Math.max(total, 1)));
    let done = 0;
    control.onProgress(0, total);
    while (done < total) {
      if (control.cancelled()) {
        outcome = 'cancelled';
        break;
      }
      const { bytesRead } = await src.read(buffer, 0, Math.min(buffer.length, total - done), done);
      if (bytesRead === 0) throw new Error(`${from} ended at ${done} of ${total} bytes while it was copied`);
      const chunk = buffer.subarray(0, bytesRead);
      if (chunk.some((b) => b !== 0)) {
        let written = 0;
        while (written < bytesRead) written += (await dst.write(chunk, written, bytesRead - written, done + written)).bytesWritten;
      }
      done += bytesRead;
      control.onProgress(done, total);
    }
    if (outcome === 'done') {
      await dst.truncate(total);
      await dst.sync();
    }
  } catch (error) {
    await dst?.close().catch(() => {});
    dst = null;
    rmSync(to, { force: true });
    throw error;
  } finally {
    await src.close().catch(() => {});
    await dst?.close().catch(() => {});
  }
  if (outcome === 'cancelled') rmSync(to, { force: true });
  else fsyncDir(dirname(to));
  return outcome;
}

/** Writes `data` to `path` atomically; the file is readable only by the user when `mode` says so. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw error;
  }
  fsyncDir(dir);
}

/** Makes a rename in `dir` durable (a no-op where folders cannot be opened, e.g. Windows). */
function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on folders; the rename is still atomic
  } finally {
    closeSync(fd);
  }
}

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

export const nodeLibraryFiles: LibraryFiles = {
  readText: (path) => readFileSync(path, 'utf8'),
  readHead(path, length) {
    const fd = openSync(path, 'r');
    try {
      const buffer = new Uint8Array(length);
      const n = readSync(fd, buffer, 0, length, 0);
      return buffer.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  },
  writeAtomic: (path, text) => writeFileAtomic(path, text),
  append: (path, text) => appendFileSync(path, text),
  mkdirp: (path) => {
    mkdirSync(path, { recursive: true });
  },
  list(path) {
    try {
      return readdirSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  },
  removeTree: (path) => rmSync(path, { recursive: true, force: true }),
  rename(from, to) {
    if (statOrNull(to)) throw new Error(`cannot move ${from} to ${to}: it exists`);
    renameSync(from, to);
    fsyncDir(dirname(to));
  },
  copyFile: (from, to, control) => copyFileWithProgress(from, to, control),
  realPath(path) {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  },
  stat(path): FileInfo | null {
    try {
      const s = statSync(path);
      return { kind: s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other', size: s.size };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw error;
    }
  },
};
