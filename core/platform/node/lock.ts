/**
 * The library lock: one host per data folder. `host.lock` holds the holder's pid; it is created
 * with O_EXCL so two hosts racing cannot both win. A lock whose pid no longer runs is stale (the
 * host was killed) and is taken over.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class LibraryLockedError extends Error {
  override readonly name = 'LibraryLockedError';
  constructor(
    readonly dataDir: string,
    readonly holderPid: number,
  ) {
    super(
      `the VM library in ${dataDir} is in use by another RiscStation host (${holderPid > 0 ? `pid ${holderPid}` : "starting up"}); ` +
        `stop it first ('riscstation host stop'), or use another data folder (RISCSTATION_HOME)`,
    );
  }
}

export interface LibraryLock {
  readonly path: string;
  /** Gives the lock back (removes the file if it is still ours). */
  release(): void;
}

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

function readHolder(path: string): number | null {
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

/** Takes the lock on `dataDir` (which must exist) or throws `LibraryLockedError` naming the holder. */
export function acquireLibraryLock(dataDir: string, pid: number = process.pid): LibraryLock {
  const path = join(dataDir, 'host.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${pid}\n`);
      } finally {
        closeSync(fd);
      }
      return {
        path,
        release() {
          if (readHolder(path) === pid) {
            try {
              unlinkSync(path);
            } catch {
              // already gone
            }
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(path);
    if (holder !== null && holder !== pid && pidAlive(holder)) throw new LibraryLockedError(dataDir, holder);
    if (holder === null && justCreated(path)) {
      // Another host created it a moment ago and is writing its pid.
      throw new LibraryLockedError(dataDir, -1);
    }
    // Stale (holder gone) or half-written by a host that died: remove and retry.
    try {
      unlinkSync(path);
    } catch {
      // someone else removed it first
    }
  }
  const holder = readHolder(path);
  throw new LibraryLockedError(dataDir, holder ?? -1);
}
