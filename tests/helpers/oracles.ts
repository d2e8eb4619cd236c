/**
 * External programs the tests use as oracles (QEMU, dtc, the riscv64 toolchain, Chromium...).
 *
 * Without RISCSTATION_REQUIRE_ORACLES a test whose program is missing is skipped with a message
 * naming the Debian package to install; with RISCSTATION_REQUIRE_ORACLES=1 (CI) it fails instead.
 *
 *   const qemu = oracle('qemu-riscv64', 'qemu-user');
 *   describe.skipIf(!qemu.available)('...', () => { ... spawn(qemu.path, ...) ... });
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { it } from 'vitest';

export interface Oracle {
  /** The program's name as asked for. */
  readonly name: string;
  /** Absolute path of the executable (empty when missing). */
  readonly path: string;
  /** True when the program can run here; when false and oracles are required, a failing test was registered. */
  readonly available: boolean;
}

export const ORACLES_REQUIRED = process.env.RISCSTATION_REQUIRE_ORACLES === '1';

function findExecutable(name: string): string {
  const candidates = isAbsolute(name)
    ? [name]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return '';
}

function findFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function report(what: string, debianPackage: string): void {
  const message = `${what} is missing: install the Debian package '${debianPackage}' (scripts/install-test-deps.sh)`;
  if (ORACLES_REQUIRED) {
    // Registered in the calling file's current suite so the run fails with the reason.
    it(`oracle ${what} is installed`, () => {
      throw new Error(`${message}; RISCSTATION_REQUIRE_ORACLES=1 makes this a failure`);
    });
  } else {
    console.warn(`[skip] ${message}`);
  }
}

/** Looks up an executable on PATH (or an absolute path). */
export function oracle(program: string, debianPackage: string): Oracle {
  const path = findExecutable(program);
  if (!path) report(`program '${program}'`, debianPackage);
  return { name: program, path, available: path !== '' };
}

/** Looks up a data file shipped by a Debian package (firmware, images...). */
export function oracleFile(file: string, debianPackage: string): Oracle {
  const available = findFile(file);
  if (!available) report(`file '${file}'`, debianPackage);
  return { name: file, path: available ? file : '', available };
}
