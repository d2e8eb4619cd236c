/**
 * Where `npm run guests` (scripts/build-guests.mjs) keeps the guests it builds, for the templates
 * that use them (`${guests}` in resources/templates/*.json).
 *
 * The build script names each build folder by the hash of its recipe and, after every build, points
 * the stable name `linux-busybox` at the newest one (a relative symlink, replaced atomically). The
 * hypervisor only follows that name, so the recipe hash is computed in one place: the script.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The stable name of the newest Linux (busybox) guest build under the cache folder. */
export const LINUX_GUEST_POINTER = 'linux-busybox';

/** `$XDG_CACHE_HOME/riscstation/guests`, else `~/.cache/riscstation/guests` (as the build script). */
export function guestCacheDir(env: Record<string, string | undefined> = process.env, home: string = homedir()): string {
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'riscstation', 'guests');
}
