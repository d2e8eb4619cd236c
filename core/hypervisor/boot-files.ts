/**
 * Checks a VM's boot files before it is created or started: each must exist, be a file, and be
 * the right kind (an ELF for riscv64, a Linux Image, or a raw image that fits in RAM), so a
 * mistake is reported when it is made, with the path and what to do, not as a guest that hangs.
 */
import type { VmConfig } from '../api/index.js';
import { ApiError } from '../api/index.js';
import { linuxImageHeader } from '../machine/loaders.js';
import type { LibraryFiles } from './host-platform.js';

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const EM_RISCV = 243;
const MiB = 1024 * 1024;

/** Where the firmware and kernel actually come from, after `default` firmware is resolved. */
export interface ResolvedBoot {
  readonly bios: string | null;
  readonly kernel: string | null;
  readonly initrd: string | null;
}

/** A file the user should install, by path, for messages ("install the Debian package 'opensbi'"). */
export type PackageHints = Readonly<Record<string, string>>;

function missing(path: string, what: string, hints: PackageHints): ApiError {
  const hint = hints[path];
  return new ApiError(
    'bad-request',
    `the ${what} ${path} does not exist` + (hint ? `: install the Debian package '${hint}' (sudo apt install ${hint})` : ''),
  );
}

/**
 * Checks one boot image. `ram` is the VM's RAM in bytes: a raw image must fit in it.
 * Throws ApiError('bad-request') with a message naming the file and the problem.
 */
export function checkBootImage(files: LibraryFiles, path: string, what: string, ramBytes: number, hints: PackageHints = {}): void {
  const info = files.stat(path);
  if (!info) throw missing(path, what, hints);
  if (info.kind !== 'file') throw new ApiError('bad-request', `the ${what} ${path} is a ${info.kind === 'directory' ? 'folder' : 'special file'}, not a file`);
  if (info.size === 0) throw new ApiError('bad-request', `the ${what} ${path} is empty`);
  const head = files.readHead(path, 64);
  if (head.length >= 4 && ELF_MAGIC.every((b, i) => head[i] === b)) {
    const cls = head[4];
    const machine = head.length >= 20 ? head[18] | (head[19] << 8) : -1;
    if (cls !== 2 || machine !== EM_RISCV) {
      throw new ApiError(
        'bad-request',
        `the ${what} ${path} is an ELF file for another machine (${cls === 1 ? '32-bit' : '64-bit'}, e_machine ${machine}); ` +
          `RiscStation runs 64-bit RISC-V (ELFCLASS64, e_machine 243)`,
      );
    }
    return;
  }
  if (what === 'initrd') {
    if (info.size > ramBytes / 2) {
      throw new ApiError('bad-request', `the initrd ${path} (${(info.size / MiB).toFixed(1)} MiB) needs more than half of the VM's ${ramBytes / MiB} MiB of RAM`);
    }
    return;
  }
  if (info.size > ramBytes) {
    throw new ApiError(
      'bad-request',
      `the ${what} ${path} is a ${linuxImageHeader(head) ? 'Linux Image' : 'raw image'} of ${(info.size / MiB).toFixed(1)} MiB, ` +
        `larger than the VM's ${ramBytes / MiB} MiB of RAM: give the VM more memory`,
    );
  }
}

export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

/** Resolves `firmware: default` and checks every boot file of a configuration. */
export function resolveBootFiles(
  files: LibraryFiles,
  config: VmConfig,
  defaultFirmware: readonly string[],
  hints: PackageHints = {},
): ResolvedBoot {
  const ram = config.memoryMiB * MiB;
  let bios: string | null;
  switch (config.firmware.kind) {
    case 'none':
      bios = null;
      break;
    case 'file':
      bios = config.firmware.path;
      break;
    case 'default': {
      bios = defaultFirmware.find((p) => files.stat(p)?.kind === 'file') ?? null;
      if (bios === null) {
        throw new ApiError(
          'bad-request',
          `no default firmware found (looked for ${defaultFirmware.join(', ') || 'nothing'}): install the Debian package 'opensbi', ` +
            `or choose a firmware file, or "none" to boot the kernel in M-mode`,
        );
      }
      break;
    }
  }
  if (bios === null && config.kernel === null) {
    throw new ApiError('bad-request', 'nothing to boot: this VM has no firmware and no kernel; give it a kernel (an M-mode ELF for bare metal)');
  }
  config.disks.forEach((disk, i) => {
    if (!isAbsolutePath(disk.path)) throw new ApiError('bad-request', `disk ${i + 1}: give the image's absolute path, not '${disk.path}'`);
    if (disk.format !== 'raw') throw new ApiError('bad-request', `disk ${i + 1} (${disk.path}) is ${disk.format}: only raw images are supported so far`);
    const info = files.stat(disk.path);
    if (!info) throw new ApiError('bad-request', `disk ${i + 1}: ${disk.path} does not exist`);
    if (info.kind !== 'file') throw new ApiError('bad-request', `disk ${i + 1}: ${disk.path} is not a file`);
    if (info.size === 0 || info.size % 512 !== 0) {
      throw new ApiError('bad-request', `disk ${i + 1}: ${disk.path} is ${info.size} bytes, not a whole number of 512-byte sectors`);
    }
  });
  if (bios !== null) checkBootImage(files, bios, 'firmware', ram, hints);
  if (config.kernel !== null) checkBootImage(files, config.kernel, 'kernel', ram, hints);
  if (config.initrd !== null) {
    if (config.kernel === null) throw new ApiError('bad-request', 'an initrd needs a kernel');
    checkBootImage(files, config.initrd, 'initrd', ram, hints);
  }
  return { bios, kernel: config.kernel, initrd: config.initrd };
}
