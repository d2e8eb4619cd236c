/**
 * The Linux guest `npm run guests` built on this machine (scripts/build-guests.mjs --print-dir):
 * its folder, and whether the files the tests boot are there. Tests that need it skip without it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BUILD_GUESTS = fileURLToPath(new URL('../../scripts/build-guests.mjs', import.meta.url));

const printed = spawnSync(process.execPath, [BUILD_GUESTS, '--print-dir'], { encoding: 'utf8' });

/** The build's folder, '' when the current recipe is not built. */
export const LINUX_GUEST_DIR = printed.status === 0 ? printed.stdout.trim() : '';

/** Kernel, initramfs and root disk are all there. */
export const linuxGuestBuilt = LINUX_GUEST_DIR !== '' && ['Image', 'initramfs.cpio.gz', 'root.ext4', 'manifest.json'].every((f) => existsSync(join(LINUX_GUEST_DIR, f)));
