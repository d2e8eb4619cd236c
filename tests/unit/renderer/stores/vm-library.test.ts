/**
 * The VM store against the real hypervisor (temp library, VM runtime in this thread) behind the
 * real ApiServer: create, update, delete, templates, crash reasons.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../../core/api/index.js';
import { hypervisorHandlers } from '../../../../core/hypervisor/api-handlers.js';
import { useHostStore } from '../../../../renderer/stores/host.js';
import { useStatsStore } from '../../../../renderer/stores/stats.js';
import { useVmStore } from '../../../../renderer/stores/vm.js';
import { tempHost } from '../../core/hypervisor/test-host.js';
import { createHarness, settle } from './harness.js';

const hosts: Array<ReturnType<typeof tempHost>> = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.hv.shutdown();
});

/** A raw firmware image (the host checks that it exists, is not empty and fits in RAM). */
function firmwareFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rs-fw-')), 'fw.bin');
  writeFileSync(path, new Uint8Array(64));
  return path;
}

function libraryHarness() {
  const host = tempHost({ defaultFirmware: [firmwareFile()] });
  hosts.push(host);
  const harness = createHarness({ handlers: hypervisorHandlers(host.hv, { pid: process.pid, requestStop: () => {} }) });
  host.hv.subscribe((event) => harness.server.emit(event));
  return { ...harness, hv: host.hv };
}

describe('useVmStore with the hypervisor', () => {
  it('creates a VM, adds it to the library once and selects it', async () => {
    const { hv } = libraryHarness();
    const vms = useVmStore();
    await useHostStore().connect();
    await settle();
    const vm = await vms.create({ name: 'Bare', firmware: { kind: 'default' }, memoryMiB: 64 });
    await settle();
    expect(vms.vms).toEqual([{ id: vm.id, name: 'Bare', state: 'created', harts: 1, memoryMiB: 64 }]);
    expect(vms.selectedId).toBe(vm.id);
    expect(vms.details[vm.id].config.memoryMiB).toBe(64);
    expect(hv.list().map((v) => v.id)).toEqual([vm.id]);
  });

  it('rejects a second VM of the same name with the host’s message', async () => {
    libraryHarness();
    const vms = useVmStore();
    await useHostStore().connect();
    await vms.create({ name: 'Twin' });
    const refusal = await vms.create({ name: 'Twin' }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).code).toBe('conflict');
    await settle();
    expect(vms.vms).toHaveLength(1);
  });

  it('updates a stopped VM and deletes it', async () => {
    libraryHarness();
    const vms = useVmStore();
    await useHostStore().connect();
    const vm = await vms.create({ name: 'Edit me' });
    await vms.update(vm.id, { harts: 4, memoryMiB: 512, name: 'Edited' });
    await settle();
    expect(vms.vms[0]).toMatchObject({ name: 'Edited', harts: 4, memoryMiB: 512 });
    expect(vms.details[vm.id].config).toMatchObject({ harts: 4, memoryMiB: 512 });
    await vms.remove(vm.id);
    await settle();
    expect(vms.vms).toEqual([]);
    expect(vms.selectedId).toBeNull();
  });

  it('lists the templates with what is missing on this host', async () => {
    libraryHarness();
    const vms = useVmStore();
    await useHostStore().connect();
    await vms.loadTemplates();
    expect(vms.templates?.map((t) => t.id)).toEqual(expect.arrayContaining(['bare-metal', 'opensbi-uboot']));
    expect(vms.templatesError).toBeNull();
  });

  it('keeps the reason of a crash from the state change event', async () => {
    const { server } = libraryHarness();
    const vms = useVmStore();
    await useHostStore().connect();
    const vm = await vms.create({ name: 'Fragile' });
    server.emit({ type: 'vm.stateChanged', id: vm.id, state: 'crashed', previous: 'running', reason: 'the VM process was killed (SIGKILL)' });
    await settle();
    expect(vms.vms[0].state).toBe('crashed');
    expect(vms.crashReasons[vm.id]).toBe('the VM process was killed (SIGKILL)');
  });
});

describe('useStatsStore', () => {
  it('reads the admission numbers from host.status', async () => {
    libraryHarness();
    const stats = useStatsStore();
    await useHostStore().connect();
    await stats.poll();
    stats.stop();
    expect(stats.hostStatusSupported).toBe(true);
    expect(stats.hostStatus?.memory.limitMiB).toBeGreaterThan(0);
    expect(stats.hostStatus?.pid).toBe(process.pid);
  });

  it('remembers a host without host.status and stops asking', async () => {
    createHarness();
    const stats = useStatsStore();
    await useHostStore().connect();
    await stats.poll();
    stats.stop();
    expect(stats.hostStatusSupported).toBe(false);
    expect(stats.hostStatus).toBeNull();
  });
});
