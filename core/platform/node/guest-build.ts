/**
 * Runs the guest build (scripts/build-guests.mjs --progress-json) for the hypervisor's
 * `template.build`: a child process in its own process group (the build runs tar and make under
 * nice, and make runs compilers), so cancelling kills every process of it at once: SIGTERM to the
 * group (the script releases its build lock and exits; make deletes half-written targets), then
 * SIGKILL to whatever is left after a grace period, then the lock is removed if the script could
 * not do it. The cache stays consistent: the script marks each step done only when it finished,
 * and make resumes from the objects it had compiled.
 *
 * In a packaged app the script (and the recipe in resources/guests) may be absent: the builder
 * then says what to run where instead of starting anything.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { GuestBuildLog, type GuestBuilder, type GuestBuildOutcome, type GuestBuildProgress, type GuestBuildRun } from '../../hypervisor/guest-build.js';
import { guestCacheDir } from './guest-cache.js';
import { packageInfo } from './package-info.js';

export interface NodeGuestBuilderOptions {
  /** The build script (default: scripts/build-guests.mjs in RiscStation's package folder). */
  readonly script?: string;
  /** The build's environment (default: this process's; XDG_CACHE_HOME says where the cache is). */
  readonly env?: Record<string, string | undefined>;
  /** More arguments for the script (tests: `--force`). */
  readonly args?: readonly string[];
  /** How long the build's processes get to exit after SIGTERM before SIGKILL (default 5 s). */
  readonly killGraceMs?: number;
}

/** The build script of this installation (absent in a packaged app). */
export function guestBuildScript(): string {
  return join(packageInfo().root, 'scripts', 'build-guests.mjs');
}

/** The lock file the build script takes (scripts/build-guests.mjs takeBuildLock). */
export function guestBuildLockPath(env: Record<string, string | undefined> = process.env): string {
  return join(guestCacheDir(env), 'build', 'build.lock');
}

/** True while any process of the group `pgid` exists. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}

export class NodeGuestBuilder implements GuestBuilder {
  private readonly script: string;
  private readonly env: Record<string, string | undefined>;

  constructor(private readonly options: NodeGuestBuilderOptions = {}) {
    this.script = options.script ?? guestBuildScript();
    this.env = options.env ?? process.env;
  }

  unavailable(): string | null {
    if (existsSync(this.script) && existsSync(join(dirname(dirname(this.script)), 'resources', 'guests', 'linux'))) return null;
    return (
      `this installation of RiscStation has no guest build script (${this.script}): build the guest in RiscStation's source folder ` +
      `with \`npm run guests\` (about an hour), as the same user; it lands in ${guestCacheDir(this.env)}, where this app finds it`
    );
  }

  start(onProgress: (progress: GuestBuildProgress) => void): GuestBuildRun {
    const log = new GuestBuildLog(onProgress);
    let cancelled = false;
    let exited = false;
    let cancelTimer: NodeJS.Timeout | null = null;
    const child = spawn(process.execPath, [this.script, '--progress-json', ...(this.options.args ?? [])], {
      cwd: dirname(dirname(this.script)),
      // Its own process group: cancel signals the build and every process it started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Under Electron, process.execPath is the app: run it as plain Node.
      env: { ...this.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    const pgid = child.pid;
    const lockPath = guestBuildLockPath(this.env);
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (l) => log.line(l));

    const done = new Promise<GuestBuildOutcome>((resolve) => {
      child.once('error', (error) => {
        if (exited) return;
        exited = true;
        resolve({ kind: 'failed', message: `could not run the guest build (${process.execPath} ${this.script}): ${error.message}` });
      });
      child.once('close', (code, signal) => {
        if (exited) return;
        exited = true;
        void (async () => {
          if (pgid !== undefined) {
            // A cancelled build's stragglers (a compiler that ignored SIGTERM) go with SIGKILL.
            if (cancelled && groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
            for (let i = 0; i < 50 && cancelled && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 100));
            removeLockOf(lockPath, pgid);
          }
          if (cancelTimer) clearTimeout(cancelTimer);
          resolve(log.outcome(code, signal, cancelled));
        })();
      });
    });

    return {
      done,
      cancel: () => {
        if (cancelled || exited || pgid === undefined) return;
        cancelled = true;
        signalGroup(pgid, 'SIGTERM');
        cancelTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), this.options.killGraceMs ?? 5000);
      },
    };
  }
}

/** Removes the build lock when the build `pid` still holds it (it was killed before it could). */
function removeLockOf(lockPath: string, pid: number): void {
  try {
    if (Number(readFileSync(lockPath, 'utf8').trim()) === pid) rmSync(lockPath, { force: true });
  } catch {
    // no lock
  }
}
