import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRawImage } from '../../../../../core/platform/node/block-file.js';
import {
  VIRTIO_BLK_F_BLK_SIZE,
  VIRTIO_BLK_F_DISCARD,
  VIRTIO_BLK_F_FLUSH,
  VIRTIO_BLK_F_RO,
  VIRTIO_BLK_F_SEG_MAX,
  VIRTIO_BLK_F_WRITE_ZEROES,
  VirtioBlk,
} from '../../../../../core/devices/virtio/blk.js';
import { REG_CONFIG, REG_DEVICE_ID, REG_STATUS, STATUS_DEVICE_NEEDS_RESET } from '../../../../../core/devices/virtio/mmio.js';
import type { BlockBackend as DeviceBackend } from '../../../../../core/devices/virtio/blk.js';
import { type BlockBackend, MemoryBlockBackend } from '../../../../../core/storage/block-backend.js';
import { newMemory, TestDriver, Wire } from './virtio-driver.js';

// virtio 1.2 §5.2.6: request types and status values.
const T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8, T_DISCARD = 11, T_WRITE_ZEROES = 13;
const S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;

const bit = (b: bigint) => 1n << b;
const flushPromises = () => new Promise((r) => setTimeout(r, 0));

function setup(backend: BlockBackend = new MemoryBlockBackend(1024 * 1024)) {
  const memory = newMemory();
  const irq = new Wire();
  const logs: string[] = [];
  const dev = new VirtioBlk({ memory, irq, backend, log: (m) => logs.push(m), serial: 'disk-0001' });
  const drv = new TestDriver(dev, memory);
  drv.init(1);
  return { memory, irq, logs, dev, drv, backend };
}

/** Issues one request as Linux's virtio_blk does (header, data, status) and returns its parts. */
function request(drv: TestDriver, type: number, sector: number, data: { out?: Uint8Array; inLen?: number }, opts: { indirect?: boolean } = {}) {
  const hdr = drv.alloc(16);
  const dv = new DataView(new ArrayBuffer(16));
  dv.setUint32(0, type, true);
  dv.setBigUint64(8, BigInt(sector), true);
  drv.put(hdr, new Uint8Array(dv.buffer));
  const bufs = [{ addr: hdr, len: 16 }];
  let dataAddr = 0;
  if (data.out) {
    dataAddr = drv.alloc(data.out.length);
    drv.put(dataAddr, data.out);
    bufs.push({ addr: dataAddr, len: data.out.length });
  }
  if (data.inLen) {
    dataAddr = drv.alloc(data.inLen);
    bufs.push({ addr: dataAddr, len: data.inLen, write: true } as never);
  }
  const status = drv.alloc(1);
  drv.put(status, Uint8Array.of(0xff));
  bufs.push({ addr: status, len: 1, write: true } as never);
  const head = drv.submit(0, bufs, opts);
  return { head, dataAddr, status: () => drv.bytes(status, 1)[0] };
}

function pattern(len: number, seed: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

function segment(sector: number, sectors: number, flags = 0): Uint8Array {
  const dv = new DataView(new ArrayBuffer(16));
  dv.setBigUint64(0, BigInt(sector), true);
  dv.setUint32(8, sectors, true);
  dv.setUint32(12, flags, true);
  return new Uint8Array(dv.buffer);
}

// core/storage's backends satisfy the device's own backend interface (checked by the compiler).
const asDevice = (b: BlockBackend): DeviceBackend => b;
void asDevice;

describe('virtio-blk', () => {
  it('is device 2 and describes the disk in its config space', () => {
    const { drv } = setup(new MemoryBlockBackend(3 * 1024 * 1024));
    expect(drv.reg(REG_DEVICE_ID)).toBe(2);
    const cfg = (off: number) => drv.dev.read(REG_CONFIG + off, 4);
    expect(cfg(0) + cfg(4) * 2 ** 32).toBe(6144); // capacity in 512-byte sectors
    expect(cfg(12)).toBeGreaterThan(0); // seg_max
    expect(cfg(20)).toBe(512); // blk_size
    expect(drv.dev.read(REG_CONFIG + 0, 1)).toBe(0); // byte access: low byte of 6144
    expect(drv.dev.read(REG_CONFIG + 1, 1)).toBe(0x18);
    const f = drv.deviceFeatures();
    for (const b of [VIRTIO_BLK_F_SEG_MAX, VIRTIO_BLK_F_BLK_SIZE, VIRTIO_BLK_F_FLUSH, VIRTIO_BLK_F_DISCARD, VIRTIO_BLK_F_WRITE_ZEROES]) {
      expect(f & bit(b)).toBe(bit(b));
    }
    expect(f & bit(VIRTIO_BLK_F_RO)).toBe(0n);
  });

  it('writes sectors and reads them back, completing through the used ring', async () => {
    const { drv, backend, irq } = setup();
    const data = pattern(4096, 7);
    const w = request(drv, T_OUT, 8, { out: data });
    expect(drv.usedIdx(0)).toBe(0); // served asynchronously
    await flushPromises();
    expect(w.status()).toBe(S_OK);
    expect(drv.usedElem(0, 0)).toEqual({ id: w.head, len: 1 });
    expect(irq.level).toBe(true);
    expect((backend as MemoryBlockBackend).data.subarray(8 * 512, 8 * 512 + 4096)).toEqual(data);

    const r = request(drv, T_IN, 8, { inLen: 4096 }, { indirect: true });
    await flushPromises();
    expect(r.status()).toBe(S_OK);
    expect(drv.bytes(r.dataAddr, 4096)).toEqual(data);
    expect(drv.usedElem(0, 1)).toEqual({ id: r.head, len: 4097 });
  });

  it('serves many requests posted before one notify', async () => {
    const { drv } = setup();
    const heads = []; // 5 chains of 3 descriptors fill the 16-entry table
    for (let i = 0; i < 5; i++) {
      const hdr = drv.alloc(16);
      const dv = new DataView(new ArrayBuffer(16));
      dv.setUint32(0, T_OUT, true);
      dv.setBigUint64(8, BigInt(i), true);
      drv.put(hdr, new Uint8Array(dv.buffer));
      const d = drv.alloc(512);
      drv.put(d, pattern(512, i));
      const st = drv.alloc(1);
      heads.push(drv.chain(0, [{ addr: hdr, len: 16 }, { addr: d, len: 512 }, { addr: st, len: 1, write: true }]));
    }
    for (const h of heads) drv.publish(0, h);
    drv.notify(0);
    await flushPromises();
    expect(drv.usedIdx(0)).toBe(5);
    const r = request(drv, T_IN, 4, { inLen: 512 });
    await flushPromises();
    expect(r.status()).toBe(S_OK);
    expect(drv.bytes(r.dataAddr, 512)).toEqual(pattern(512, 4));
  });

  it('fails reads and writes beyond the disk end, or not in whole sectors, with IOERR', async () => {
    const { drv } = setup(new MemoryBlockBackend(64 * 512));
    const past = request(drv, T_IN, 63, { inLen: 1024 });
    const partial = request(drv, T_OUT, 0, { out: new Uint8Array(100) });
    await flushPromises();
    expect(past.status()).toBe(S_IOERR);
    expect(partial.status()).toBe(S_IOERR);
  });

  it('answers GET_ID with the serial number, zero-padded to 20 bytes', async () => {
    const { drv } = setup();
    const r = request(drv, T_GET_ID, 0, { inLen: 20 });
    await flushPromises();
    expect(r.status()).toBe(S_OK);
    const id = drv.bytes(r.dataAddr, 20);
    expect(new TextDecoder().decode(id.subarray(0, 9))).toBe('disk-0001');
    expect(Array.from(id.subarray(9))).toEqual(new Array(11).fill(0));
  });

  it('answers an unknown request type with UNSUPP', async () => {
    const { drv } = setup();
    const r = request(drv, 0x55, 0, { inLen: 512 });
    await flushPromises();
    expect(r.status()).toBe(S_UNSUPP);
  });

  it('completes a flush only after the backend flush resolves', async () => {
    let release: () => void = () => {};
    const inner = new MemoryBlockBackend(1024 * 1024);
    // The memory backend with a flush that waits for the test, standing in for a slow fsync.
    const slow: BlockBackend = Object.assign(Object.create(inner) as MemoryBlockBackend, {
      flush: () => new Promise<void>((r) => (release = () => inner.flush().then(r))),
    });
    const { drv, dev } = setup(slow);
    const f = request(drv, T_FLUSH, 0, {});
    await flushPromises();
    expect(drv.usedIdx(0)).toBe(0);
    expect(f.status()).toBe(0xff);
    expect(dev.pending).toBe(1);
    const drained = dev.drain();
    release();
    await drained;
    expect(f.status()).toBe(S_OK);
    expect(drv.usedIdx(0)).toBe(1);
    expect(inner.flushes).toBe(1);
  });

  it('write-zeroes clears sectors; discard succeeds; discard with unmap is unsupported', async () => {
    const backend = new MemoryBlockBackend(1024 * 1024);
    backend.data.fill(0xee);
    const { drv } = setup(backend);
    const z = request(drv, T_WRITE_ZEROES, 0, { out: segment(4, 2, 1) });
    const d = request(drv, T_DISCARD, 0, { out: segment(10, 2) });
    const du = request(drv, T_DISCARD, 0, { out: segment(10, 2, 1) });
    const bad = request(drv, T_WRITE_ZEROES, 0, { out: segment(2047, 4) });
    await flushPromises();
    expect(z.status()).toBe(S_OK);
    expect(backend.data.subarray(4 * 512, 6 * 512).every((b) => b === 0)).toBe(true);
    expect(backend.data[4 * 512 - 1]).toBe(0xee);
    expect(backend.data[6 * 512]).toBe(0xee);
    expect(d.status()).toBe(S_OK);
    expect(du.status()).toBe(S_UNSUPP);
    expect(bad.status()).toBe(S_IOERR);
  });

  it('a read-only disk offers VIRTIO_BLK_F_RO and fails writes with IOERR without writing', async () => {
    const backend = new MemoryBlockBackend(pattern(64 * 1024, 3), true);
    const { drv } = setup(backend);
    const f = drv.deviceFeatures();
    expect(f & bit(VIRTIO_BLK_F_RO)).toBe(bit(VIRTIO_BLK_F_RO));
    expect(f & bit(VIRTIO_BLK_F_DISCARD)).toBe(0n);
    const w = request(drv, T_OUT, 0, { out: new Uint8Array(512) });
    const r = request(drv, T_IN, 0, { inLen: 512 });
    await flushPromises();
    expect(w.status()).toBe(S_IOERR);
    expect(backend.data.subarray(0, 512)).toEqual(pattern(64 * 1024, 3).subarray(0, 512));
    expect(r.status()).toBe(S_OK);
    expect(drv.bytes(r.dataAddr, 512)).toEqual(pattern(512, 3));
  });

  it('reports a backend failure as IOERR and logs it', async () => {
    const inner = new MemoryBlockBackend(1024 * 1024);
    const failing: BlockBackend = Object.assign(Object.create(inner) as MemoryBlockBackend, {
      read: () => Promise.reject(new Error('EIO from the host disk')),
    });
    const { drv, logs } = setup(failing);
    const r = request(drv, T_IN, 0, { inLen: 512 });
    await flushPromises();
    expect(r.status()).toBe(S_IOERR);
    expect(drv.usedElem(0, 0).len).toBe(1);
    expect(logs.join()).toMatch(/EIO from the host disk/);
  });

  it('a request without a status byte marks the device DEVICE_NEEDS_RESET', () => {
    const { drv, logs } = setup();
    const hdr = drv.alloc(16);
    drv.submit(0, [{ addr: hdr, len: 16 }]);
    expect(drv.reg(REG_STATUS) & STATUS_DEVICE_NEEDS_RESET).toBe(STATUS_DEVICE_NEEDS_RESET);
    expect(logs.join()).toMatch(/status byte/);
  });

  it('drops completions that arrive after a device reset', async () => {
    const { drv } = setup();
    const r = request(drv, T_IN, 0, { inLen: 512 });
    drv.setReg(REG_STATUS, 0);
    await flushPromises();
    expect(r.status()).toBe(0xff);
  });

  it('save/restore round-trips and the restored device serves the same rings', async () => {
    const { drv, dev, memory, backend } = setup();
    request(drv, T_OUT, 1, { out: pattern(512, 9) });
    expect(() => dev.save()).toThrow(/in flight/);
    await dev.drain();
    const state = dev.save();
    const copy = new VirtioBlk({ memory, backend });
    copy.restore(structuredClone(state));
    expect(copy.save()).toEqual(state);
    const drv2 = new TestDriver(copy, memory);
    drv2.queues[0] = drv.queues[0];
    (drv2 as unknown as { brk: number }).brk = (drv as unknown as { brk: number }).brk;
    const r = request(drv2, T_IN, 1, { inLen: 512 });
    await flushPromises();
    expect(r.status()).toBe(S_OK);
    expect(drv2.bytes(r.dataAddr, 512)).toEqual(pattern(512, 9));
    expect(drv2.usedIdx(0)).toBe(2);
  });

  it('over a raw image file: data the guest wrote and flushed is in the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riscstation-blk-'));
    try {
      const path = join(dir, 'disk.raw');
      writeFileSync(path, new Uint8Array(256 * 1024));
      const backend = await openRawImage(path);
      const { drv, dev } = setup(backend);
      const data = pattern(8192, 11);
      const w = request(drv, T_OUT, 100, { out: data });
      await dev.drain();
      const f = request(drv, T_FLUSH, 0, {});
      await dev.drain();
      expect(w.status()).toBe(S_OK);
      expect(f.status()).toBe(S_OK);
      expect(new Uint8Array(readFileSync(path).subarray(100 * 512, 100 * 512 + 8192))).toEqual(data);
      await backend.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
