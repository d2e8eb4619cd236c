import { describe, expect, it } from 'vitest';
import { VirtioConsole } from '../../../../../core/devices/virtio/console.js';
import { REG_DEVICE_ID, REG_STATUS } from '../../../../../core/devices/virtio/mmio.js';
import { newMemory, TestDriver, Wire } from './virtio-driver.js';

const RECEIVEQ = 0;
const TRANSMITQ = 1;
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

function setup(init = true) {
  const memory = newMemory();
  const irq = new Wire();
  const out: Uint8Array[] = [];
  const dev = new VirtioConsole({ memory, irq, output: (b) => out.push(b) });
  const drv = new TestDriver(dev, memory);
  if (init) drv.init(2);
  return { dev, drv, memory, irq, out };
}

describe('virtio-console (single port, hvc0)', () => {
  it('is device 3 with no multiport feature', () => {
    const { drv } = setup();
    expect(drv.reg(REG_DEVICE_ID)).toBe(3);
    expect(drv.deviceFeatures() & 2n).toBe(0n); // VIRTIO_CONSOLE_F_MULTIPORT
  });

  it('passes what the guest transmits to the host output', () => {
    const { drv, out, irq } = setup();
    const a = drv.alloc(5);
    const b = drv.alloc(6);
    drv.put(a, text('hello'));
    drv.put(b, text(' hvc0\n'));
    drv.submit(TRANSMITQ, [{ addr: a, len: 5 }, { addr: b, len: 6 }]);
    expect(out.map(str).join('')).toBe('hello hvc0\n');
    expect(drv.usedElem(TRANSMITQ, 0).len).toBe(0);
    expect(irq.level).toBe(true);
  });

  it('delivers host input into posted receive buffers, splitting across them', () => {
    const { drv, dev } = setup();
    const r1 = drv.alloc(4);
    const r2 = drv.alloc(16);
    drv.submit(RECEIVEQ, [{ addr: r1, len: 4, write: true }]);
    drv.submit(RECEIVEQ, [{ addr: r2, len: 16, write: true }]);
    expect(drv.usedIdx(RECEIVEQ)).toBe(0);
    dev.receive(text('ls -l\n'));
    expect(drv.usedIdx(RECEIVEQ)).toBe(2);
    expect(drv.usedElem(RECEIVEQ, 0).len).toBe(4);
    expect(drv.usedElem(RECEIVEQ, 1).len).toBe(2);
    expect(str(drv.bytes(r1, 4)) + str(drv.bytes(r2, 2))).toBe('ls -l\n');
  });

  it('keeps input typed before the driver is ready and delivers it once buffers arrive', () => {
    const { drv, dev } = setup(false);
    dev.receive(text('early'));
    expect(dev.queuedInput).toBe(5);
    drv.init(2);
    const r = drv.alloc(16);
    drv.submit(RECEIVEQ, [{ addr: r, len: 16, write: true }]);
    expect(str(drv.bytes(r, 5))).toBe('early');
    expect(dev.queuedInput).toBe(0);
  });

  it('save/restore keeps undelivered host input', () => {
    const { dev, memory, drv } = setup();
    dev.receive(text('pending'));
    const state = dev.save();
    const copy = new VirtioConsole({ memory, output: () => {} });
    copy.restore(structuredClone(state));
    expect(copy.save()).toEqual(state);
    expect(copy.queuedInput).toBe(7);
    expect(copy.read(REG_STATUS, 4)).toBe(drv.reg(REG_STATUS));
  });
});
