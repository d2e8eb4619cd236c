/**
 * The VM store with a template that has a disk of its own, over the real ApiServer and hypervisor:
 * the create follows the copy's progress events by operation id, and delete can keep the disks.
 */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../../core/api/index.js';
import { hypervisorHandlers } from '../../../../core/hypervisor/api-handlers.js';
import { useHostStore } from '../../../../renderer/stores/host.js';
import { useVmStore } from '../../../../renderer/stores/vm.js';
import { tempHost } from '../../core/hypervisor/test-host.js';
import { createHarness, settle } from './harness.js';

const hosts: Array<ReturnType<typeof tempHost>> = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.hv.shutdown();
});

function templateHarness() {
  const root = mkdtempSync(join(tmpdir(), 'rs-store-tpl-'));
  const templatesDir = join(root, 'templates');
  const guests = join(root, 'guests');
  mkdirSync(templatesDir);
  mkdirSync(join(guests, 'g'), { recursive: true });
  writeFileSync(join(guests, 'g', 'kernel.bin'), new Uint8Array(4096).fill(0x13));
  writeFileSync(join(guests, 'g', 'disk.img'), new Uint8Array(12 * 1024 * 1024).fill(7));
  writeFileSync(
    join(templatesDir, 'g.json'),
    JSON.stringify({ id: 'g', name: 'G', description: 'a guest with a disk', config: { firmware: { kind: 'none' }, kernel: '${guests}/g/kernel.bin' }, copyDisks: ['${guests}/g/disk.img'] }),
  );
  const host = tempHost({ templatesDir, guestCacheDir: guests });
  hosts.push(host);
  const harness = createHarness({ handlers: hypervisorHandlers(host.hv, { pid: process.pid, requestStop: () => {} }) });
  host.hv.subscribe((event) => harness.server.emit(event));
  return { ...harness, hv: host.hv, dataDir: host.dataDir };
}

describe('useVmStore with a template that has disks of its own', () => {
  it('creates the VM with its own disk copy, the progress arriving under the operation id; delete keeps the disk', async () => {
    const { dataDir } = templateHarness();
    const vms = useVmStore();
    const host = useHostStore();
    await host.connect();
    await vms.loadTemplates();
    const template = vms.templates!.find((t) => t.id === 'g')!;
    expect(template.copyDisks).toHaveLength(1);
    const seen: ApiEvent[] = [];
    const off = host.client!.onEvent((e) => seen.push(e));
    const vm = await vms.create({ name: 'With disk', ...template.config }, { template: 'g', operationId: 'store-op' });
    off();
    expect(vm.config.disks[0].path).toBe(join(dataDir, 'vms', vm.id, 'disks', 'disk.img'));
    const progress = seen.filter((e) => e.type === 'operation.progress' && e.operationId === 'store-op');
    expect(progress.at(-1)).toMatchObject({ doneBytes: 12 * 1024 * 1024, totalBytes: 12 * 1024 * 1024 });
    expect(await vms.cancelOperation('store-op')).toBe(false);

    const kept = await vms.remove(vm.id, { keepDisks: true });
    await settle();
    expect(kept).toMatch(new RegExp(`^${join(dataDir, 'kept-disks')}/with-disk-`));
    expect(readdirSync(kept!).sort()).toEqual(['disk.img', 'vm.json']);
    expect(vms.vms).toEqual([]);
  });
});
