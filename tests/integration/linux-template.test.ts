/**
 * The "Linux (busybox)" template with real VM processes: the VM gets its own copy of the root disk,
 * `stop` presses the virtio-input power button and the guest shuts down by itself (busybox acpid ->
 * poweroff: exit code 0, no hard stop), while a U-Boot VM (no driver for the button) is still
 * hard-stopped after the timeout. Needs the built guest (`npm run guests`) and `npm run build:core`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../core/api/index.js';
import { Hypervisor } from '../../core/hypervisor/hypervisor.js';
import { nodeHostPlatform } from '../../core/platform/node/host-setup.js';
import { NodeVmLauncher } from '../../core/platform/node/vm-launcher.js';
import { LINUX_GUEST_DIR, linuxGuestBuilt } from '../helpers/linux-guest.js';
import { oracleFile } from '../helpers/oracles.js';
import { FW_JUMP, UBOOT_SMODE } from './boot-harness.js';
import { followConsole } from './console-follow.js';

const root = decodeURIComponent(new URL('../..', import.meta.url).pathname);
const entry = join(root, 'dist/core/platform/node/vm-process-main.js');
const built = existsSync(entry);
const guestDir = LINUX_GUEST_DIR;
const guestBuilt = linuxGuestBuilt;
if (!guestBuilt) console.warn('[skip] the Linux guest is not built: run npm run guests (about an hour)');
if (!built) console.warn(`[skip] ${entry} is missing: run npm run build:core`);
const fwJump = oracleFile(FW_JUMP, 'opensbi');
const uboot = oracleFile(UBOOT_SMODE, 'u-boot-qemu');

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(!built || !guestBuilt || !fwJump.available)('Linux (busybox) template: own root disk, graceful power off', () => {
  let hv: Hypervisor;
  let dataDir: string;
  const events: ApiEvent[] = [];

  beforeAll(() => {
    const tmp = mkdtempSync(join(tmpdir(), 'rs-linux-tpl-'));
    dataDir = join(tmp, 'data');
    // The template finds the guest through the cache's `linux-busybox` pointer: point one at this build.
    const guests = join(tmp, 'guests');
    mkdirSync(guests);
    symlinkSync(guestDir, join(guests, 'linux-busybox'));
    hv = new Hypervisor(nodeHostPlatform(new NodeVmLauncher(entry)), {
      dataDir,
      templatesDir: join(root, 'resources/templates'),
      guestCacheDir: guests,
      defaultFirmware: [],
      stopTimeoutMs: 3000,
    });
    hv.subscribe((e) => events.push(e));
  });

  afterAll(async () => {
    await hv?.shutdown();
  });

  it('boots with its own root disk; vm stop powers the guest off cleanly (exit 0, no hard stop); the pristine image is untouched', async () => {
    const template = hv.templateList().find((t) => t.id === 'linux-busybox')!;
    expect(template.missing).toEqual([]);
    const pristine = join(guestDir, 'root.ext4');
    const before = sha256(pristine);
    const vm = await hv.createVm({ name: 'linux', ...template.config }, { template: 'linux-busybox', operationId: 'linux-create' });
    const disk = vm.config.disks[0].path;
    expect(disk).toBe(join(dataDir, 'vms', vm.id, 'disks', 'root.ext4'));
    expect(sha256(disk)).toBe(before);
    const progress = events.filter((e) => e.type === 'operation.progress' && e.operationId === 'linux-create');
    expect(progress.at(-1)).toMatchObject({ doneBytes: 128 * 1024 * 1024, totalBytes: 128 * 1024 * 1024 });

    const con = followConsole(hv, vm.id);
    await hv.start(vm.id);
    await con.waitFor('root@riscstation:/# ');
    const at = con.text.length;
    hv.consoleInput(vm.id, new TextEncoder().encode('echo kept > /root/mark; sync; echo MARK-$((6*7))\n'));
    await con.waitFor('MARK-42', at);

    const result = await hv.stop(vm.id);
    expect(result.state).toBe('stopped');
    expect(con.text).toContain('The system is going down NOW!');
    expect(con.text).toContain('reboot: Power down');
    const log = readFileSync(join(dataDir, 'vms', vm.id, 'logs', 'vm.log'), 'utf8');
    expect(log).toContain('vm: power-off request: pressed the power button');
    expect(log).toContain('the guest powered off');
    expect(log).toMatch(/VM process \d+ exited with code 0/);
    expect(log).not.toContain('hard stop');
    expect(events).toContainEqual({ type: 'vm.stateChanged', id: vm.id, state: 'stopped', previous: 'stopping', reason: 'the guest powered off' });
    // The guest wrote to its own copy only.
    expect(sha256(pristine)).toBe(before);
    expect(sha256(disk)).not.toBe(before);
  });

  it('runs a 4-hart VM from the template: nproc, the ISA in cpuinfo, ext4 root on vda, the host date (RTC), /dev/hwrng; Ctrl+Alt+Del reboots it', async () => {
    const template = hv.templateList().find((t) => t.id === 'linux-busybox')!;
    const vm = await hv.createVm({ name: 'linux4', ...template.config, harts: 4 }, { template: 'linux-busybox' });
    const con = followConsole(hv, vm.id);
    await hv.start(vm.id);
    await con.waitFor('root@riscstation:/# ');
    /** Runs a shell line and returns what it printed between two markers. */
    const run = async (line: string): Promise<string> => {
      const at = con.text.length;
      hv.consoleInput(vm.id, new TextEncoder().encode(`echo B-$((1+1)); ${line}; echo E-$((2+2))\n`));
      await con.waitFor('E-4', at);
      const out = con.text.slice(at).replace(/\r/g, '');
      return out.slice(out.indexOf('B-2\n') + 4, out.lastIndexOf('E-4'));
    };
    expect((await run('nproc')).trim()).toBe('4');
    const cpuinfo = await run('cat /proc/cpuinfo');
    expect(cpuinfo.match(/^processor\s*:/gm)).toHaveLength(4);
    expect(cpuinfo.match(/^isa\s*:\s*rv64imafdc/gm)).toHaveLength(4);
    expect(await run('mount')).toMatch(/^\/dev\/vda on \/ type ext4 \(rw/m);
    const guestSeconds = Number((await run('date +%s')).trim());
    expect(Math.abs(guestSeconds - Date.now() / 1000)).toBeLessThan(60);
    const bytes = (await run('head -c 16 /dev/hwrng | od -An -tx1')).trim().split(/\s+/);
    expect(bytes).toHaveLength(16);
    for (const b of bytes) expect(b).toMatch(/^[0-9a-f]{2}$/);

    // Ctrl+Alt+Del on the VM's keyboard: the kernel's VT keyboard signals init, whose ctrlaltdel
    // action reboots; the board resets and the guest comes back to its prompt.
    const beforeReboot = con.text.length;
    expect(await hv.sendKeys(vm.id, 'ctrl-alt-del')).toEqual({ id: vm.id, delivered: true });
    await con.waitFor('reboot: Restarting system', beforeReboot);
    await con.waitFor('Linux version', beforeReboot);
    await con.waitFor('root@riscstation:/# ', con.text.indexOf('Linux version', beforeReboot));
    expect((await run('nproc')).trim()).toBe('4');

    expect((await hv.stop(vm.id)).state).toBe('stopped');
    expect(con.text).toContain('reboot: Power down');
  });

  it.skipIf(!uboot.available)('a U-Boot VM (no driver for the power button) is hard-stopped after the timeout', async () => {
    const vm = hv.create({ name: 'uboot', firmware: { kind: 'file', path: FW_JUMP }, kernel: UBOOT_SMODE, memoryMiB: 256 });
    const con = followConsole(hv, vm.id);
    await hv.start(vm.id);
    await con.waitFor('=> ');
    expect((await hv.stop(vm.id)).state).toBe('stopped');
    const log = readFileSync(join(dataDir, 'vms', vm.id, 'logs', 'vm.log'), 'utf8');
    expect(log).toContain('vm: power-off request: no driver listens to the power button');
    expect(log).toContain('the guest did not power off within 3000 ms: hard stop');
    expect(readdirSync(join(dataDir, 'vms')).sort()).toEqual(['linux', 'linux4', 'uboot']);
  });
});

describe.skipIf(!built || !guestBuilt || !fwJump.available)('riscstation vm create --template linux-busybox / vm delete --keep-disks (the built CLI)', { timeout: 180_000 }, () => {
  const cli = join(root, 'dist/core/host/cli/main.js');
  const tmp = mkdtempSync(join(tmpdir(), 'rs-linux-cli-'));
  const home = join(tmp, 'data');
  const cache = join(tmp, 'cache');
  mkdirSync(join(cache, 'riscstation', 'guests'), { recursive: true });
  if (guestBuilt) symlinkSync(guestDir, join(cache, 'riscstation', 'guests', 'linux-busybox'));
  const rs = (...args: string[]) => {
    const r = spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, RISCSTATION_HOME: home, XDG_CACHE_HOME: cache }, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  afterAll(() => {
    rs('host', 'stop');
  });

  it('shows the copy’s progress, lists the VM’s own disk, and keeps it on delete --keep-disks', () => {
    expect(rs('vm', 'start', 'not-yet').stderr).toMatch(/started a RiscStation host in the background/);
    const created = rs('vm', 'create', 'lx', '--template', 'linux-busybox', '--smp', '2');
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('copying root.ext4: 100% (128 of 128 MiB)');
    expect(created.stdout).toBe(`created VM 'lx' (id lx): 2 hart(s), 256 MiB\n  disk ${join(home, 'vms', 'lx', 'disks', 'root.ext4')}\n`);
    const deleted = rs('vm', 'delete', 'lx', '--keep-disks');
    expect(deleted.code).toBe(0);
    const [kept] = readdirSync(join(home, 'kept-disks'));
    expect(deleted.stdout).toBe(`deleted VM lx\nits disks are kept in ${join(home, 'kept-disks', kept)}\n`);
    expect(readdirSync(join(home, 'kept-disks', kept)).sort()).toEqual(['root.ext4', 'vm.json']);
    expect(existsSync(join(home, 'vms', 'lx'))).toBe(false);
  });
});
