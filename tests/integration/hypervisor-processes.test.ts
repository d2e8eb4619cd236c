/**
 * The process model for real: this test process is the host (the Hypervisor with Node's files
 * and launcher), each VM is a forked OS process running the built VM runtime
 * (dist/core/platform/node/vm-process-main.js; npm run build:core first).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../core/api/index.js';
import { Hypervisor } from '../../core/hypervisor/hypervisor.js';
import { nodeHostPlatform } from '../../core/platform/node/host-setup.js';
import { NodeVmLauncher } from '../../core/platform/node/vm-launcher.js';
import { oracleFile } from '../helpers/oracles.js';
import { FW_JUMP, UBOOT_SMODE } from './boot-harness.js';
import { followConsole } from './console-follow.js';
import { buildHypervisorGuest, gcc } from './hypervisor-guests.js';

const entry = fileURLToPathSafe(new URL('../../dist/core/platform/node/vm-process-main.js', import.meta.url));
const built = existsSync(entry);
if (!built) console.warn(`[skip] ${entry} is missing: run npm run build:core`);
const fwJump = oracleFile(FW_JUMP, 'opensbi');
const uboot = oracleFile(UBOOT_SMODE, 'u-boot-qemu');

function fileURLToPathSafe(url: URL): string {
  return decodeURIComponent(url.pathname);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!built || !gcc.available || !fwJump.available || !uboot.available)('VMs as OS processes', () => {
  let hv: Hypervisor;
  let dataDir: string;
  const events: ApiEvent[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'rs-hv-proc-'));
    hv = new Hypervisor(nodeHostPlatform(new NodeVmLauncher(entry)), {
      dataDir,
      templatesDir: fileURLToPathSafe(new URL('../../resources/templates', import.meta.url)),
      defaultFirmware: [],
      stopTimeoutMs: 1000,
    });
    hv.subscribe((e) => events.push(e));
  });

  afterAll(async () => {
    await hv?.shutdown();
  });

  it('runs three VMs at once (bare metal, U-Boot on 1 hart, U-Boot on 4 harts); kill -9 of one crashes only that one', async () => {
    const echo = hv.create({ name: 'echo', firmware: { kind: 'none' }, kernel: buildHypervisorGuest('idle-echo'), memoryMiB: 32 });
    const u1 = hv.create({ name: 'uboot-1', firmware: { kind: 'file', path: FW_JUMP }, kernel: UBOOT_SMODE, memoryMiB: 256, harts: 1 });
    const u4 = hv.create({ name: 'uboot-4', firmware: { kind: 'file', path: FW_JUMP }, kernel: UBOOT_SMODE, memoryMiB: 256, harts: 4 });
    const consoles = { echo: followConsole(hv, echo.id), u1: followConsole(hv, u1.id), u4: followConsole(hv, u4.id) };
    await Promise.all([hv.start(echo.id), hv.start(u1.id), hv.start(u4.id)]);
    const pids = [echo, u1, u4].map((vm) => hv.get(vm.id).pid);
    expect(new Set(pids).size).toBe(3);
    expect(pids.every((p) => typeof p === 'number' && p !== process.pid)).toBe(true);

    await Promise.all([consoles.echo.waitFor('idle-echo ready'), consoles.u1.waitFor('\n=> '), consoles.u4.waitFor('\n=> ')]);
    expect(consoles.u4.text).toMatch(/Platform HART Count\s*:\s*4/);
    // Each hart is a thread of the VM's process: the main (device) thread, Node's own threads, 4 hart threads.
    const u4stats = await hv.stats(u4.id);
    expect(u4stats.scheduler).toBe('threaded');
    if (process.platform === 'linux') {
      const threads = (pid: number) => readdirSync(`/proc/${pid}/task`).length;
      expect(threads(u4stats.pid!) - threads(hv.get(u1.id).pid!)).toBe(3);
    }

    // kill -9 the 1-hart U-Boot VM's process.
    const victim = hv.get(u1.id).pid!;
    const crashed = new Promise<void>((resolve) =>
      hv.subscribe((e) => {
        if (e.type === 'vm.stateChanged' && e.id === u1.id && e.state === 'crashed') resolve();
      }),
    );
    process.kill(victim, 'SIGKILL');
    await crashed;
    const after = hv.get(u1.id);
    expect(after.state).toBe('crashed');
    expect(after.crashReason).toBe('the VM process was killed by SIGKILL unexpectedly');
    expect(readFileSync(join(dataDir, 'vms', u1.id, 'logs', 'vm.log'), 'utf8')).toContain(`VM process ${victim} was killed by SIGKILL`);

    // The other two keep answering their consoles.
    let from = consoles.u4.text.length;
    hv.consoleInput(u4.id, new TextEncoder().encode('version\n'));
    await consoles.u4.waitFor(/U-Boot 20\d\d[\s\S]*=> /, from);
    from = consoles.echo.text.length;
    hv.consoleInput(echo.id, new TextEncoder().encode('still here\r'));
    await consoles.echo.waitFor('still here\r\n', from);
    expect(hv.get(echo.id).state).toBe('running');
    expect(hv.get(u4.id).state).toBe('running');

    await Promise.all([hv.hardStop(u4.id), hv.hardStop(echo.id)]);
    expect(hv.get(u4.id).state).toBe('stopped');
  }, 400_000);

  it('pause stops instruction retirement (no instructions over a second) and resume continues the same session', async () => {
    const vm = hv.create({ name: 'pausable', firmware: { kind: 'none' }, kernel: buildHypervisorGuest('idle-echo'), memoryMiB: 32 });
    const c = followConsole(hv, vm.id);
    await hv.start(vm.id);
    await c.waitFor('idle-echo ready');
    const pid = hv.get(vm.id).pid;
    await hv.pause(vm.id);
    const a = await hv.stats(vm.id);
    await sleep(1000);
    const b = await hv.stats(vm.id);
    expect(b.state).toBe('paused');
    expect(b.instructionsRetired).toBe(a.instructionsRetired);
    expect(b.instructionsPerSecond).toBe(0);
    await hv.resume(vm.id);
    const from = c.text.length;
    hv.consoleInput(vm.id, new TextEncoder().encode('after resume\r'));
    await c.waitFor('after resume\r\n', from);
    expect(hv.get(vm.id).pid).toBe(pid);
    expect(c.text.match(/idle-echo ready/g)?.length).toBe(1);
    // The guest's timer keeps ticking after resume: instructions retire again.
    await sleep(500);
    expect((await hv.stats(vm.id)).instructionsRetired).toBeGreaterThan(b.instructionsRetired);
    await hv.hardStop(vm.id);
  }, 120_000);

  it('a guest idling in WFI between timer interrupts uses under 2% of a core', async () => {
    const vm = hv.create({ name: 'idle', firmware: { kind: 'none' }, kernel: buildHypervisorGuest('idle-echo'), memoryMiB: 32 });
    const c = followConsole(hv, vm.id);
    await hv.start(vm.id);
    await c.waitFor('idle-echo ready');
    await sleep(1000); // past start-up
    await hv.stats(vm.id);
    await sleep(3000);
    const s = await hv.stats(vm.id);
    expect(s.instructionsRetired).toBeGreaterThan(0);
    expect(s.cpuPercent).toBeLessThan(2);
    await hv.hardStop(vm.id);
  }, 120_000);

  it('a VM that fails inside its process is marked crashed with the reason in its log; the host carries on', async () => {
    // Valid when created (a riscv64 ELF), then replaced by one linked outside RAM: the VM process
    // fails while building the board.
    const dir = mkdtempSync(join(tmpdir(), 'rs-bad-elf-'));
    const kernel = join(dir, 'prog.elf');
    copyFileSync(buildHypervisorGuest('idle-echo'), kernel);
    const vm = hv.create({ name: 'doomed', firmware: { kind: 'none' }, kernel, memoryMiB: 32 });
    writeFileSync(join(dir, 'low.S'), '.globl _start\n_start: j _start\n');
    execFileSync(gcc.path, ['-nostdlib', '-nostartfiles', '-march=rv64gc', '-mabi=lp64d', '-Wl,-Ttext=0x20000000', '-o', kernel, join(dir, 'low.S')]);
    await expect(hv.start(vm.id)).rejects.toThrow(/crashed while starting: the VM could not be built: .*outside RAM/);
    const after = hv.get(vm.id);
    expect(after.state).toBe('crashed');
    expect(after.crashReason).toMatch(/outside RAM/);
    expect(readFileSync(join(dataDir, 'vms', vm.id, 'logs', 'vm.log'), 'utf8')).toMatch(/state starting -> crashed \(crashed: the VM could not be built: .*outside RAM/);
    expect(JSON.parse(readFileSync(join(dataDir, 'vms', vm.id, 'state.json'), 'utf8')).state).toBe('crashed');
    expect(hv.list().find((v) => v.id === vm.id)?.state).toBe('crashed');
  }, 120_000);

  it('gives a VM its raw disk as virtio-blk: U-Boot reads the first sector', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-disk-'));
    const image = join(dir, 'disk.raw');
    const bytes = new Uint8Array(4 * 1024 * 1024);
    bytes.set(new TextEncoder().encode('RISCSTATION DISK'), 0);
    writeFileSync(image, bytes);
    const vm = hv.create({ name: 'disk', firmware: { kind: 'file', path: FW_JUMP }, kernel: UBOOT_SMODE, memoryMiB: 256, disks: [{ path: image, format: 'raw' }] });
    const c = followConsole(hv, vm.id);
    await hv.start(vm.id);
    await c.waitFor('\n=> ');
    const from = c.text.length;
    hv.consoleInput(vm.id, new TextEncoder().encode('virtio info; virtio read 0x84000000 0 1; md.b 0x84000000 0x10\n'));
    await c.waitFor(/84000000: 52 49 53 43 53 54 41 54 49 4f 4e 20 44 49 53 4b {2}RISCSTATION DISK/, from);
    expect(c.text.slice(from)).toMatch(/Capacity: 4\.0 MB = 0\.0 GB \(8192 x 512\)/);
    await hv.hardStop(vm.id);
  }, 180_000);

  it('a VM with a CPU cap of 25% keeps its busy hart to about a quarter of a core', async () => {
    // The counter guest on one hart with a huge loop count: pure computation, no device access.
    const kernel = buildHypervisorGuest('smp-counter', { NHARTS: 1, ITERS: 200_000_000 });
    const vm = hv.create({ name: 'capped', firmware: { kind: 'none' }, kernel, memoryMiB: 32, cpuCapPercent: 25 });
    await hv.start(vm.id);
    await sleep(1000);
    await hv.stats(vm.id);
    await sleep(3000);
    const s = await hv.stats(vm.id);
    expect(s.state).toBe('running');
    expect(s.instructionsPerSecond).toBeGreaterThan(0);
    expect(s.cpuPercent).toBeLessThan(35);
    await hv.hardStop(vm.id);
  }, 120_000);

  it('runs the SMP counter guest (AMOs and LR/SC on 4 harts) to a passing poweroff', async () => {
    const vm = hv.create({ name: 'smp', firmware: { kind: 'none' }, kernel: buildHypervisorGuest('smp-counter', { NHARTS: 4 }), memoryMiB: 32, harts: 4 });
    const c = followConsole(hv, vm.id);
    const stopped = new Promise<string | undefined>((resolve) =>
      hv.subscribe((e) => {
        if (e.type === 'vm.stateChanged' && e.id === vm.id && (e.state === 'stopped' || e.state === 'crashed')) resolve(e.reason);
      }),
    );
    await hv.start(vm.id);
    expect(await stopped).toBe('the guest powered off');
    expect(c.text).toContain('SMP PASS');
    expect(hv.get(vm.id).state).toBe('stopped');
  }, 120_000);
});
