/**
 * useGuestBuildStore over the real ApiServer, hypervisor and build script: a guest cache that holds
 * the built guest but no `linux-busybox` pointer yet, so the template is missing until the build
 * (up to date: seconds) sets the pointer. Skips when the Linux guest is not built.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hypervisorHandlers } from '../../../../core/hypervisor/api-handlers.js';
import { NodeGuestBuilder } from '../../../../core/platform/node/guest-build.js';
import { useGuestBuildStore } from '../../../../renderer/stores/guest-build.js';
import { useHostStore } from '../../../../renderer/stores/host.js';
import { useVmStore } from '../../../../renderer/stores/vm.js';
import { tempHost } from '../../core/hypervisor/test-host.js';
import { BUILD_GUESTS, LINUX_GUEST_DIR, linuxGuestBuilt } from '../../../helpers/linux-guest.js';
import { createHarness, settle } from './harness.js';

const guestDir = LINUX_GUEST_DIR;

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

describe.skipIf(!linuxGuestBuilt)('useGuestBuildStore', () => {
  it('builds the template\'s guest, following its steps, and reloads the templates so it is selectable', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'rs-store-build-'));
    const guests = join(cache, 'riscstation', 'guests');
    mkdirSync(guests, { recursive: true });
    symlinkSync(guestDir, join(guests, basename(guestDir)));
    const host = tempHost({ guestCacheDir: guests, guestBuilder: new NodeGuestBuilder({ script: BUILD_GUESTS, env: { ...process.env, XDG_CACHE_HOME: cache } }) });
    cleanup.push(async () => {
      await host.hv.shutdown();
      rmSync(cache, { recursive: true, force: true });
    });
    const harness = createHarness({ handlers: hypervisorHandlers(host.hv, { pid: process.pid, requestStop: () => {} }) });
    host.hv.subscribe((event) => harness.server.emit(event));

    await useHostStore().connect();
    const vms = useVmStore();
    await vms.loadTemplates();
    expect(vms.templates!.find((t) => t.id === 'linux-busybox')!.missing.length).toBeGreaterThan(0);

    const builds = useGuestBuildStore();
    const steps: number[] = [];
    const stop = builds.$subscribe(() => {
      if (builds.running && builds.running.step > 0) steps.push(builds.running.step);
    });
    const done = builds.start('linux-busybox');
    expect(builds.running).toMatchObject({ templateId: 'linux-busybox', step: 0, cancelling: false });
    await done;
    stop();
    expect(steps[0]).toBe(1);
    expect(builds.running).toBeNull();
    expect(builds.ended).toEqual({ templateId: 'linux-busybox', kind: 'done', message: '', upToDate: true });
    expect(vms.templates!.find((t) => t.id === 'linux-busybox')!.missing).toEqual([]);
  }, 60_000);

  it('follows and cancels a build this window did not start (template.list says `building`)', async () => {
    // An empty cache: the build has real work to do (it extracts the kernel source first).
    const cache = mkdtempSync(join(tmpdir(), 'rs-store-adopt-'));
    const host = tempHost({
      guestCacheDir: join(cache, 'riscstation', 'guests'),
      guestBuilder: new NodeGuestBuilder({ script: BUILD_GUESTS, env: { ...process.env, XDG_CACHE_HOME: cache } }),
    });
    cleanup.push(async () => {
      await host.hv.shutdown();
      rmSync(cache, { recursive: true, force: true });
    });
    const harness = createHarness({ handlers: hypervisorHandlers(host.hv, { pid: process.pid, requestStop: () => {} }) });
    host.hv.subscribe((event) => harness.server.emit(event));
    await useHostStore().connect();

    // Started elsewhere (the CLI, another window).
    const elsewhere = host.hv.buildTemplate('linux-busybox', { operationId: 'cli-build-1' }).catch((e: unknown) => e);
    const vms = useVmStore();
    await vms.loadTemplates();
    expect(vms.templates!.find((t) => t.id === 'linux-busybox')!.building).toMatchObject({ operationId: 'cli-build-1' });
    const builds = useGuestBuildStore();
    await settle();
    expect(builds.running).toMatchObject({ templateId: 'linux-busybox', operationId: 'cli-build-1', adopted: true });
    await vi.waitFor(() => expect(builds.running?.step).toBeGreaterThanOrEqual(1), { timeout: 20_000, interval: 100 });

    await builds.cancel();
    expect(await elsewhere).toMatchObject({ code: 'cancelled' });
    // The store notices the end at its next look at template.list.
    await vi.waitFor(() => expect(builds.running).toBeNull(), { timeout: 20_000, interval: 200 });
    expect(builds.ended).toBeNull();
    expect(vms.templates!.find((t) => t.id === 'linux-busybox')!.building).toBeUndefined();
  }, 60_000);
});
