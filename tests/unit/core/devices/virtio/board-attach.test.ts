import { describe, expect, it } from 'vitest';
import { VirtioRng } from '../../../../../core/devices/virtio/rng.js';
import { VirtPlatform } from '../../../../../core/machine/virt-devices.js';
import { PLIC_PENDING } from '../../../../../core/devices/plic.js';
import { NO_IRQ } from '../../../../../core/memory/mmio.js';
import { newMemory, TestDriver } from './virtio-driver.js';

describe('attaching a virtio device to the virt board', () => {
  it('slot 0 sits at 0x1000_1000 and raises PLIC source 1; other slots stay empty', () => {
    const memory = newMemory();
    let rng: VirtioRng | undefined;
    const platform = new VirtPlatform({
      harts: 1,
      ramBase: memory.ramBase,
      ramSize: memory.ramBytes,
      isa: 'rv64imafdc_zicsr_zifencei',
      mmuType: 'riscv,sv48',
      clock: { now: () => 0 },
      wallClock: () => 0n,
      hartIrqs: [{ msip: NO_IRQ, mtip: NO_IRQ, meip: NO_IRQ, seip: NO_IRQ }],
      serialOut: () => {},
      power: () => {},
      virtio: (slot, irq) => (slot === 0 ? (rng = new VirtioRng({ memory, irq, random: (b) => b.fill(7) })) : undefined),
    });
    const entry = platform.devices.find((d) => d.base === 0x1000_1000);
    expect(entry?.device).toBe(rng);
    expect(entry?.irq).toBe(1);
    const other = platform.devices.find((d) => d.base === 0x1000_2000);
    expect(other?.device.read(8, 4)).toBe(0); // device ID 0: empty slot

    const drv = new TestDriver(rng!, memory);
    drv.init(1);
    drv.submit(0, [{ addr: drv.alloc(8), len: 8, write: true }]);
    expect(platform.plic.read(PLIC_PENDING, 4) & (1 << 1)).toBe(1 << 1);
  });
});
