/**
 * Templates with disks of their own (the Linux template's root disk): each VM gets its own copy,
 * the copy reports progress and can be cancelled without leaving anything, and a VM can be deleted
 * keeping its disks. Runs on real files in a temp folder with a small stand-in guest.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError, type ApiEvent } from '../../../../core/api/index.js';
import { Hypervisor } from '../../../../core/hypervisor/hypervisor.js';
import { nodeHostPlatform } from '../../../../core/platform/node/host-setup.js';
import { createInMemoryLauncher } from '../../../../core/vm/process-in-memory.js';
import { runVmProcess } from '../../../../core/vm/process-runtime.js';
import { inMemoryEnv } from './test-host.js';

const MiB = 1024 * 1024;

/** A template folder with one template whose kernel and disk live in the guest cache. */
function fixture(options: { built: boolean }) {
  const root = mkdtempSync(join(tmpdir(), 'rs-tpl-'));
  const templatesDir = join(root, 'templates');
  const guests = join(root, 'guests');
  const dataDir = join(root, 'data');
  mkdirSync(templatesDir);
  mkdirSync(join(guests, 'test-guest'), { recursive: true });
  writeFileSync(
    join(templatesDir, 'test-guest.json'),
    JSON.stringify({
      id: 'test-guest',
      name: 'Test guest',
      description: 'a stand-in for the Linux template',
      config: { firmware: { kind: 'none' }, kernel: '${guests}/test-guest/kernel.bin', memoryMiB: 64 },
      copyDisks: ['${guests}/test-guest/root.img'],
      guestBuild: { command: 'npm run guests', duration: 'about an hour' },
    }),
  );
  // 20 MiB: a 1 MiB hole between data, so the copy has several chunks and a zero stretch.
  const disk = new Uint8Array(20 * MiB);
  for (let i = 0; i < disk.length; i += 4096) disk[i] = (i / 4096) & 0xff;
  disk.fill(0, 4 * MiB, 9 * MiB);
  if (options.built) {
    writeFileSync(join(guests, 'test-guest', 'kernel.bin'), new Uint8Array(4096).fill(0x13));
    writeFileSync(join(guests, 'test-guest', 'root.img'), disk);
  }
  const launcher = createInMemoryLauncher(runVmProcess, inMemoryEnv);
  const open = () => new Hypervisor(nodeHostPlatform(launcher), { dataDir, templatesDir, guestCacheDir: guests, defaultFirmware: [] });
  const hv = open();
  const events: ApiEvent[] = [];
  hv.subscribe((e) => events.push(e));
  return { hv, open, dataDir, guests, disk, events, source: join(guests, 'test-guest', 'root.img') };
}

async function refused(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('templates with disks of their own', () => {
  it('say what to build when the guest is not built, and refuse to create from it', async () => {
    const { hv, guests, dataDir } = fixture({ built: false });
    const t = hv.templateList().find((x) => x.id === 'test-guest')!;
    expect(t.config.kernel).toBe(join(guests, 'test-guest', 'kernel.bin'));
    expect(t.missing.map((m) => m.path)).toEqual([join(guests, 'test-guest', 'kernel.bin'), join(guests, 'test-guest', 'root.img')]);
    expect(t.missing.every((m) => m.package === null && m.hint?.includes('`npm run guests`') && m.hint.includes('about an hour'))).toBe(true);
    const error = await refused(hv.createVm({ name: 'g', ...t.config }, { template: 'test-guest' }));
    expect(error.code).toBe('bad-request');
    expect(error.message).toContain("the template 'Test guest' cannot be used yet");
    expect(error.message).toContain('npm run guests');
    expect(readdirSync(join(dataDir, 'vms'))).toEqual([]);
  });

  it('give each VM its own copy of the disk, reporting progress, and never write the pristine image', async () => {
    const { hv, events, dataDir, source, disk } = fixture({ built: true });
    const t = hv.templateList().find((x) => x.id === 'test-guest')!;
    expect(t.missing).toEqual([]);
    expect(t.copyDisks).toEqual([source]);
    const before = statSync(source).mtimeMs;
    const a = await hv.createVm({ name: 'A', ...t.config }, { template: 'test-guest', operationId: 'op-a' });
    const b = await hv.createVm({ name: 'B', ...t.config }, { template: 'test-guest', operationId: 'op-b' });
    expect(a.config.disks).toEqual([{ path: join(dataDir, 'vms', a.id, 'disks', 'root.img'), format: 'raw', readOnly: false }]);
    expect(b.config.disks[0].path).toBe(join(dataDir, 'vms', b.id, 'disks', 'root.img'));
    for (const vm of [a, b]) expect(Buffer.from(readFileSync(vm.config.disks[0].path)).equals(Buffer.from(disk))).toBe(true);
    expect(statSync(source).mtimeMs).toBe(before);
    const progress = events.filter((e): e is Extract<ApiEvent, { type: 'operation.progress' }> => e.type === 'operation.progress' && e.operationId === 'op-a');
    expect(progress[0]).toMatchObject({ what: 'copying root.img', doneBytes: 0, totalBytes: disk.length });
    expect(progress.at(-1)).toMatchObject({ doneBytes: disk.length, totalBytes: disk.length });
    // The VM appears in the library only once its disk is there.
    const added = events.findIndex((e) => e.type === 'vm.added' && e.vm.id === a.id);
    expect(added).toBeGreaterThan(events.indexOf(progress.at(-1)!));
    expect(hv.list().map((v) => v.name)).toEqual(['A', 'B']);
  });

  it('stop copying when cancelled and leave nothing behind (the name stays free)', async () => {
    const { hv, events, dataDir } = fixture({ built: true });
    const t = hv.templateList().find((x) => x.id === 'test-guest')!;
    let cancelled: boolean | null = null;
    hv.subscribe((e) => {
      if (e.type === 'operation.progress' && e.operationId === 'op-c' && cancelled === null) cancelled = hv.cancelOperation('op-c');
    });
    const error = await refused(hv.createVm({ name: 'C', ...t.config }, { template: 'test-guest', operationId: 'op-c' }));
    expect(cancelled).toBe(true);
    expect(error.code).toBe('cancelled');
    expect(readdirSync(join(dataDir, 'vms'))).toEqual([]);
    expect(hv.list()).toEqual([]);
    expect(events.some((e) => e.type === 'vm.added')).toBe(false);
    expect(hv.cancelOperation('op-c')).toBe(false);
    const again = await hv.createVm({ name: 'C', ...t.config }, { template: 'test-guest', operationId: 'op-c' });
    expect(again.id).toBe('c');
  });

  it('pins the template’s kernel to the guest build it comes from (the cache pointer moves on later)', async () => {
    const { hv, guests } = fixture({ built: true });
    // The cache as `npm run guests` leaves it: test-guest is a pointer to one build's folder.
    renameSync(join(guests, 'test-guest'), join(guests, 'build-1'));
    symlinkSync('build-1', join(guests, 'test-guest'));
    const t = hv.templateList().find((x) => x.id === 'test-guest')!;
    const vm = await hv.createVm({ name: 'Pinned', ...t.config }, { template: 'test-guest' });
    expect(vm.config.kernel).toBe(join(realpathSync(guests), 'build-1', 'kernel.bin'));
    // A kernel the user chose instead stays as given.
    const own = join(guests, 'build-1', 'kernel.bin');
    symlinkSync(own, join(guests, 'my-kernel'));
    const mine = await hv.createVm({ name: 'Mine', ...t.config, kernel: join(guests, 'my-kernel') }, { template: 'test-guest' });
    expect(mine.config.kernel).toBe(join(guests, 'my-kernel'));
  });

  it('a cancel that arrives with the last block still leaves nothing (the answer said so)', async () => {
    const { hv, events, dataDir } = fixture({ built: true });
    const t = hv.templateList().find((x) => x.id === 'test-guest')!;
    hv.subscribe((e) => {
      if (e.type === 'operation.progress' && e.operationId === 'op-late' && e.doneBytes === e.totalBytes) expect(hv.cancelOperation('op-late')).toBe(true);
    });
    const error = await refused(hv.createVm({ name: 'Late', ...t.config }, { template: 'test-guest', operationId: 'op-late' }));
    expect(error.code).toBe('cancelled');
    expect(readdirSync(join(dataDir, 'vms'))).toEqual([]);
    expect(events.some((e) => e.type === 'vm.added')).toBe(false);
  });

  it('a plain create cannot take the name of a VM being made from a template', async () => {
    const { hv } = fixture({ built: true });
    const t = hv.templateList().find((x) => x.id === 'test-guest')!;
    let clash: ApiError | null = null;
    hv.subscribe((e) => {
      if (e.type === 'operation.progress' && e.operationId === 'op-name' && clash === null) {
        try {
          hv.create({ name: 'Same', ...t.config });
        } catch (error) {
          clash = error as ApiError;
        }
      }
    });
    await hv.createVm({ name: 'Same', ...t.config }, { template: 'test-guest', operationId: 'op-name' });
    expect(clash).not.toBeNull();
    expect(clash!.code).toBe('conflict');
    expect(hv.list().map((v) => v.name)).toEqual(['Same']);
  });

  it('delete --keep-disks moves the VM’s own disks to kept-disks/<id>-<time>/ with its vm.json', async () => {
    const { hv, dataDir, disk } = fixture({ built: true });
    const t = hv.templateList().find((x) => x.id === 'test-guest')!;
    const vm = await hv.createVm({ name: 'Keep me', ...t.config }, { template: 'test-guest' });
    const result = hv.delete(vm.id, { keepDisks: true });
    expect(result.keptDisks).toMatch(new RegExp(`^${join(dataDir, 'kept-disks', 'keep-me-')}\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ$`));
    expect(readdirSync(result.keptDisks!).sort()).toEqual(['root.img', 'vm.json']);
    expect(Buffer.from(readFileSync(join(result.keptDisks!, 'root.img'))).equals(Buffer.from(disk))).toBe(true);
    expect(JSON.parse(readFileSync(join(result.keptDisks!, 'vm.json'), 'utf8')).config.name).toBe('Keep me');
    expect(existsSync(join(dataDir, 'vms', vm.id))).toBe(false);

    const gone = await hv.createVm({ name: 'Drop me', ...t.config }, { template: 'test-guest' });
    expect(hv.delete(gone.id)).toEqual({ id: gone.id });
    expect(existsSync(join(dataDir, 'vms', gone.id))).toBe(false);
    expect(readdirSync(join(dataDir, 'kept-disks'))).toHaveLength(1);
    // A VM without disks of its own has nothing to keep.
    const plain = hv.create({ name: 'plain', firmware: { kind: 'none' }, kernel: t.config.kernel!, memoryMiB: 64 });
    expect(hv.delete(plain.id, { keepDisks: true }).keptDisks).toBeNull();
  });

  it('a create cut short by a crash (a hidden staging folder) is cleaned up when the host opens the library', () => {
    const { open, dataDir } = fixture({ built: true });
    mkdirSync(join(dataDir, 'vms', '.creating-x', 'disks'), { recursive: true });
    writeFileSync(join(dataDir, 'vms', '.creating-x', 'disks', 'root.img'), 'partial');
    const hv = open();
    expect(readdirSync(join(dataDir, 'vms'))).toEqual([]);
    expect(hv.list()).toEqual([]);
  });
});
