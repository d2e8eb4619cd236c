/**
 * The hypervisor on Node, ready to serve: takes the library lock, wires Node's files, timers and
 * process launcher, finds the templates and default firmware in the package, and writes the
 * control file (`host.json`: URL + token, readable only by the user) that CLI commands use to
 * find the running host.
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { totalmem } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Hypervisor, type HypervisorOptions } from '../../hypervisor/hypervisor.js';
import type { HostPlatform } from '../../hypervisor/host-platform.js';
import type { ProcessLauncher } from '../../vm/process.js';
import { nodeLibraryFiles, writeFileAtomic } from './files.js';
import { NodeGuestBuilder } from './guest-build.js';
import { guestCacheDir } from './guest-cache.js';
import { acquireLibraryLock, pidAlive, type LibraryLock } from './lock.js';
import { packageInfo } from './package-info.js';
import { NodeVmLauncher } from './vm-launcher.js';

export function nodeHostPlatform(launcher: ProcessLauncher = new NodeVmLauncher()): HostPlatform {
  return {
    files: nodeLibraryFiles,
    launcher,
    timers: {
      after(ms, fn) {
        const handle = setTimeout(fn, ms);
        return () => clearTimeout(handle);
      },
      now: () => performance.now(),
    },
    totalMemoryBytes: () => totalmem(),
    isoTime: () => new Date().toISOString(),
  };
}

/** Firmware candidates for `firmware: default` (resources/firmware/firmware.json). */
export function defaultFirmwareCandidates(): string[] {
  const root = packageInfo().root;
  const config = join(root, 'resources', 'firmware', 'firmware.json');
  try {
    const json = JSON.parse(readFileSync(config, 'utf8')) as { bios?: unknown };
    return (Array.isArray(json.bios) ? json.bios : [])
      .filter((p): p is string => typeof p === 'string')
      .map((p) => (isAbsolute(p) ? p : join(root, p)));
  } catch {
    return ['/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin'];
  }
}

export interface NodeHost {
  readonly hypervisor: Hypervisor;
  readonly lock: LibraryLock;
  /** Powers VMs off and gives the lock back. */
  close(): Promise<void>;
}

export interface NodeHostOptions extends Partial<Omit<HypervisorOptions, 'dataDir'>> {
  readonly dataDir: string;
  readonly launcher?: ProcessLauncher;
}

/**
 * Opens the library for this host: throws LibraryLockedError (naming the holder's pid) when
 * another host has it. Creates the data folder (mode 0700) if needed. The admission limit is
 * `memoryLimitPercent`, else RISCSTATION_MEMORY_LIMIT_PERCENT, else 75% of host memory.
 */
export function openNodeHost(options: NodeHostOptions): NodeHost {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const limit = process.env.RISCSTATION_MEMORY_LIMIT_PERCENT;
  const memoryLimitPercent = options.memoryLimitPercent ?? (limit && Number(limit) > 0 && Number(limit) <= 100 ? Number(limit) : undefined);
  const lock = acquireLibraryLock(options.dataDir);
  let hypervisor: Hypervisor;
  try {
    const templatesDir = join(packageInfo().root, 'resources', 'templates');
    hypervisor = new Hypervisor(nodeHostPlatform(options.launcher), {
      templatesDir: existsSync(templatesDir) ? templatesDir : null,
      defaultFirmware: defaultFirmwareCandidates(),
      guestCacheDir: guestCacheDir(),
      guestBuilder: new NodeGuestBuilder(),
      ...options,
      ...(memoryLimitPercent !== undefined ? { memoryLimitPercent } : {}),
    });
  } catch (error) {
    lock.release();
    throw error;
  }
  return {
    hypervisor,
    lock,
    async close() {
      try {
        await hypervisor.shutdown();
      } finally {
        lock.release();
      }
    },
  };
}

/** Where a running host says how to reach it. */
export interface HostControlFile {
  readonly pid: number;
  readonly url: string;
  readonly token: string;
}

export function controlFilePath(dataDir: string): string {
  return join(dataDir, 'host.json');
}

/** Writes host.json (mode 0600: the token is a key to every VM). */
export function writeControlFile(dataDir: string, info: HostControlFile): void {
  writeFileAtomic(controlFilePath(dataDir), JSON.stringify(info) + '\n', 0o600);
}

export function removeControlFile(dataDir: string, pid: number = process.pid): void {
  const info = readControlFile(dataDir, false);
  if (info && info.pid !== pid) return;
  try {
    unlinkSync(controlFilePath(dataDir));
  } catch {
    // already gone
  }
}

/** The running host's control file, or null when no live host wrote one. */
export function readControlFile(dataDir: string, checkAlive = true): HostControlFile | null {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(controlFilePath(dataDir), 'utf8'));
  } catch {
    return null;
  }
  const info = json as Partial<HostControlFile>;
  if (typeof info.pid !== 'number' || typeof info.url !== 'string' || typeof info.token !== 'string') return null;
  if (checkAlive && !pidAlive(info.pid)) return null;
  return info as HostControlFile;
}
