/**
 * Lock files that hold their owner's pid: the library lock (one host per data folder) and disk
 * image locks (one VM per image). A lock is created with O_EXCL, so two processes racing cannot
 * both win; a lock whose pid no longer runs is stale (its owner was killed) and is taken over, as
 * is an unreadable one older than a moment (an owner that died while writing its pid).
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

/** True when a process with this pid exists (signal 0 probes without signalling). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** The pid in a lock file, or null when it is missing or not (yet) a pid. */
export function readPidLock(path: string): number | null {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch {
    return null;
  }
}

function justCreated(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < 2000;
  } catch {
    return false;
  }
}

/**
 * Takes the lock at `path` for `pid`. Returns null when taken, else the holder's pid (null inside
 * the result's `holder` when another process is creating it right now). Errors other than the file
 * existing (EACCES, EROFS, ...) are thrown for the caller to explain.
 */
export function acquirePidLock(path: string, pid: number, mode: number): { holder: number | null } | null {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', mode);
      try {
        writeSync(fd, `${pid}\n`);
      } finally {
        closeSync(fd);
      }
      return null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readPidLock(path);
    if (holder !== null && holder !== pid && pidAlive(holder)) return { holder };
    if (holder === null && justCreated(path)) return { holder: null };
    // Stale (holder gone), ours from an earlier life, or half-written by a process that died.
    try {
      unlinkSync(path);
    } catch {
      // someone else removed it first
    }
  }
  return { holder: readPidLock(path) };
}

/** Gives the lock back: removes the file if it still holds `pid`. */
export function releasePidLock(path: string, pid: number): void {
  if (readPidLock(path) !== pid) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
