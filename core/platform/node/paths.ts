/**
 * The user's data folder (the VM library) outside Electron, which uses `app.getPath('userData')`.
 * `RISCSTATION_HOME` wins; otherwise each OS's convention.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(
  env: Record<string, string | undefined> = process.env,
  platform: string = process.platform,
  home: string = homedir(),
): string {
  if (env.RISCSTATION_HOME) return env.RISCSTATION_HOME;
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'RiscStation');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'RiscStation');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'riscstation');
}
