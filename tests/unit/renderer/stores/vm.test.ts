import { describe, expect, it } from 'vitest';
import { useHostStore } from '../../../../renderer/stores/host.js';
import { powerActions, useVmStore } from '../../../../renderer/stores/vm.js';
import { createHarness, settle } from './harness.js';

const alpine = { id: 'alpine', name: 'Alpine', state: 'created', harts: 2, memoryMiB: 512 } as const;
const uboot = { id: 'u-boot', name: 'U-Boot', state: 'stopped', harts: 1, memoryMiB: 128 } as const;

describe('useVmStore', () => {
  it('loads the library from vm.list once connected (empty on a fresh host)', async () => {
    createHarness();
    const vms = useVmStore();
    expect(vms.loaded).toBe(false);
    await useHostStore().connect();
    await settle();
    expect(vms.loaded).toBe(true);
    expect(vms.vms).toEqual([]);
    expect(vms.selected).toBeNull();
    expect(vms.error).toBeNull();
  });

  it('follows vm.added, vm.updated, vm.stateChanged and vm.removed events', async () => {
    const { server } = createHarness();
    const vms = useVmStore();
    await useHostStore().connect();
    await settle();

    server.emit({ type: 'vm.added', vm: alpine });
    server.emit({ type: 'vm.added', vm: uboot });
    await settle();
    expect(vms.vms.map((vm) => vm.id)).toEqual(['alpine', 'u-boot']);

    server.emit({ type: 'vm.updated', vm: { ...alpine, name: 'Alpine Linux' } });
    server.emit({ type: 'vm.stateChanged', id: 'alpine', state: 'running', previous: 'created' });
    await settle();
    expect(vms.vms[0]).toEqual({ ...alpine, name: 'Alpine Linux', state: 'running' });

    vms.select('alpine');
    server.emit({ type: 'vm.removed', id: 'alpine' });
    await settle();
    expect(vms.vms.map((vm) => vm.id)).toEqual(['u-boot']);
    expect(vms.selectedId).toBeNull();
  });

  it('filters by name, ignoring case', async () => {
    const { server } = createHarness();
    const vms = useVmStore();
    await useHostStore().connect();
    server.emit({ type: 'vm.added', vm: alpine });
    server.emit({ type: 'vm.added', vm: uboot });
    await settle();
    vms.filter = 'BOOT';
    expect(vms.filtered.map((vm) => vm.id)).toEqual(['u-boot']);
    vms.filter = '  ';
    expect(vms.filtered).toHaveLength(2);
  });

  it('enables power actions only where the lifecycle allows them', async () => {
    const { server } = createHarness();
    const vms = useVmStore();
    await useHostStore().connect();
    expect(vms.actions).toEqual({ start: false, pause: false, resume: false, shutdown: false, stop: false, reset: false });
    server.emit({ type: 'vm.added', vm: alpine });
    await settle();
    vms.select('alpine');
    expect(vms.actions).toEqual({ start: true, pause: false, resume: false, shutdown: false, stop: false, reset: false });
    expect(powerActions('running')).toEqual({ start: false, pause: true, resume: false, shutdown: true, stop: true, reset: true });
    expect(powerActions('paused')).toEqual({ start: false, pause: false, resume: true, shutdown: false, stop: true, reset: true });
    expect(powerActions('crashed').start).toBe(true);
  });

  it("shows the host's refusal of a power action", async () => {
    const { server } = createHarness();
    const vms = useVmStore();
    await useHostStore().connect();
    server.emit({ type: 'vm.added', vm: alpine });
    await settle();
    vms.select('alpine');
    await vms.power('start');
    // This host has no hypervisor yet: vm.start is refused with not-implemented.
    expect(vms.actionError).toMatch(/vm\.start is not implemented/);
    expect(vms.selected?.state).toBe('created');
  });
});
