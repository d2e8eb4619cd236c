/**
 * Where RiscStation's own files are: the package root (holding package.json and dist/), found by
 * walking up from this module, so it works from the sources (tests), from dist/ and when
 * installed under node_modules (`npx riscstation`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  /** Absolute path of the folder holding RiscStation's package.json. */
  root: string;
  name: string;
  version: string;
}

let cached: PackageInfo | null = null;

/** RiscStation's package.json facts. Throws if the package layout is broken (a bug, not user error). */
export function packageInfo(): PackageInfo {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (json.name === 'riscstation' && typeof json.version === 'string') {
        cached = { root: dir, name: json.name, version: json.version };
        return cached;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find RiscStation's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The built renderer (index.html + assets), served by the web host and loaded by Electron. */
export function rendererDir(): string {
  return join(packageInfo().root, 'dist', 'renderer');
}
