/**
 * A minimal virtio-mmio driver for tests, doing what Linux's virtio_mmio.c and virtio_ring.c do:
 * reset, ACKNOWLEDGE, DRIVER, feature negotiation, FEATURES_OK, queue setup, DRIVER_OK, then
 * split-ring requests built in a real GuestMemory (descriptor table, avail ring, used ring).
 */
import { GuestMemory, RAM_BASE } from '../../../../../core/memory/ram.js';
import type { IrqLine, MmioDevice } from '../../../../../core/memory/mmio.js';
import {
  REG_DEVICE_FEATURES,
  REG_DEVICE_FEATURES_SEL,
  REG_DRIVER_FEATURES,
  REG_DRIVER_FEATURES_SEL,
  REG_INTERRUPT_ACK,
  REG_INTERRUPT_STATUS,
  REG_QUEUE_DESC_HIGH,
  REG_QUEUE_DESC_LOW,
  REG_QUEUE_DEVICE_HIGH,
  REG_QUEUE_DEVICE_LOW,
  REG_QUEUE_DRIVER_HIGH,
  REG_QUEUE_DRIVER_LOW,
  REG_QUEUE_NOTIFY,
  REG_QUEUE_NUM,
  REG_QUEUE_NUM_MAX,
  REG_QUEUE_READY,
  REG_QUEUE_SEL,
  REG_STATUS,
  STATUS_ACKNOWLEDGE,
  STATUS_DRIVER,
  STATUS_DRIVER_OK,
  STATUS_FEATURES_OK,
} from '../../../../../core/devices/virtio/mmio.js';

export const F_NEXT = 1;
export const F_WRITE = 2;
export const F_INDIRECT = 4;

export class Wire implements IrqLine {
  level = false;
  set(level: boolean): void {
    this.level = level;
  }
}

export interface Buf {
  /** Guest physical address. */
  readonly addr: number;
  readonly len: number;
  readonly write?: boolean;
}

export interface QueueLayout {
  readonly size: number;
  readonly desc: number;
  readonly avail: number;
  readonly used: number;
  /** Next free descriptor (handed out round-robin). */
  nextDesc: number;
  availIdx: number;
}

export function newMemory(): GuestMemory {
  return new GuestMemory({ ramBytes: 16 * 1024 * 1024 });
}

export class TestDriver {
  readonly dv: DataView;
  private brk = RAM_BASE + 0x10_0000;
  readonly queues: QueueLayout[] = [];

  constructor(
    readonly dev: MmioDevice,
    readonly memory: GuestMemory,
  ) {
    this.dv = new DataView(memory.buffer, 0, memory.ramBytes);
  }

  reg(offset: number): number {
    return this.dev.read(offset, 4);
  }

  setReg(offset: number, value: number): void {
    this.dev.write(offset, 4, value >>> 0);
  }

  /** Allocates guest RAM (physical address). */
  alloc(bytes: number, align = 16): number {
    this.brk = Math.ceil(this.brk / align) * align;
    const addr = this.brk;
    this.brk += bytes;
    return addr;
  }

  deviceFeatures(): bigint {
    this.setReg(REG_DEVICE_FEATURES_SEL, 0);
    const lo = BigInt(this.reg(REG_DEVICE_FEATURES));
    this.setReg(REG_DEVICE_FEATURES_SEL, 1);
    const hi = BigInt(this.reg(REG_DEVICE_FEATURES));
    return (hi << 32n) | lo;
  }

  /** Negotiates `accept(deviceFeatures)`; returns whether the device kept FEATURES_OK. */
  negotiate(accept: (offered: bigint) => bigint = (f) => f): boolean {
    this.setReg(REG_STATUS, 0);
    this.setReg(REG_STATUS, STATUS_ACKNOWLEDGE);
    this.setReg(REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
    const features = accept(this.deviceFeatures());
    this.setReg(REG_DRIVER_FEATURES_SEL, 0);
    this.setReg(REG_DRIVER_FEATURES, Number(features & 0xffff_ffffn));
    this.setReg(REG_DRIVER_FEATURES_SEL, 1);
    this.setReg(REG_DRIVER_FEATURES, Number(features >> 32n));
    this.setReg(REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
    return (this.reg(REG_STATUS) & STATUS_FEATURES_OK) !== 0;
  }

  setupQueue(index: number, size = 16): QueueLayout {
    this.setReg(REG_QUEUE_SEL, index);
    const max = this.reg(REG_QUEUE_NUM_MAX);
    if (size > max) throw new Error(`queue ${index}: size ${size} > max ${max}`);
    const layout: QueueLayout = {
      size,
      desc: this.alloc(16 * size, 16),
      avail: this.alloc(6 + 2 * size, 2),
      used: this.alloc(6 + 8 * size, 4),
      nextDesc: 0,
      availIdx: 0,
    };
    this.setReg(REG_QUEUE_NUM, size);
    this.setReg(REG_QUEUE_DESC_LOW, layout.desc);
    this.setReg(REG_QUEUE_DESC_HIGH, 0);
    this.setReg(REG_QUEUE_DRIVER_LOW, layout.avail);
    this.setReg(REG_QUEUE_DRIVER_HIGH, 0);
    this.setReg(REG_QUEUE_DEVICE_LOW, layout.used);
    this.setReg(REG_QUEUE_DEVICE_HIGH, 0);
    this.setReg(REG_QUEUE_READY, 1);
    this.queues[index] = layout;
    return layout;
  }

  /** Full init as Linux does it: negotiate, set up `queueCount` queues, DRIVER_OK. */
  init(queueCount: number, accept?: (offered: bigint) => bigint, size = 16): void {
    if (!this.negotiate(accept)) throw new Error('device refused the features');
    for (let i = 0; i < queueCount; i++) this.setupQueue(i, size);
    this.setReg(REG_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
  }

  private off(addr: number): number {
    return addr - RAM_BASE;
  }

  writeDesc(table: number, i: number, addr: number, len: number, flags: number, next: number): void {
    const o = this.off(table) + 16 * i;
    this.dv.setUint32(o, addr % 0x1_0000_0000, true);
    this.dv.setUint32(o + 4, Math.floor(addr / 0x1_0000_0000), true);
    this.dv.setUint32(o + 8, len, true);
    this.dv.setUint16(o + 12, flags, true);
    this.dv.setUint16(o + 14, next, true);
  }

  /** Next descriptor index, round-robin (tests only reuse descriptors of completed requests). */
  private takeDesc(l: QueueLayout): number {
    const i = l.nextDesc;
    l.nextDesc = (i + 1) % l.size;
    return i;
  }

  /** Writes a chain into the ring's descriptor table; returns the head index (not yet published). */
  chain(q: number, bufs: readonly Buf[]): number {
    const l = this.queues[q];
    const head = l.nextDesc;
    bufs.forEach((b, k) => {
      const i = this.takeDesc(l);
      const last = k === bufs.length - 1;
      this.writeDesc(l.desc, i, b.addr, b.len, (b.write ? F_WRITE : 0) | (last ? 0 : F_NEXT), last ? 0 : l.nextDesc);
    });
    return head;
  }

  /** Writes a chain as an indirect table referenced by one ring descriptor; returns the head. */
  indirectChain(q: number, bufs: readonly Buf[]): number {
    const table = this.alloc(16 * bufs.length, 16);
    bufs.forEach((b, k) => {
      const last = k === bufs.length - 1;
      this.writeDesc(table, k, b.addr, b.len, (b.write ? F_WRITE : 0) | (last ? 0 : F_NEXT), last ? 0 : k + 1);
    });
    const l = this.queues[q];
    const head = this.takeDesc(l);
    this.writeDesc(l.desc, head, table, 16 * bufs.length, F_INDIRECT, 0);
    return head;
  }

  /** Puts a head in the avail ring and bumps avail idx. */
  publish(q: number, head: number): void {
    const l = this.queues[q];
    this.dv.setUint16(this.off(l.avail) + 4 + 2 * (l.availIdx % l.size), head, true);
    l.availIdx = (l.availIdx + 1) & 0xffff;
    this.dv.setUint16(this.off(l.avail) + 2, l.availIdx, true);
  }

  notify(q: number): void {
    this.setReg(REG_QUEUE_NOTIFY, q);
  }

  /** Builds, publishes and notifies a chain; returns its head. */
  submit(q: number, bufs: readonly Buf[], options: { indirect?: boolean } = {}): number {
    const head = options.indirect ? this.indirectChain(q, bufs) : this.chain(q, bufs);
    this.publish(q, head);
    this.notify(q);
    return head;
  }

  usedIdx(q: number): number {
    return this.dv.getUint16(this.off(this.queues[q].used) + 2, true);
  }

  usedElem(q: number, i: number): { id: number; len: number } {
    const l = this.queues[q];
    const o = this.off(l.used) + 4 + 8 * (i % l.size);
    return { id: this.dv.getUint32(o, true), len: this.dv.getUint32(o + 4, true) };
  }

  availEvent(q: number): number {
    const l = this.queues[q];
    return this.dv.getUint16(this.off(l.used) + 4 + 8 * l.size, true);
  }

  setUsedEvent(q: number, value: number): void {
    const l = this.queues[q];
    this.dv.setUint16(this.off(l.avail) + 4 + 2 * l.size, value, true);
  }

  setAvailFlags(q: number, flags: number): void {
    this.dv.setUint16(this.off(this.queues[q].avail), flags, true);
  }

  /** Reads and acknowledges the interrupt status. */
  ack(): number {
    const s = this.reg(REG_INTERRUPT_STATUS);
    this.setReg(REG_INTERRUPT_ACK, s);
    return s;
  }

  bytes(addr: number, len: number): Uint8Array {
    return this.memory.readBytes(addr, len);
  }

  put(addr: number, bytes: Uint8Array): void {
    this.memory.writeBytes(addr, bytes);
  }
}
