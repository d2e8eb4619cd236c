/**
 * The library lock: one host per data folder. `host.lock` holds the holder's pid (a pid lock,
 * ./pid-lock.ts), so a second host is refused with the holder's pid and a killed host's lock is
 * taken over.
 */
import { join } from 'node:path';
import { acquirePidLock, releasePidLock } from './pid-lock.js';

export { pidAlive } from './pid-lock.js';

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

/** Takes the lock on `dataDir` (which must exist) or throws `LibraryLockedError` naming the holder. */
export function acquireLibraryLock(dataDir: string, pid: number = process.pid): LibraryLock {
  const path = join(dataDir, 'host.lock');
  const refused = acquirePidLock(path, pid, 0o600);
  if (refused) throw new LibraryLockedError(dataDir, refused.holder ?? -1);
  return { path, release: () => releasePidLock(path, pid) };
}
