import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { guestBuildLockPath, guestBuildScript, NodeGuestBuilder } from '../../../../../core/platform/node/guest-build.js';
import { tempHost } from '../../hypervisor/test-host.js';

const cleanup: string[] = [];
afterEach(() => {
  for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the Node guest builder', () => {
  it('finds the build script in the source tree and can build here', () => {
    expect(guestBuildScript()).toMatch(/\/scripts\/build-guests\.mjs$/);
    expect(new NodeGuestBuilder().unavailable()).toBeNull();
  });

  it('without the script (a packaged app) says what to run where, and the host refuses the build with that message', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'rs-gb-'));
    cleanup.push(cache);
    const builder = new NodeGuestBuilder({ script: '/opt/RiscStation/resources/app.asar/scripts/build-guests.mjs', env: { XDG_CACHE_HOME: cache } });
    const why = builder.unavailable();
    expect(why).toContain('npm run guests');
    expect(why).toContain(join(cache, 'riscstation', 'guests'));
    const { hv, dataDir } = tempHost({ guestBuilder: builder, guestCacheDir: join(cache, 'riscstation', 'guests') });
    cleanup.push(dataDir);
    await expect(hv.buildTemplate('linux-busybox', { operationId: 'b1' })).rejects.toMatchObject({ code: 'not-implemented', message: why });
    // Nothing was started: the id is free again.
    expect(hv.cancelOperation('b1')).toBe(false);
  });

  it('a host without a builder, a template without a guest, and an unknown template are refused with reasons', async () => {
    const { hv, dataDir } = tempHost();
    cleanup.push(dataDir);
    await expect(hv.buildTemplate('linux-busybox')).rejects.toMatchObject({ code: 'not-implemented', message: expect.stringContaining('npm run guests') });
    await expect(hv.buildTemplate('opensbi-uboot')).rejects.toMatchObject({ code: 'bad-request', message: expect.stringContaining('no guest images to build') });
    await expect(hv.buildTemplate('nope')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('the lock it cleans up after a killed build is the one the script takes', () => {
    expect(guestBuildLockPath({ XDG_CACHE_HOME: '/tmp/c' })).toBe('/tmp/c/riscstation/guests/build/build.lock');
  });
});
