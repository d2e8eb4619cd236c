/**
 * `template.build` running the real scripts/build-guests.mjs:
 * - through `riscstation serve` (WebSocket API and the CLI) against a cache that already holds
 *   the built guest: the build answers "up to date" within seconds, progress events arrive, and
 *   the template that was missing is usable without restarting the host;
 * - a build with real work to do (an empty cache: it extracts the kernel source, then configures
 *   and compiles under nice) cancelled right after it took its lock: no process of it remains and
 *   the lock is gone; a second build started meanwhile is refused; building again starts and
 *   gets past the same point (the cache was left consistent);
 * - `riscstation template build` interrupted with SIGINT (Ctrl-C): the host cancels the build, the
 *   CLI exits 130, and no process or lock of the build is left.
 * The real cache (~/.cache/riscstation/guests) is only read: every build here runs with
 * XDG_CACHE_HOME in a temporary folder. Needs the built guest (`npm run guests`), which also means
 * the build tools are installed, and `npm run build:core`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  ApiError,
  apiWebSocketUrl,
  createApiClient,
  createWebSocketTransport,
  type ApiClient,
  type ApiEvent,
  type WebSocketLike,
} from '../../core/api/index.js';
import { Hypervisor } from '../../core/hypervisor/hypervisor.js';
import { NodeGuestBuilder, guestBuildLockPath } from '../../core/platform/node/guest-build.js';
import { nodeHostPlatform } from '../../core/platform/node/host-setup.js';
import { NodeVmLauncher } from '../../core/platform/node/vm-launcher.js';
import { oracle } from '../helpers/oracles.js';
import { LINUX_GUEST_DIR, linuxGuestBuilt } from '../helpers/linux-guest.js';

const root = decodeURIComponent(new URL('../..', import.meta.url).pathname);
const script = join(root, 'scripts', 'build-guests.mjs');
const cliPath = join(root, 'dist', 'core', 'host', 'cli', 'main.js');
const built = existsSync(cliPath);
const guestDir = LINUX_GUEST_DIR;
const guestBuilt = linuxGuestBuilt;
if (!guestBuilt) console.warn('[skip] the Linux guest is not built: run npm run guests (about an hour)');
if (!built) console.warn(`[skip] ${cliPath} is missing: run npm run build:core`);
const crossGcc = oracle('riscv64-linux-gnu-gcc', 'gcc-riscv64-linux-gnu');

type Progress = Extract<ApiEvent, { type: 'operation.progress' }>;

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /http:\/\/\S+\/\?token=\S+/.exec(out);
      if (match) resolve(match[0]);
    });
    child.once('exit', (code) => reject(new Error(`riscstation serve exited with ${code} before printing a URL:\n${out}`)));
  });
}

/** Processes of the process group `pgid` that are still alive (zombies waiting to be reaped do not count). */
function liveGroupMembers(pgid: number): string[] {
  const ps = spawnSync('ps', ['-o', 'pid=,stat=,args=', '-g', String(pgid)], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\d+\s+Z/.test(l));
}

describe.skipIf(!built || !guestBuilt)('template.build through riscstation serve (a cache holding the built guest)', () => {
  let dir: string;
  let child: ChildProcess;
  let api: ApiClient;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rs-tpl-build-'));
    // A cache that holds the built guest (a link to the real build folder) but no `linux-busybox`
    // pointer yet: the template is missing until a build (here: "up to date") sets the pointer.
    const guests = join(dir, 'cache', 'riscstation', 'guests');
    mkdirSync(guests, { recursive: true });
    symlinkSync(guestDir, join(guests, basename(guestDir)));
    env = { ...process.env, RISCSTATION_HOME: join(dir, 'home'), XDG_CACHE_HOME: join(dir, 'cache') };
    child = spawn(process.execPath, [cliPath, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = new URL(await waitForUrl(child));
    const socket = new WebSocket(apiWebSocketUrl(url, url.searchParams.get('token') ?? ''));
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    api = createApiClient(createWebSocketTransport(socket as unknown as WebSocketLike));
  });

  afterAll(async () => {
    api?.close();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds (up to date) with step progress, and the template becomes usable without a host restart', async () => {
    const before = (await api.call({ type: 'template.list' })).find((t) => t.id === 'linux-busybox');
    expect(before?.missing.map((m) => m.path)).toContain(join(dir, 'cache', 'riscstation', 'guests', 'linux-busybox', 'Image'));

    const events: Progress[] = [];
    const off = api.onEvent((e) => {
      if (e.type === 'operation.progress' && e.operationId === 'it-build-1') events.push(e);
    });
    const result = await api.call({ type: 'template.build', id: 'linux-busybox', operationId: 'it-build-1' });
    off();
    expect(result.upToDate).toBe(true);
    expect(result.dir).toBe(join(dir, 'cache', 'riscstation', 'guests', basename(guestDir)));
    expect(result.template.missing).toEqual([]);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]).toMatchObject({ what: 'check build tools and sources', step: 1, steps: 12, doneBytes: 0, totalBytes: 0 });
    expect(events.at(-1)?.detail).toMatch(/^done in \d+ s$/);

    const after = (await api.call({ type: 'template.list' })).find((t) => t.id === 'linux-busybox');
    expect(after?.missing).toEqual([]);
  }, 120_000);

  it('refuses templates without a guest to build, and unknown templates', async () => {
    await expect(api.call({ type: 'template.build', id: 'opensbi-uboot' })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(api.call({ type: 'template.build', id: 'no-such' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('riscstation template build prints step lines and exits 0', () => {
    const r = spawnSync(process.execPath, [cliPath, 'template', 'build', 'linux-busybox'], { env, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('[1/12] check build tools and sources');
    expect(r.stdout).toContain('Linux (busybox): up to date');
  }, 120_000);
});

describe.skipIf(!built || !guestBuilt || !crossGcc.available)('cancelling a guest build with real work to do', () => {
  let dir: string;
  let hv: Hypervisor;
  let env: Record<string, string | undefined>;
  const events: Progress[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rs-tpl-cancel-'));
    env = { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') };
    hv = new Hypervisor(nodeHostPlatform(new NodeVmLauncher(join(root, 'dist/core/platform/node/vm-process-main.js'))), {
      dataDir: join(dir, 'data'),
      templatesDir: join(root, 'resources', 'templates'),
      defaultFirmware: [],
      guestCacheDir: join(dir, 'cache', 'riscstation', 'guests'),
      guestBuilder: new NodeGuestBuilder({ script, env }),
    });
    hv.subscribe((e) => {
      if (e.type === 'operation.progress') events.push(e);
    });
  });

  afterAll(async () => {
    await hv?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a build and resolves once it reports step `atLeast` (the lock is taken from step 2 on). */
  async function startBuild(operationId: string, atLeast: number) {
    const outcome = hv.buildTemplate('linux-busybox', { operationId }).then(
      () => 'finished',
      (e: unknown) => e,
    );
    for (let i = 0; i < 1200; i++) {
      if (events.some((e) => e.operationId === operationId && (e.step ?? 0) >= atLeast)) break;
      const early = await Promise.race([outcome, new Promise((r) => setTimeout(() => r(null), 100))]);
      if (early !== null) throw new Error(`the build ended before step ${atLeast}: ${String(early)}`);
    }
    const lock = guestBuildLockPath(env);
    const pid = Number(readFileSync(lock, 'utf8').trim());
    expect(liveGroupMembers(pid).length).toBeGreaterThan(0);
    return { outcome, pid, lock };
  }

  it('stops every process of the build, releases the lock, refuses a second build meanwhile, and can build again', async () => {
    const first = await startBuild('cancel-1', 2);
    await expect(hv.buildTemplate('linux-busybox', { operationId: 'cancel-2' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('being built already (operation cancel-1)'),
    });
    expect(hv.cancelOperation('cancel-1')).toBe(true);
    const error = await first.outcome;
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('cancelled');
    expect(liveGroupMembers(first.pid)).toEqual([]);
    expect(existsSync(first.lock)).toBe(false);

    // Again: the build takes the lock anew and gets to configuring the kernel (step 4) or beyond.
    const second = await startBuild('cancel-3', 4);
    expect(second.pid).not.toBe(first.pid);
    expect(hv.cancelOperation('cancel-3')).toBe(true);
    expect(((await second.outcome) as ApiError).code).toBe('cancelled');
    expect(liveGroupMembers(second.pid)).toEqual([]);
    expect(existsSync(second.lock)).toBe(false);
    expect(hv.templateList().find((t) => t.id === 'linux-busybox')?.missing.length).toBeGreaterThan(0);
  }, 300_000);
});

describe.skipIf(!built || !guestBuilt || !crossGcc.available)('riscstation template build: Ctrl-C cancels the build on the host', () => {
  let dir: string;
  let server: ChildProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rs-tpl-cli-cancel-'));
    env = { ...process.env, RISCSTATION_HOME: join(dir, 'home'), XDG_CACHE_HOME: join(dir, 'cache') };
    server = spawn(process.execPath, [cliPath, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForUrl(server);
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the steps, and on SIGINT cancels the build, exits 130 and leaves no lock', async () => {
    const cli = spawn(process.execPath, [cliPath, 'template', 'build', 'linux-busybox'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let lockHolder = 0;
    const lock = guestBuildLockPath(env);
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    cli.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      // Step 2 runs with the build lock taken: interrupt the CLI as Ctrl-C would.
      if (lockHolder === 0 && stderr.includes('[2/12]') && existsSync(lock)) {
        lockHolder = Number(readFileSync(lock, 'utf8').trim());
        cli.kill('SIGINT');
      }
    });
    expect(await exited).toBe(130);
    expect(lockHolder).toBeGreaterThan(0);
    expect(stderr).toContain('[1/12] check build tools and sources');
    expect(stderr).toContain('cancelling the build');
    expect(stderr).toMatch(/was cancelled; what was finished is kept/);
    expect(liveGroupMembers(lockHolder)).toEqual([]);
    expect(existsSync(lock)).toBe(false);
  }, 120_000);
});
