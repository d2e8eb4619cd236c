import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtPlatform } from '../../../../core/machine/virt-devices.js';
import { NO_IRQ } from '../../../../core/memory/mmio.js';
import { oracle } from '../../../helpers/oracles.js';

const dtc = oracle('dtc', 'device-tree-compiler');
const qemu = oracle('qemu-system-riscv64', 'qemu-system-misc');

const ISA = 'rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc';

function platform(harts: number, ramSize = 0x1000_0000) {
  return new VirtPlatform({
    harts,
    ramBase: 0x8000_0000,
    ramSize,
    isa: ISA,
    mmuType: 'riscv,sv48',
    clock: { now: () => 0 },
    wallClock: () => 0n,
    hartIrqs: Array.from({ length: harts }, () => ({ msip: NO_IRQ, mtip: NO_IRQ, meip: NO_IRQ, seip: NO_IRQ })),
    serialOut: () => {},
    power: () => {},
  });
}

function decompile(dtb: Uint8Array): { dts: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fdt-'));
  const file = join(dir, 'virt.dtb');
  writeFileSync(file, dtb);
  const r = spawnSync(dtc.path, ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dtc failed: ${r.stderr}`);
  return { dts: r.stdout, stderr: r.stderr };
}

/** The text of node `name` (a full line match "name {") up to its closing brace. */
function node(dts: string, name: string): string {
  const lines = dts.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${name} {`);
  if (start < 0) throw new Error(`node ${name} not found`);
  const indent = lines[start].length - lines[start].trimStart().length;
  const out: string[] = [];
  for (let i = start; i < lines.length; i++) {
    out.push(lines[i]);
    if (i > start && lines[i].trim() === '};' && lines[i].length - lines[i].trimStart().length === indent) break;
  }
  return out.join('\n');
}

describe.skipIf(!dtc.available)('virt board FDT', () => {
  it('decompiles with dtc without warnings, for 1 and 4 harts', () => {
    for (const harts of [1, 4]) {
      const { stderr, dts } = decompile(platform(harts).buildFdt({ bootargs: 'console=ttyS0', initrdStart: 0x8800_0000n, initrdEnd: 0x8810_0000n }));
      expect(stderr).toBe('');
      expect(dts).toContain(`cpu@${harts - 1} {`);
    }
  });

  it('lists harts with their ISA, MMU type and interrupt controllers, and wires CLINT and PLIC to each', () => {
    const { dts } = decompile(platform(2).buildFdt());
    expect(dts).toContain(`riscv,isa = "${ISA}";`);
    expect(dts).toContain('mmu-type = "riscv,sv48";');
    expect(dts).toContain('timebase-frequency = <0x989680>;');
    // intc phandles are 2 and 4: MSIP=3, MTIP=7 per hart; MEIP=11, SEIP=9 per hart.
    expect(dts).toContain('interrupts-extended = <0x02 0x03 0x02 0x07 0x04 0x03 0x04 0x07>;');
    expect(dts).toContain('interrupts-extended = <0x02 0x0b 0x02 0x09 0x04 0x0b 0x04 0x09>;');
    expect(dts).toContain('riscv,ndev = <0x5f>;');
  });

  it('puts bootargs and the initrd range in /chosen', () => {
    const { dts } = decompile(platform(1).buildFdt({ bootargs: 'console=ttyS0 root=/dev/vda', initrdStart: 0x8800_0000n, initrdEnd: 0x8812_3456n }));
    const chosen = node(dts, 'chosen');
    expect(chosen).toContain('bootargs = "console=ttyS0 root=/dev/vda";');
    expect(chosen).toContain('linux,initrd-start = <0x00 0x88000000>;');
    expect(chosen).toContain('linux,initrd-end = <0x00 0x88123456>;');
  });

  describe.skipIf(!qemu.available)('matches QEMU virt', () => {
    it('has the same nodes as qemu-system-riscv64 -M virt for the devices both implement', () => {
      const dir = mkdtempSync(join(tmpdir(), 'qemu-dtb-'));
      const qdtb = join(dir, 'q.dtb');
      execFileSync(qemu.path, ['-M', `virt,dumpdtb=${qdtb}`, '-m', '256M', '-nographic'], { stdio: 'ignore' });
      const q = decompile(new Uint8Array(readFileSync(qdtb))).dts;
      const ours = decompile(platform(1).buildFdt()).dts;
      for (const name of [
        'poweroff',
        'reboot',
        'memory@80000000',
        'rtc@101000',
        'serial@10000000',
        'test@100000',
        'clint@2000000',
        'cpu-map',
        ...Array.from({ length: 8 }, (_, i) => `virtio_mmio@1000${i + 1}000`),
      ]) {
        expect(node(ours, name), name).toBe(node(q, name));
      }
      expect(node(ours, 'chosen')).toContain('stdout-path = "/soc/serial@10000000";');
    });
  });
});
