import { readdirSync, readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../../core/api/index.js';
import type { Hypervisor } from '../../../../core/hypervisor/hypervisor.js';
import { buildHypervisorGuest, gcc } from '../../../integration/hypervisor-guests.js';
import { tempHost, waitForConsole } from './test-host.js';

const open: Hypervisor[] = [];
afterEach(async () => {
  for (const hv of open.splice(0)) await hv.shutdown();
});
function host(options = {}) {
  const h = tempHost(options);
  open.push(h.hv);
  return h;
}

async function refused(p: Promise<unknown> | (() => unknown)): Promise<ApiError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the hypervisor to refuse');
}

/** Every file under a folder with its content, to prove nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('VM library', () => {
  it('creates vms/<id>/vm.json with the validated configuration and a logs folder', () => {
    const { hv, dataDir } = host();
    const vm = hv.create({ name: 'My Board', firmware: { kind: 'file', path: '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin' } });
    expect(vm.id).toBe('my-board');
    expect(vm.state).toBe('created');
    const file = JSON.parse(readFileSync(join(dataDir, 'vms', 'my-board', 'vm.json'), 'utf8'));
    expect(file.config.name).toBe('My Board');
    expect(file.config.memoryMiB).toBe(256);
    expect(statSync(join(dataDir, 'vms', 'my-board', 'logs')).isDirectory()).toBe(true);
    expect(hv.list().map((v) => v.id)).toEqual(['my-board']);
  });

  it('lists a hand-corrupted vm.json as an error for that VM while the others stay usable', () => {
    const { hv, dataDir } = host();
    hv.create({ name: 'good', firmware: { kind: 'file', path: '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin' } });
    mkdirSync(join(dataDir, 'vms', 'broken'));
    writeFileSync(join(dataDir, 'vms', 'broken', 'vm.json'), '{ "formatVersion": 1, "id": "broken", ');
    mkdirSync(join(dataDir, 'vms', 'wrong'));
    writeFileSync(join(dataDir, 'vms', 'wrong', 'vm.json'), JSON.stringify({ formatVersion: 1, id: 'wrong', createdAt: 'x', config: { name: 'w', harts: 99 } }));
    const before = snapshot(dataDir);
    const rows = hv.list();
    expect(rows.find((r) => r.id === 'good')?.error).toBeUndefined();
    expect(rows.find((r) => r.id === 'broken')?.error).toMatch(/vms\/broken\/vm\.json is not valid JSON/);
    expect(rows.find((r) => r.id === 'wrong')?.error).toMatch(/at most 8 harts per VM/);
    expect(hv.get('good').config.name).toBe('good');
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('refuses a missing firmware file, naming it and the Debian package, and writes nothing', async () => {
    const { hv, dataDir } = host();
    const before = snapshot(dataDir);
    const error = await refused(() => hv.create({ name: 'x', firmware: { kind: 'file', path: '/nonexistent/fw_jump.bin' } }));
    expect(error.code).toBe('bad-request');
    expect(error.message).toBe('the firmware /nonexistent/fw_jump.bin does not exist');
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('refuses a kernel that is an ELF for another machine', async () => {
    const { hv } = host();
    const error = await refused(() => hv.create({ name: 'x', firmware: { kind: 'none' }, kernel: process.execPath }));
    expect(error.message).toMatch(/is an ELF file for another machine .*e_machine 62/);
  });

  it('refuses a raw image larger than the VM’s RAM', async () => {
    const { hv, dataDir } = host();
    const big = join(dataDir, 'big.bin');
    writeFileSync(big, new Uint8Array(17 * 1024 * 1024));
    const error = await refused(() => hv.create({ name: 'x', firmware: { kind: 'file', path: big }, memoryMiB: 16 }));
    expect(error.message).toMatch(/larger than the VM's 16 MiB of RAM/);
  });

  it('refuses two VMs with the same name', async () => {
    const { hv } = host();
    const fw = { kind: 'file' as const, path: '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin' };
    hv.create({ name: 'twin', firmware: fw });
    expect((await refused(() => hv.create({ name: 'twin', firmware: fw }))).code).toBe('conflict');
  });

  it('loads the templates and says which package provides a missing file', () => {
    const { hv } = host();
    const templates = hv.templateList();
    expect(templates.map((t) => t.name)).toEqual(['Bare metal (M-mode ELF)', 'Linux (busybox)', 'OpenSBI + U-Boot']);
    const uboot = templates.find((t) => t.id === 'opensbi-uboot')!;
    expect(uboot.config.kernel).toBe('/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin');
    // Every template speaks Japanese too (the wizard shows the UI language's text).
    for (const t of templates) expect(t.translations?.ja?.description).toMatch(/[\u3040-\u30ff]/);
  });
});

describe.skipIf(!gcc.available)('VM power actions (in-memory VM process)', () => {
  it('starts a bare-metal guest, echoes console input, pauses with no instructions retired, resumes and powers off', async () => {
    const { hv, events } = host();
    const elf = buildHypervisorGuest('idle-echo');
    const vm = hv.create({ name: 'echo', firmware: { kind: 'none' }, kernel: elf, memoryMiB: 32 });
    expect((await hv.start(vm.id)).state).toBe('running');
    await waitForConsole(hv, vm.id, 'idle-echo ready');
    hv.consoleInput(vm.id, new TextEncoder().encode('hello\r'));
    await waitForConsole(hv, vm.id, 'hello\r\n');

    expect((await refused(hv.resume(vm.id))).message).toContain("VM 'echo' is running: cannot resume it (it already is running)");
    expect((await hv.pause(vm.id)).state).toBe('paused');
    const a = await hv.stats(vm.id);
    await new Promise((r) => setTimeout(r, 300));
    const b = await hv.stats(vm.id);
    expect(b.instructionsRetired).toBe(a.instructionsRetired);
    expect(b.instructionsPerSecond).toBe(0);
    expect((await hv.resume(vm.id)).state).toBe('running');
    hv.consoleInput(vm.id, new TextEncoder().encode('again\r'));
    await waitForConsole(hv, vm.id, 'again\r\n');

    const stopped = new Promise<void>((resolve) =>
      hv.subscribe((e) => {
        if (e.type === 'vm.stateChanged' && e.id === vm.id && e.state === 'stopped') resolve();
      }),
    );
    hv.consoleInput(vm.id, new TextEncoder().encode('Q'));
    await stopped;
    expect(hv.get(vm.id).state).toBe('stopped');
    const changes = events.filter((e) => e.type === 'vm.stateChanged').map((e) => (e.type === 'vm.stateChanged' ? e.state : ''));
    expect(changes).toEqual(['starting', 'running', 'paused', 'running', 'stopping', 'stopped']);
  });

  it('hard-stops a running VM and can start it again with the earlier output still in the scrollback', async () => {
    const { hv } = host();
    const elf = buildHypervisorGuest('idle-echo');
    const vm = hv.create({ name: 'again', firmware: { kind: 'none' }, kernel: elf, memoryMiB: 32 });
    await hv.start(vm.id);
    await waitForConsole(hv, vm.id, 'ready');
    expect((await hv.hardStop(vm.id)).state).toBe('stopped');
    await hv.start(vm.id);
    const text = await waitForConsole(hv, vm.id, /ready[\s\S]*ready/);
    expect(text.match(/idle-echo ready/g)?.length).toBe(2);
  });

  it('refuses to start a VM whose RAM would exceed the admission limit, with the numbers', async () => {
    const { hv } = host({ memoryLimitPercent: 0.1 });
    const elf = buildHypervisorGuest('idle-echo');
    const vm = hv.create({ name: 'big', firmware: { kind: 'none' }, kernel: elf, memoryMiB: 2048 });
    const error = await refused(hv.start(vm.id));
    expect(error.code).toBe('insufficient-resources');
    expect(error.message).toMatch(/needs 2048 MiB of RAM and the 0 running VM\(s\) already use 0 MiB; the limit is \d+ MiB \(0.1% of \d+ MiB host memory\)/);
    expect(hv.get(vm.id).state).toBe('created');
  });

  it('runs the SMP atomic counter guest with 4 harts to a passing poweroff', async () => {
    const { hv } = host();
    const elf = buildHypervisorGuest('smp-counter', { NHARTS: 4, ITERS: 2000 });
    const vm = hv.create({ name: 'smp', firmware: { kind: 'none' }, kernel: elf, memoryMiB: 32, harts: 4 });
    await hv.start(vm.id);
    const text = await waitForConsole(hv, vm.id, /SMP (PASS|FAIL)/);
    expect(text).toContain('SMP PASS');
  });
});
