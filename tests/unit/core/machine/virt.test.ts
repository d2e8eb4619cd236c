import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageExtent } from '../../../../core/machine/loaders.js';
import { VirtMachine } from '../../../../core/machine/virt.js';
import { InstructionClock } from '../../../../core/vm/inline.js';
import { oracle, oracleFile } from '../../../helpers/oracles.js';

const qemu = oracle('qemu-system-riscv64', 'qemu-system-misc');
const fwJump = oracleFile('/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin', 'opensbi');
const ubootS = oracleFile('/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin', 'u-boot-qemu');
const ubootM = oracleFile('/usr/lib/u-boot/qemu-riscv64/u-boot.bin', 'u-boot-qemu');

const image = (path: string) => ({ name: basename(path), bytes: new Uint8Array(readFileSync(path)) });

/** Asks QEMU's monitor (machine created, not started) for `command`'s output. */
function qemuMonitor(args: string[], commands: string[]): string {
  const r = spawnSync(qemu.path, ['-M', 'virt', '-S', '-display', 'none', '-monitor', 'stdio', '-serial', 'none', ...args], {
    input: [...commands, 'quit', ''].join('\n'),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return r.stdout;
}

interface Case {
  readonly mem: number;
  readonly bios: string | null;
  readonly kernel: string;
  readonly initrd: boolean;
}

describe.skipIf(!qemu.available || !fwJump.available || !ubootS.available || !ubootM.available)('virt boot layout matches QEMU', () => {
  const dir = mkdtempSync(join(tmpdir(), 'virt-'));
  const initrdPath = join(dir, 'initrd.img');
  writeFileSync(initrdPath, new Uint8Array(300_000).fill(7));
  const cases: Case[] = [
    { mem: 256, bios: fwJump.path, kernel: ubootS.path, initrd: true },
    { mem: 64, bios: fwJump.path, kernel: ubootS.path, initrd: true },
    { mem: 1024, bios: null, kernel: ubootM.path, initrd: false },
  ];
  for (const c of cases) {
    it(`${c.mem} MiB, ${c.bios ? 'firmware' : 'no firmware'}${c.initrd ? ', initrd' : ''}: images, FDT and the reset vector sit where QEMU puts them`, () => {
      const machine = new VirtMachine({
        memSize: c.mem << 20,
        bios: c.bios ? image(c.bios) : null,
        kernel: image(c.kernel),
        ...(c.initrd ? { initrd: image(initrdPath) } : {}),
        clock: new InstructionClock(),
      });
      const args = ['-m', `${c.mem}M`, '-bios', c.bios ?? 'none', '-kernel', c.kernel, ...(c.initrd ? ['-initrd', initrdPath] : [])];
      const roms = qemuMonitor(args, ['info roms']);
      const qemuAddr = (name: string) => {
        const m = new RegExp(`addr=([0-9a-f]+) size=0x[0-9a-f]+ mem=ram name="([^"]*)"`, 'g');
        for (const x of roms.matchAll(m)) if (x[2].endsWith(name)) return BigInt(`0x${x[1]}`);
        throw new Error(`QEMU did not list ${name}:\n${roms}`);
      };
      const ours = (name: string) => {
        const img = machine.images.find((i) => i.name === name);
        if (!img) throw new Error(`we did not load ${name}`);
        return imageExtent(img).start;
      };
      if (c.bios) expect(ours(basename(c.bios))).toBe(qemuAddr(basename(c.bios)));
      expect(ours(basename(c.kernel))).toBe(qemuAddr(basename(c.kernel)));
      if (c.initrd) expect(ours('initrd.img')).toBe(qemuAddr('initrd.img'));
      expect(BigInt(machine.fdtAddr)).toBe(qemuAddr('fdt'));

      // The reset vector and fw_dynamic_info, word by word, as QEMU's monitor shows them.
      const dump = qemuMonitor(args, ['xp /22wx 0x1000']);
      const words = [...dump.matchAll(/0x([0-9a-f]{8})(?=\s|$)/g)].map((m) => parseInt(m[1], 16));
      const rom = machine.platform.mrom;
      expect(Array.from({ length: 22 }, (_, i) => rom.read(i * 4, 4))).toEqual(words.slice(0, 22));
    });
  }
});
