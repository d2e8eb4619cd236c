import { describe, expect, it } from 'vitest';
import {
  INT_CONFIG_CHANGE,
  INT_USED_BUFFER,
  REG_CONFIG_GENERATION,
  REG_DEVICE_ID,
  REG_MAGIC,
  REG_QUEUE_DESC_LOW,
  REG_QUEUE_NUM,
  REG_QUEUE_NUM_MAX,
  REG_QUEUE_READY,
  REG_QUEUE_SEL,
  REG_STATUS,
  REG_VENDOR_ID,
  REG_VERSION,
  STATUS_DEVICE_NEEDS_RESET,
  STATUS_DRIVER_OK,
  STATUS_FEATURES_OK,
  VIRTIO_F_EVENT_IDX,
  VIRTIO_F_INDIRECT_DESC,
  VIRTIO_F_VERSION_1,
} from '../../../../../core/devices/virtio/mmio.js';
import { VirtioRng } from '../../../../../core/devices/virtio/rng.js';
import { RAM_BASE } from '../../../../../core/memory/ram.js';
import { F_INDIRECT, F_NEXT, F_WRITE, newMemory, TestDriver, Wire } from './virtio-driver.js';

const bit = (b: bigint) => 1n << b;

/** A counting "random" source so the bytes the device writes are recognisable. */
function counter() {
  let n = 0;
  return (dest: Uint8Array) => {
    for (let i = 0; i < dest.length; i++) dest[i] = (n++ & 0xff) ^ 0x5a;
  };
}

function setup() {
  const memory = newMemory();
  const irq = new Wire();
  const logs: string[] = [];
  const dev = new VirtioRng({ memory, irq, log: (m) => logs.push(m), random: counter() });
  const drv = new TestDriver(dev, memory);
  return { memory, irq, logs, dev, drv };
}

/** Snapshot of all guest RAM, to prove a rejected request changed nothing. */
const ramCopy = (drv: TestDriver) => drv.memory.u8.slice(0, drv.memory.ramBytes);

describe('virtio-mmio transport (version 2)', () => {
  it('identifies itself as a modern virtio-mmio device', () => {
    const { drv } = setup();
    expect(drv.reg(REG_MAGIC)).toBe(0x74726976);
    expect(drv.reg(REG_VERSION)).toBe(2);
    expect(drv.reg(REG_DEVICE_ID)).toBe(4);
    expect(drv.reg(REG_VENDOR_ID)).toBe(0x554d4551);
    const f = drv.deviceFeatures();
    expect(f & bit(VIRTIO_F_VERSION_1)).toBe(bit(VIRTIO_F_VERSION_1));
    expect(f & bit(VIRTIO_F_INDIRECT_DESC)).toBe(bit(VIRTIO_F_INDIRECT_DESC));
    expect(f & bit(VIRTIO_F_EVENT_IDX)).toBe(bit(VIRTIO_F_EVENT_IDX));
  });

  it('refuses FEATURES_OK to a legacy driver (no VIRTIO_F_VERSION_1)', () => {
    const { drv, logs } = setup();
    expect(drv.negotiate((f) => f & ~bit(VIRTIO_F_VERSION_1))).toBe(false);
    expect(logs.join()).toMatch(/VERSION_1/);
  });

  it('refuses FEATURES_OK when the driver accepts a feature that was not offered', () => {
    const { drv } = setup();
    expect(drv.negotiate((f) => f | bit(40n))).toBe(false);
    expect(drv.negotiate((f) => f)).toBe(true);
  });

  it('reports queue limits and setup, and a status write of 0 resets everything', () => {
    const { dev, drv } = setup();
    drv.init(1);
    drv.setReg(REG_QUEUE_SEL, 0);
    expect(drv.reg(REG_QUEUE_NUM_MAX)).toBeGreaterThanOrEqual(16);
    expect(drv.reg(REG_QUEUE_READY)).toBe(1);
    expect(drv.reg(REG_QUEUE_DESC_LOW)).toBe(drv.queues[0].desc);
    expect(drv.reg(REG_STATUS) & STATUS_DRIVER_OK).toBe(STATUS_DRIVER_OK);
    drv.setReg(REG_STATUS, 0);
    expect(drv.reg(REG_STATUS)).toBe(0);
    expect(drv.reg(REG_QUEUE_READY)).toBe(0);
    expect(drv.reg(REG_QUEUE_DESC_LOW)).toBe(0);
    expect(dev.negotiatedFeatures).toBe(0n);
    // A missing queue reads as not available.
    drv.setReg(REG_QUEUE_SEL, 5);
    expect(drv.reg(REG_QUEUE_NUM_MAX)).toBe(0);
  });

  it('completes a request into the used ring and raises the used-buffer interrupt until acknowledged', () => {
    const { drv, irq } = setup();
    drv.init(1);
    const buf = drv.alloc(32);
    const head = drv.submit(0, [{ addr: buf, len: 32, write: true }]);
    expect(drv.usedIdx(0)).toBe(1);
    expect(drv.usedElem(0, 0)).toEqual({ id: head, len: 32 });
    expect(Array.from(drv.bytes(buf, 4))).toEqual([0x5a, 0x5b, 0x58, 0x59]);
    expect(irq.level).toBe(true);
    expect(drv.ack()).toBe(INT_USED_BUFFER);
    expect(irq.level).toBe(false);
  });

  it('follows indirect descriptor tables', () => {
    const { drv } = setup();
    drv.init(1);
    const a = drv.alloc(8);
    const b = drv.alloc(8);
    drv.submit(0, [{ addr: a, len: 8, write: true }, { addr: b, len: 8, write: true }], { indirect: true });
    expect(drv.usedElem(0, 0).len).toBe(16);
    expect(drv.bytes(b, 1)[0]).toBe(8 ^ 0x5a);
  });

  it('accepts an indirect table that is only 4-byte aligned', () => {
    const { drv } = setup();
    drv.init(1);
    const table = drv.alloc(40, 16) + 4;
    const buf = drv.alloc(8);
    drv.writeDesc(table, 0, buf, 8, F_WRITE, 0);
    const head = drv.queues[0].nextDesc;
    drv.writeDesc(drv.queues[0].desc, head, table, 16, F_INDIRECT, 0);
    drv.publish(0, head);
    drv.notify(0);
    expect(drv.usedElem(0, 0)).toEqual({ id: head, len: 8 });
  });

  it('with EVENT_IDX, interrupts only when used idx passes used_event, and publishes avail_event', () => {
    const { drv, irq } = setup();
    drv.init(1);
    const buf = drv.alloc(64);
    drv.setUsedEvent(0, 1); // interrupt when used idx moves past 1, i.e. on the second completion
    drv.submit(0, [{ addr: buf, len: 4, write: true }]);
    expect(drv.usedIdx(0)).toBe(1);
    expect(irq.level).toBe(false);
    expect(drv.availEvent(0)).toBe(1);
    drv.submit(0, [{ addr: buf, len: 4, write: true }]);
    expect(drv.usedIdx(0)).toBe(2);
    expect(irq.level).toBe(true);
  });

  it('without EVENT_IDX, VIRTQ_AVAIL_F_NO_INTERRUPT suppresses the interrupt', () => {
    const { drv, irq } = setup();
    drv.init(1, (f) => f & ~bit(VIRTIO_F_EVENT_IDX));
    drv.setAvailFlags(0, 1);
    drv.submit(0, [{ addr: drv.alloc(4), len: 4, write: true }]);
    expect(drv.usedIdx(0)).toBe(1);
    expect(irq.level).toBe(false);
    drv.setAvailFlags(0, 0);
    drv.submit(0, [{ addr: drv.alloc(4), len: 4, write: true }]);
    expect(irq.level).toBe(true);
  });

  it('keeps the config generation stable when nothing changes', () => {
    const { drv } = setup();
    expect(drv.reg(REG_CONFIG_GENERATION)).toBe(drv.reg(REG_CONFIG_GENERATION));
  });

  it('refuses a queue whose rings lie outside guest RAM', () => {
    const { drv, logs } = setup();
    drv.negotiate();
    drv.setReg(REG_QUEUE_SEL, 0);
    drv.setReg(REG_QUEUE_NUM, 16);
    drv.setReg(REG_QUEUE_DESC_LOW, 0x1000); // below RAM
    drv.setReg(REG_QUEUE_READY, 1);
    expect(drv.reg(REG_QUEUE_READY)).toBe(0);
    expect(drv.reg(REG_STATUS) & STATUS_DEVICE_NEEDS_RESET).toBe(STATUS_DEVICE_NEEDS_RESET);
    expect(logs.join()).toMatch(/outside guest RAM/);
  });

  it('refuses a queue size that is not a power of 2', () => {
    const { drv } = setup();
    drv.negotiate();
    drv.setReg(REG_QUEUE_SEL, 0);
    drv.setReg(REG_QUEUE_NUM, 12);
    drv.setReg(REG_QUEUE_READY, 1);
    expect(drv.reg(REG_STATUS) & STATUS_DEVICE_NEEDS_RESET).toBe(STATUS_DEVICE_NEEDS_RESET);
  });
});

describe('virtio-mmio: malformed rings set DEVICE_NEEDS_RESET and change nothing else', () => {
  /** Posts a hand-made chain; checks the device stopped, logged `why`, and left RAM untouched. */
  function expectRejected(build: (drv: TestDriver) => number, why: RegExp) {
    const { drv, logs, irq } = setup();
    drv.init(1);
    const head = build(drv);
    drv.publish(0, head);
    const before = ramCopy(drv);
    drv.notify(0);
    expect(drv.reg(REG_STATUS) & STATUS_DEVICE_NEEDS_RESET).toBe(STATUS_DEVICE_NEEDS_RESET);
    expect(logs.join('\n')).toMatch(why);
    expect(Buffer.compare(ramCopy(drv), before)).toBe(0);
    expect(drv.usedIdx(0)).toBe(0);
    // The driver is told through a configuration-change interrupt.
    expect(irq.level).toBe(true);
    expect(drv.ack()).toBe(INT_CONFIG_CHANGE);
    // Further notifies are ignored until a reset; after one, the device works again.
    drv.notify(0);
    expect(drv.usedIdx(0)).toBe(0);
    drv.init(1);
    expect(drv.reg(REG_STATUS) & STATUS_DEVICE_NEEDS_RESET).toBe(0);
    drv.submit(0, [{ addr: drv.alloc(4), len: 4, write: true }]);
    expect(drv.usedIdx(0)).toBe(1);
  }

  it('a buffer outside guest RAM', () => {
    expectRejected((drv) => {
      drv.writeDesc(drv.queues[0].desc, 0, 0x1000_0000, 16, F_WRITE, 0); // the UART, not RAM
      return 0;
    }, /outside guest RAM/);
  });

  it('a buffer that runs past the end of RAM (oversized length)', () => {
    expectRejected((drv) => {
      drv.writeDesc(drv.queues[0].desc, 0, RAM_BASE + drv.memory.ramBytes - 8, 0x1000, F_WRITE, 0);
      return 0;
    }, /outside guest RAM/);
  });

  it('a buffer above 4 GiB', () => {
    expectRejected((drv) => {
      drv.writeDesc(drv.queues[0].desc, 0, 0x1_8000_0000, 16, F_WRITE, 0);
      return 0;
    }, /outside guest RAM/);
  });

  it('a descriptor chain that loops', () => {
    expectRejected((drv) => {
      const buf = drv.alloc(16);
      const t = drv.queues[0].desc;
      drv.writeDesc(t, 0, buf, 4, F_WRITE | F_NEXT, 1);
      drv.writeDesc(t, 1, buf, 4, F_WRITE | F_NEXT, 0);
      return 0;
    }, /loops/);
  });

  it('a next index beyond the table', () => {
    expectRejected((drv) => {
      drv.writeDesc(drv.queues[0].desc, 0, drv.alloc(4), 4, F_WRITE | F_NEXT, 200);
      return 0;
    }, /out of range/);
  });

  it('a head index beyond the table', () => {
    expectRejected(() => 99, /out of range/);
  });

  it('an indirect table whose length is not a multiple of 16', () => {
    expectRejected((drv) => {
      drv.writeDesc(drv.queues[0].desc, 0, drv.alloc(32), 24, F_INDIRECT, 0);
      return 0;
    }, /multiple of 16/);
  });

  it('an indirect table outside guest RAM', () => {
    expectRejected((drv) => {
      drv.writeDesc(drv.queues[0].desc, 0, 0x2000_0000, 32, F_INDIRECT, 0);
      return 0;
    }, /indirect table .* outside guest RAM/);
  });

  it('an indirect table that nests another indirect descriptor', () => {
    expectRejected((drv) => {
      const table = drv.alloc(32);
      drv.writeDesc(table, 0, drv.alloc(32), 32, F_INDIRECT, 0);
      drv.writeDesc(drv.queues[0].desc, 0, table, 16, F_INDIRECT, 0);
      return 0;
    }, /indirect table contains an indirect/);
  });

  it('an indirect descriptor with NEXT also set', () => {
    expectRejected((drv) => {
      const table = drv.alloc(16);
      drv.writeDesc(table, 0, drv.alloc(4), 4, F_WRITE, 0);
      drv.writeDesc(drv.queues[0].desc, 0, table, 16, F_INDIRECT | F_NEXT, 1);
      return 0;
    }, /also has NEXT/);
  });

  it('a loop inside an indirect table', () => {
    expectRejected((drv) => {
      const table = drv.alloc(32);
      const buf = drv.alloc(4);
      drv.writeDesc(table, 0, buf, 4, F_WRITE | F_NEXT, 1);
      drv.writeDesc(table, 1, buf, 4, F_WRITE | F_NEXT, 0);
      drv.writeDesc(drv.queues[0].desc, 0, table, 32, F_INDIRECT, 0);
      return 0;
    }, /loops/);
  });

  it('an indirect descriptor when INDIRECT_DESC was not negotiated', () => {
    const { drv } = setup();
    drv.init(1, (f) => f & ~bit(VIRTIO_F_INDIRECT_DESC));
    const table = drv.alloc(16);
    drv.writeDesc(table, 0, drv.alloc(4), 4, F_WRITE, 0);
    drv.writeDesc(drv.queues[0].desc, 0, table, 16, F_INDIRECT, 0);
    drv.publish(0, 0);
    drv.notify(0);
    expect(drv.reg(REG_STATUS) & STATUS_DEVICE_NEEDS_RESET).toBe(STATUS_DEVICE_NEEDS_RESET);
  });

  it('an avail idx that runs more than a queue ahead', () => {
    expectRejected((drv) => {
      const l = drv.queues[0];
      drv.dv.setUint16(l.avail - RAM_BASE + 2, 100, true);
      l.availIdx = 99; // publish() will write 100
      return 0;
    }, /ahead of the device/);
  });
});

describe('virtio-mmio save/restore', () => {
  it('a restored device carries on the same rings', () => {
    const { drv, dev, memory, irq } = setup();
    drv.init(1);
    drv.submit(0, [{ addr: drv.alloc(4), len: 4, write: true }]);
    const state = dev.save();
    const copy = new VirtioRng({ memory, irq, random: counter() });
    copy.restore(structuredClone(state));
    expect(copy.save()).toEqual(state);
    const drv2 = new TestDriver(copy, memory);
    drv2.queues[0] = drv.queues[0];
    expect(drv2.reg(REG_STATUS) & (STATUS_DRIVER_OK | STATUS_FEATURES_OK)).toBe(STATUS_DRIVER_OK | STATUS_FEATURES_OK);
    drv2.submit(0, [{ addr: drv.alloc(4), len: 4, write: true }]);
    expect(drv2.usedIdx(0)).toBe(2);
  });

  it('refuses a state of another kind', () => {
    const { dev } = setup();
    expect(() => dev.restore({ ...dev.save(), kind: 'virtio-blk' } as never)).toThrow(/cannot restore/);
  });
});
