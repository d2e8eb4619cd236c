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
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { FileInfo, LibraryFiles } from '../../hypervisor/host-platform.js';

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
