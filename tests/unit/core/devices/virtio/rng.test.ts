import { describe, expect, it } from 'vitest';
import { REG_DEVICE_ID } from '../../../../../core/devices/virtio/mmio.js';
import { VirtioRng } from '../../../../../core/devices/virtio/rng.js';
import { newMemory, TestDriver, Wire } from './virtio-driver.js';

function setup(random: (b: Uint8Array) => void) {
  const memory = newMemory();
  const irq = new Wire();
  const dev = new VirtioRng({ memory, irq, random });
  const drv = new TestDriver(dev, memory);
  drv.init(1);
  return { dev, drv, memory, irq };
}

describe('virtio-rng', () => {
  it('is device 4 and fills each posted buffer from the host random source', () => {
    const requested: number[] = [];
    const { drv, irq } = setup((b) => {
      requested.push(b.length);
      b.fill(0xa5);
    });
    expect(drv.reg(REG_DEVICE_ID)).toBe(4);
    const buf = drv.alloc(64);
    const head = drv.submit(0, [{ addr: buf, len: 64, write: true }]);
    expect(drv.usedElem(0, 0)).toEqual({ id: head, len: 64 });
    expect(Array.from(drv.bytes(buf, 64))).toEqual(new Array(64).fill(0xa5));
    expect(requested).toEqual([64]);
    expect(irq.level).toBe(true);
  });

  it('delivers bytes from crypto.getRandomValues that differ between requests', () => {
    const { drv } = setup((b) => crypto.getRandomValues(b));
    const a = drv.alloc(32);
    const b = drv.alloc(32);
    drv.submit(0, [{ addr: a, len: 32, write: true }]);
    drv.submit(0, [{ addr: b, len: 32, write: true }]);
    expect(drv.usedIdx(0)).toBe(2);
    expect(drv.bytes(a, 32)).not.toEqual(drv.bytes(b, 32));
  });

  it('gives nothing to a request without writable buffers', () => {
    const { drv } = setup((b) => b.fill(1));
    const buf = drv.alloc(8);
    drv.submit(0, [{ addr: buf, len: 8 }]);
    expect(drv.usedElem(0, 0).len).toBe(0);
    expect(Array.from(drv.bytes(buf, 8))).toEqual(new Array(8).fill(0));
  });

  it('save/restore round-trips', () => {
    const { drv, dev, memory } = setup((b) => b.fill(2));
    drv.submit(0, [{ addr: drv.alloc(8), len: 8, write: true }]);
    const state = dev.save();
    const copy = new VirtioRng({ memory, random: (b) => b.fill(3) });
    copy.restore(structuredClone(state));
    expect(copy.save()).toEqual(state);
  });
});
