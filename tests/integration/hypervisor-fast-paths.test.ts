/**
 * The threaded scheduler's device fast paths for real: a VM process whose harts run on their own
 * threads and serve the CLINT themselves (tests/guests/hypervisor/timer-ipi.S), and the shared
 * device registers hammered from several worker threads at once (the built modules in dist/;
 * npm run build:core first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hypervisor } from '../../core/hypervisor/hypervisor.js';
import { nodeHostPlatform } from '../../core/platform/node/host-setup.js';
import { NodeVmLauncher } from '../../core/platform/node/vm-launcher.js';
import { buildHypervisorGuest, gcc, GUESTS_DIR } from './hypervisor-guests.js';

const dist = decodeURIComponent(new URL('../../dist/core/', import.meta.url).pathname);
const entry = join(dist, 'platform/node/vm-process-main.js');
const built = existsSync(entry);
if (!built) console.warn(`[skip] ${entry} is missing: run npm run build:core`);

function buildGuest(name: string): string {
  const elf = join(mkdtempSync(join(tmpdir(), `rs-guest-${name}-`)), `${name}.elf`);
  execFileSync(gcc.path, [
    '-nostdlib', '-nostartfiles', '-march=rv64gc', '-mabi=lp64d', '-mcmodel=medany',
    '-T', join(GUESTS_DIR, 'link.ld'), '-I', GUESTS_DIR, '-Wl,--no-warn-rwx-segments',
    '-o', elf, join(GUESTS_DIR, `${name}.S`),
  ]);
  return elf;
}

describe.skipIf(!built || !gcc.available)('hart threads serve the CLINT themselves', () => {
  let hv: Hypervisor;

  beforeAll(() => {
    hv = new Hypervisor(nodeHostPlatform(new NodeVmLauncher(entry)), {
      dataDir: mkdtempSync(join(tmpdir(), 'rs-hv-fast-')),
      templatesDir: null,
      defaultFirmware: [],
      stopTimeoutMs: 1000,
    });
  });

  afterAll(async () => {
    await hv?.shutdown();
  });

  it('a guest write to mtime moves rdtime on every hart, the hart\'s own timer fires from it, and an IPI wakes a hart asleep in WFI', async () => {
    const vm = hv.create({ name: 'timer-ipi', firmware: { kind: 'none' }, kernel: buildGuest('timer-ipi'), memoryMiB: 32, harts: 2 });
    let text = '';
    hv.consoleListen(vm.id, (bytes) => (text += new TextDecoder().decode(bytes)));
    const stopped = new Promise<string | undefined>((resolve) =>
      hv.subscribe((e) => {
        if (e.type === 'vm.stateChanged' && e.id === vm.id && (e.state === 'stopped' || e.state === 'crashed')) resolve(e.reason);
      }),
    );
    await hv.start(vm.id);
    expect(await stopped).toBe('the guest powered off');
    expect(text).toContain('MTIME OK');
    expect(text).toContain('TIMER OK');
    const m = /IPI OK latency=0x([0-9a-f]{16})/.exec(text);
    expect(m, text).not.toBeNull();
    // A hart asleep in WFI with nothing armed re-checks once a second by itself; the IPI must
    // wake it (Atomics.notify from the sending hart's thread) well before that.
    const latencyTicks = parseInt(m![1], 16);
    expect(latencyTicks).toBeLessThan(10_000_000);
  }, 120_000);

  it('after a reset the shared UART and PLIC start from their reset state and the guest\'s console works again', async () => {
    const vm = hv.create({ name: 'reset', firmware: { kind: 'none' }, kernel: buildHypervisorGuest('idle-echo'), memoryMiB: 32, harts: 2 });
    let text = '';
    hv.consoleListen(vm.id, (bytes) => (text += new TextDecoder().decode(bytes)));
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 600 && !pattern.test(text); i++) await new Promise((r) => setTimeout(r, 100));
      expect(text).toMatch(pattern);
    };
    await hv.start(vm.id);
    await waitFor(/idle-echo ready/);
    hv.consoleInput(vm.id, new TextEncoder().encode('ab'));
    await waitFor(/ready\r\nab/);
    await hv.reset(vm.id);
    await waitFor(/ab[^]*idle-echo ready/);
    const from = text.lastIndexOf('ready');
    hv.consoleInput(vm.id, new TextEncoder().encode('cd'));
    await waitFor(/ready\r\n[^]*cd/);
    expect(text.slice(from)).toBe('ready\r\ncd');
    await hv.hardStop(vm.id);
  }, 120_000);
});

/** Runs `count` workers on the built device modules; each gets `data` plus its index. */
function runWorkers(count: number, source: string, data: Record<string, unknown>): Promise<void[]> {
  const url = pathToFileURL(dist).href;
  return Promise.all(
    Array.from(
      { length: count },
      (_, index) =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(`const { workerData } = require('node:worker_threads'); (async () => { ${source} })();`, {
            eval: true,
            workerData: { ...data, index, dist: url },
          });
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
        }),
    ),
  );
}

describe.skipIf(!built)('shared device registers across threads', () => {
  it('the device lock keeps a read-modify-write whole when four threads contend for it', async () => {
    const buffer = new SharedArrayBuffer(8);
    await runWorkers(
      4,
      `const { lock, unlock } = await import(workerData.dist + 'devices/shared-state.js');
       const a = new Int32Array(workerData.buffer);
       for (let i = 0; i < 50000; i++) { lock(a, 0); a[1] = a[1] + 1; unlock(a, 0); }`,
      { buffer },
    );
    expect(new Int32Array(buffer)[1]).toBe(4 * 50000);
    expect(new Int32Array(buffer)[0]).toBe(0);
  }, 60_000);

  it('each rising PLIC source is claimed exactly once while two hart threads race to claim it', async () => {
    const { Plic, plicStateBytes } = (await import(pathToFileURL(join(dist, 'devices/plic.js')).href)) as typeof import('../../core/devices/plic.js');
    const NDEV = 95;
    const ROUNDS = 200;
    const buffer = new SharedArrayBuffer(plicStateBytes(NDEV, 2));
    const quiet = { set: () => {} };
    const plic = new Plic(NDEV, [quiet, quiet], { buffer, offset: 0 });
    for (let id = 1; id <= NDEV; id++) plic.write(id * 4, 4, 1);
    for (let ctx = 0; ctx < 2; ctx++) for (let w = 0; w < 3; w++) plic.write(0x2000 + ctx * 0x80 + w * 4, 4, -1 >>> 0);
    const counts = new SharedArrayBuffer(4 * (NDEV + 2));
    const c = new Int32Array(counts);
    const workers = runWorkers(
      2,
      `const { Plic } = await import(workerData.dist + 'devices/plic.js');
       const quiet = { set: () => {} };
       const plic = new Plic(95, [quiet, quiet], { buffer: workerData.buffer, offset: 0, attach: true });
       const c = new Int32Array(workerData.counts);
       const ctx = workerData.index;
       while (Atomics.load(c, 0) === 0) {
         const id = plic.claim(ctx);
         if (id === 0) continue;
         plic.setLevel(id, false); // the device is serviced, its line drops
         plic.complete(ctx, id);
         Atomics.add(c, id, 1);
         Atomics.add(c, 96, 1);
       }`,
      { buffer, counts },
    );
    const deadline = Date.now() + 50_000;
    for (let round = 1; round <= ROUNDS && Date.now() < deadline; round++) {
      for (let id = 1; id <= NDEV; id++) plic.setLevel(id, true);
      while (Atomics.load(c, 96) < round * NDEV && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    }
    Atomics.store(c, 0, 1);
    await workers;
    expect(Atomics.load(c, 96)).toBe(ROUNDS * NDEV);
    for (let id = 1; id <= NDEV; id++) expect(c[id]).toBe(ROUNDS);
    expect(plic.save().claimed.every((w: number) => w === 0)).toBe(true);
  }, 60_000);
});
