import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkPlacement, linuxImageHeader, loadElf, loadKernel, loadRaw, parseSize } from '../../../../core/machine/loaders.js';
import { oracle } from '../../../helpers/oracles.js';

const gcc = oracle('riscv64-unknown-elf-gcc', 'gcc-riscv64-unknown-elf');
const readelf = oracle('riscv64-unknown-elf-readelf', 'binutils-riscv64-unknown-elf');
const nm = oracle('riscv64-unknown-elf-nm', 'binutils-riscv64-unknown-elf');

const RAM = { base: 0x8000_0000n, size: 0x1000_0000n };

function buildGuest(): string {
  const dir = mkdtempSync(join(tmpdir(), 'elf-'));
  writeFileSync(
    join(dir, 'g.S'),
    `.section .text.init
.globl _start
_start: la t0, tohost
  li t1, 1
  sd t1, 0(t0)
1: j 1b
.data
.align 6
.globl tohost
tohost: .dword 0
.globl fromhost
fromhost: .dword 0
.bss
big: .zero 8192
`,
  );
  const out = join(dir, 'g.elf');
  execFileSync(gcc.path, ['-march=rv64gc', '-mabi=lp64d', '-nostdlib', '-nostartfiles', '-Wl,-Ttext=0x80000000', '-Wl,-n', '-o', out, join(dir, 'g.S')]);
  return out;
}

describe.skipIf(!gcc.available || !readelf.available || !nm.available)('ELF loader against binutils', () => {
  it('loads the PT_LOAD segments readelf lists, the entry point, and tohost/fromhost from the symbol table', () => {
    const file = buildGuest();
    const image = loadElf(new Uint8Array(readFileSync(file)), 'g.elf');
    const headers = execFileSync(readelf.path, ['-lhW', file], { encoding: 'utf8' });
    const entry = /Entry point address:\s+0x([0-9a-f]+)/.exec(headers)![1];
    expect(image.entry).toBe(BigInt(`0x${entry}`));
    const loads = [...headers.matchAll(/^\s+LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)/gm)]
      .map((m) => ({ paddr: BigInt(`0x${m[3]}`), filesz: Number(`0x${m[4]}`), memsz: BigInt(`0x${m[5]}`) }))
      .filter((l) => l.memsz > 0n);
    expect(image.segments.map((s) => ({ paddr: s.addr, filesz: s.data.length, memsz: s.memSize }))).toEqual(loads);
    const symbols = execFileSync(nm.path, [file], { encoding: 'utf8' });
    const sym = (name: string) => BigInt(`0x${new RegExp(`^([0-9a-f]+) \\w ${name}$`, 'm').exec(symbols)![1]}`);
    expect(image.tohost).toBe(sym('tohost'));
    expect(image.fromhost).toBe(sym('fromhost'));
    checkPlacement([image], RAM);
  });

  it('a truncated ELF is refused with the file name and what is missing', () => {
    const bytes = new Uint8Array(readFileSync(buildGuest()));
    expect(() => loadElf(bytes.subarray(0, 200), 'cut.elf')).toThrow(/^cut\.elf: truncated ELF/);
    expect(() => loadElf(bytes.subarray(0, 40), 'tiny.elf')).toThrow(/^tiny\.elf: truncated ELF/);
  });
});

describe('loaders', () => {
  it('refuses an ELF built for another architecture, naming it', () => {
    // The Node executable running this test is a real ELF for the host machine.
    const host = new Uint8Array(readFileSync(process.execPath));
    expect(() => loadElf(host, 'node')).toThrow(/^node: ELF is built for .* not RISC-V/);
    expect(() => loadKernel(host, 'node', RAM.base, RAM.base + 0x20_0000n)).toThrow(/not RISC-V/);
  });

  it('reads the RISC-V Linux Image header and places the kernel at RAM base + text_offset', () => {
    // Header layout from Documentation/arch/riscv/boot-image-header.rst.
    const img = new Uint8Array(0x3000);
    const v = new DataView(img.buffer);
    v.setBigUint64(8, 0x20_0000n, true); // text_offset
    v.setBigUint64(16, 0x10000n, true); // image_size (bss beyond the file)
    img.set(new TextEncoder().encode('RISCV\0\0\0'), 48);
    img.set(new TextEncoder().encode('RSC\x05'), 56);
    expect(linuxImageHeader(img)).toMatchObject({ textOffset: 0x20_0000n, imageSize: 0x10000n });
    const k = loadKernel(img, 'Image', RAM.base, 0x8040_0000n);
    expect(k.kind).toBe('linux-image');
    expect(k.entry).toBe(0x8020_0000n);
    expect(k.segments[0].memSize).toBe(0x10000n);
  });

  it('loads a file without a recognised header raw at the given address', () => {
    const k = loadKernel(new Uint8Array([1, 2, 3, 4]), 'u-boot.bin', RAM.base, 0x8020_0000n);
    expect(k).toMatchObject({ kind: 'raw', entry: 0x8020_0000n });
  });

  it('an image too big for RAM names the file and the sizes', () => {
    const big = loadRaw(new Uint8Array(0x1000), 'huge.bin', RAM.base);
    const tiny = { base: RAM.base, size: 0x800n };
    expect(() => checkPlacement([big], tiny)).toThrow(/^huge\.bin: image is too big for RAM/);
    const late = loadRaw(new Uint8Array(0x1000), 'late.bin', RAM.base + RAM.size - 0x800n);
    expect(() => checkPlacement([late], RAM)).toThrow(/^late\.bin: does not fit in RAM/);
  });

  it('overlapping images are refused, naming both', () => {
    const fw = loadRaw(new Uint8Array(0x30_0000), 'fw_jump.bin', RAM.base);
    const kernel = loadRaw(new Uint8Array(0x1000), 'u-boot.bin', RAM.base + 0x20_0000n);
    expect(() => checkPlacement([fw, kernel], RAM)).toThrow(/^u-boot\.bin: overlaps fw_jump\.bin/);
  });

  it('an empty file is refused', () => {
    expect(() => loadKernel(new Uint8Array(0), 'empty', RAM.base, RAM.base)).toThrow(/^empty: file is empty/);
  });

  it('parses memory sizes as QEMU does', () => {
    expect(parseSize('256M')).toBe(256n << 20n);
    expect(parseSize('1G')).toBe(1n << 30n);
    expect(parseSize('512')).toBe(512n << 20n);
    expect(() => parseSize('lots')).toThrow(/invalid size 'lots'/);
  });
});
