import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBootImage, resolveBootFiles } from '../../../../core/hypervisor/boot-files.js';
import { nodeLibraryFiles } from '../../../../core/platform/node/files.js';
import { vmConfigSchema } from '../../../../core/api/index.js';

const dir = () => mkdtempSync(join(tmpdir(), 'rs-boot-'));
const MiB = 1024 * 1024;

describe('boot file checks', () => {
  it('names the Debian package that provides a missing file', () => {
    const path = join(dir(), 'fw_jump.bin');
    expect(() => checkBootImage(nodeLibraryFiles, path, 'firmware', 256 * MiB, { [path]: 'opensbi' })).toThrow(
      `the firmware ${path} does not exist: install the Debian package 'opensbi' (sudo apt install opensbi)`,
    );
  });

  it('refuses a folder, an empty file and a 32-bit RISC-V ELF', () => {
    const d = dir();
    expect(() => checkBootImage(nodeLibraryFiles, d, 'kernel', 64 * MiB)).toThrow(/is a folder, not a file/);
    writeFileSync(join(d, 'empty'), '');
    expect(() => checkBootImage(nodeLibraryFiles, join(d, 'empty'), 'kernel', 64 * MiB)).toThrow(/is empty/);
    const elf32 = new Uint8Array(64);
    elf32.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    elf32[18] = 243;
    writeFileSync(join(d, 'rv32.elf'), elf32);
    expect(() => checkBootImage(nodeLibraryFiles, join(d, 'rv32.elf'), 'kernel', 64 * MiB)).toThrow(/32-bit, e_machine 243/);
  });

  it('accepts a raw image that fits in RAM', () => {
    const d = dir();
    writeFileSync(join(d, 'fw.bin'), new Uint8Array(1024));
    expect(() => checkBootImage(nodeLibraryFiles, join(d, 'fw.bin'), 'firmware', 16 * MiB)).not.toThrow();
  });

  it('resolves the default firmware to the first candidate that exists, and says what to install when none does', () => {
    const d = dir();
    writeFileSync(join(d, 'fw_dynamic.bin'), new Uint8Array(4096));
    const config = vmConfigSchema.parse({ name: 'x' });
    expect(resolveBootFiles(nodeLibraryFiles, config, [join(d, 'missing.bin'), join(d, 'fw_dynamic.bin')]).bios).toBe(join(d, 'fw_dynamic.bin'));
    expect(() => resolveBootFiles(nodeLibraryFiles, config, [join(d, 'missing.bin')])).toThrow(/install the Debian package 'opensbi'/);
  });

  it('refuses a qcow2 disk, a relative disk path and a disk that is not whole sectors', () => {
    const d = dir();
    writeFileSync(join(d, 'odd.raw'), new Uint8Array(1000));
    const with_ = (disk: object) => vmConfigSchema.parse({ name: 'x', firmware: { kind: 'none' }, kernel: join(d, 'odd.raw'), disks: [disk] });
    expect(() => resolveBootFiles(nodeLibraryFiles, with_({ path: join(d, 'a.qcow2'), format: 'qcow2' }), [])).toThrow(/is qcow2: only raw images/);
    expect(() => resolveBootFiles(nodeLibraryFiles, with_({ path: 'disk.raw', format: 'raw' }), [])).toThrow(/absolute path, not 'disk.raw'/);
    expect(() => resolveBootFiles(nodeLibraryFiles, with_({ path: join(d, 'odd.raw'), format: 'raw' }), [])).toThrow(/1000 bytes, not a whole number of 512-byte sectors/);
  });

  it('refuses a VM with nothing to boot', () => {
    const config = vmConfigSchema.parse({ name: 'x', firmware: { kind: 'none' } });
    expect(() => resolveBootFiles(nodeLibraryFiles, config, [])).toThrow(/nothing to boot/);
  });
});
