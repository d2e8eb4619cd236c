import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildResetVector, FW_DYNAMIC_INFO_OFFSET, MROM_SIZE, Rom } from '../../../../core/devices/mrom.js';
import { oracle } from '../../../helpers/oracles.js';

const as = oracle('riscv64-unknown-elf-as', 'binutils-riscv64-unknown-elf');
const ld = oracle('riscv64-unknown-elf-ld', 'binutils-riscv64-unknown-elf');
const objcopy = oracle('riscv64-unknown-elf-objcopy', 'binutils-riscv64-unknown-elf');

describe.skipIf(!as.available || !ld.available || !objcopy.available)('mrom reset vector', () => {
  it('is the code QEMU places at 0x1000, as assembled by GNU as, followed by start, FDT and fw_dynamic_info', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrom-'));
    // The reset vector from QEMU's hw/riscv/boot.c with its data, written as assembly.
    writeFileSync(
      join(dir, 'rv.S'),
      `1: auipc t0, %pcrel_hi(fw_dyn)
   addi a2, t0, %pcrel_lo(1b)
   csrr a0, mhartid
   ld a1, 32(t0)
   ld t0, 24(t0)
   jr t0
start: .dword 0x80000000
fdt: .dword 0x8fe00000
fw_dyn: .dword 0x4942534f, 2, 0x80200000, 1, 0, 0
`,
    );
    execFileSync(as.path, ['-march=rv64g', '-mno-relax', '-mno-arch-attr', '-o', join(dir, 'rv.o'), join(dir, 'rv.S')]);
    execFileSync(ld.path, ['-Ttext=0x1000', '-e', '0x1000', '-o', join(dir, 'rv.elf'), join(dir, 'rv.o')]);
    execFileSync(objcopy.path, ['-O', 'binary', '-j', '.text', join(dir, 'rv.elf'), join(dir, 'rv.bin')]);
    const expected = new Uint8Array(readFileSync(join(dir, 'rv.bin')));
    const ours = buildResetVector({ startAddr: 0x8000_0000n, fdtAddr: 0x8fe0_0000n, nextAddr: 0x8020_0000n });
    expect(Array.from(ours)).toEqual(Array.from(expected));
  });
});

describe('ROM device', () => {
  it('reads little-endian words and ignores writes', () => {
    const rom = new Rom(MROM_SIZE, buildResetVector({ startAddr: 0x8000_0000n, fdtAddr: 0x8fe0_0000n, nextAddr: 0x8020_0000n }));
    expect(rom.read(0, 4)).toBe(0x00000297);
    expect(rom.read64(FW_DYNAMIC_INFO_OFFSET)).toBe(0x4942534fn);
    rom.write(0, 4, 0);
    expect(rom.read(0, 2)).toBe(0x0297);
  });

  it('save/restore round-trips the contents', () => {
    const a = new Rom(MROM_SIZE, buildResetVector({ startAddr: 1n, fdtAddr: 2n, nextAddr: 3n }));
    const b = new Rom(MROM_SIZE);
    b.restore(JSON.parse(JSON.stringify(a.save())));
    expect(b.save()).toEqual(a.save());
    expect(b.read64(24)).toBe(1n);
  });
});
