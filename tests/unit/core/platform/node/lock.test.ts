import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLibraryLock, LibraryLockedError } from '../../../../../core/platform/node/lock.js';

const dir = () => mkdtempSync(join(tmpdir(), 'rs-lock-'));

describe('library lock', () => {
  it('refuses a second holder with a message naming the first holder’s pid', () => {
    const d = dir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const first = acquireLibraryLock(d, child.pid!);
      expect(readFileSync(first.path, 'utf8').trim()).toBe(String(child.pid));
      let error: unknown;
      try {
        acquireLibraryLock(d, process.pid);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LibraryLockedError);
      expect((error as Error).message).toContain(`pid ${child.pid}`);
      expect(readFileSync(first.path, 'utf8').trim()).toBe(String(child.pid));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over a stale lock whose holder no longer runs', async () => {
    const d = dir();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    writeFileSync(join(d, 'host.lock'), `${child.pid}\n`);
    const lock = acquireLibraryLock(d);
    expect(readFileSync(lock.path, 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('can be taken again after release', () => {
    const d = dir();
    acquireLibraryLock(d).release();
    const again = acquireLibraryLock(d);
    again.release();
  });
});
