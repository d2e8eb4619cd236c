/**
 * Split virtqueues (virtio 1.2 §2.7): the descriptor table, the driver area ("available ring")
 * and the device area ("used ring") in guest RAM, read and written by the device.
 *
 * Everything the driver hands over is validated before the device acts on it: every buffer must
 * lie inside guest RAM, chains may not loop or be longer than the table, indirect tables must be
 * well formed (§2.7.5.3), and device-writable buffers must follow the readable ones (§2.7.4.2).
 * A violation is reported as a `VirtqueueError`; the transport then marks the device
 * DEVICE_NEEDS_RESET. Nothing in guest memory is written for a chain that fails validation.
 *
 * Ring indices are 16-bit and free-running; the idx fields are read and written with Atomics so a
 * device thread sees a driver's ring updates in order (the driver writes ring entries, then idx).
 * Views assume a little-endian host, like the rest of the shared-memory layout.
 */
import type { GuestMemory } from '../../memory/ram.js';

// §2.7.5 virtq_desc.flags
export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
// §2.7.6 virtq_avail.flags, §2.7.8 virtq_used.flags
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;
export const VIRTQ_USED_F_NO_NOTIFY = 1;

const DESC_SIZE = 16;
/** Largest queue this implementation offers (QueueNumMax). Split queues allow up to 32768. */
export const VIRTQ_MAX_SIZE = 1024;

/** A malformed ring or descriptor: the device must stop and ask for a reset. */
export class VirtqueueError extends Error {
  override readonly name = 'VirtqueueError';
}

/** One guest buffer of a chain, as an offset into RAM (physical address minus the RAM base). */
export interface VirtqBuffer {
  readonly ramOffset: number;
  readonly length: number;
}

/** A validated descriptor chain: readable buffers first, then writable ones. */
export interface DescriptorChain {
  /** Head descriptor index: the id the used ring reports back. */
  readonly head: number;
  readonly readable: readonly VirtqBuffer[];
  readonly writable: readonly VirtqBuffer[];
  readonly readableBytes: number;
  readonly writableBytes: number;
}

/** Saved state of one queue (the rings themselves live in guest RAM). */
export interface VirtqueueState {
  readonly size: number;
  readonly ready: boolean;
  readonly descAddr: number;
  readonly driverAddr: number;
  readonly deviceAddr: number;
  readonly lastAvailIdx: number;
  readonly usedIdx: number;
  /** used idx at the last interrupt decision (for event-idx suppression). */
  readonly signalledUsedIdx: number;
}

/**
 * The device side of one split virtqueue. The transport writes the setup registers into it and
 * calls `enable()` when the driver sets QueueReady.
 */
export class SplitVirtqueue {
  /** QueueNum: the size the driver chose (a power of 2, at most maxSize). */
  size: number;
  ready = false;
  descAddr = 0;
  driverAddr = 0;
  deviceAddr = 0;
  /** Next avail ring slot the device will look at. */
  lastAvailIdx = 0;
  /** The device's used idx (what it last published). */
  usedIdx = 0;
  private signalledUsedIdx = 0;
  /** Set by the transport from the negotiated features. */
  eventIdx = false;
  indirect = false;
  private readonly u16: Uint16Array;
  private readonly u32: Uint32Array;
  private readonly dv: DataView;

  constructor(
    private readonly memory: GuestMemory,
    readonly maxSize: number,
  ) {
    this.size = maxSize;
    this.u16 = new Uint16Array(memory.buffer, 0, memory.ramBytes >>> 1);
    this.u32 = new Uint32Array(memory.buffer, 0, memory.ramBytes >>> 2);
    this.dv = new DataView(memory.buffer, 0, memory.ramBytes);
  }

  /** Back to the reset state (the driver must set the queue up again). */
  reset(): void {
    this.size = this.maxSize;
    this.ready = false;
    this.descAddr = this.driverAddr = this.deviceAddr = 0;
    this.lastAvailIdx = this.usedIdx = this.signalledUsedIdx = 0;
  }

  /** Checks the queue layout when the driver sets QueueReady (§2.7: sizes and alignments). */
  enable(): void {
    const n = this.size;
    if (n === 0 || n > this.maxSize || (n & (n - 1)) !== 0) throw new VirtqueueError(`queue size ${n} is not a power of 2 from 1 to ${this.maxSize}`);
    this.checkArea('descriptor table', this.descAddr, DESC_SIZE * n, 16);
    this.checkArea('driver area', this.driverAddr, 6 + 2 * n, 2);
    this.checkArea('device area', this.deviceAddr, 6 + 8 * n, 4);
    this.ready = true;
    this.lastAvailIdx = this.avail16(2);
    this.usedIdx = this.signalledUsedIdx = this.used16(2);
  }

  private checkArea(what: string, addr: number, bytes: number, align: number): void {
    if (addr % align !== 0) throw new VirtqueueError(`${what} at 0x${addr.toString(16)} is not ${align}-byte aligned`);
    if (!this.memory.isRam(addr, bytes)) throw new VirtqueueError(`${what} at 0x${addr.toString(16)} (${bytes} bytes) is outside guest RAM`);
  }

  private ram(addr: number): number {
    return addr - this.memory.ramBase;
  }

  private avail16(byteOffset: number): number {
    return Atomics.load(this.u16, (this.ram(this.driverAddr) + byteOffset) >>> 1);
  }

  private used16(byteOffset: number): number {
    return Atomics.load(this.u16, (this.ram(this.deviceAddr) + byteOffset) >>> 1);
  }

  private markDirty(ramOffset: number, length: number): void {
    const dirty = this.memory.dirty;
    for (let p = ramOffset >>> 12; p <= (ramOffset + length - 1) >>> 12; p++) dirty[p] = 1;
  }

  /** True when the driver has made buffers available that the device has not taken yet. */
  hasAvailable(): boolean {
    return this.ready && this.avail16(2) !== this.lastAvailIdx;
  }

  /**
   * Takes the next available chain, validated, or null when there is none. Throws
   * `VirtqueueError` when the ring or the chain is malformed (nothing is consumed then).
   */
  pop(): DescriptorChain | null {
    if (!this.ready) return null;
    const availIdx = this.avail16(2);
    const pending = (availIdx - this.lastAvailIdx) & 0xffff;
    if (pending === 0) return null;
    if (pending > this.size) throw new VirtqueueError(`avail idx ${availIdx} is ${pending} entries ahead of the device (queue size ${this.size})`);
    const head = this.avail16(4 + 2 * (this.lastAvailIdx % this.size));
    const chain = this.walk(head);
    this.lastAvailIdx = (this.lastAvailIdx + 1) & 0xffff;
    if (this.eventIdx) this.setAvailEvent(this.lastAvailIdx);
    return chain;
  }

  /** With event-idx: asks the driver to notify once it publishes past `idx` (§2.7.10). */
  private setAvailEvent(idx: number): void {
    const off = this.ram(this.deviceAddr) + 4 + 8 * this.size;
    Atomics.store(this.u16, off >>> 1, idx);
    this.markDirty(off, 2);
  }

  /** Reads and validates the chain starting at descriptor `head`. */
  private walk(head: number): DescriptorChain {
    const n = this.size;
    if (head >= n) throw new VirtqueueError(`descriptor index ${head} is out of range (queue size ${n})`);
    const readable: VirtqBuffer[] = [];
    const writable: VirtqBuffer[] = [];
    let readableBytes = 0;
    let writableBytes = 0;
    // One table is walked at a time: the ring's own, then at most one indirect table.
    let table = this.ram(this.descAddr);
    let tableLen = n;
    let index = head;
    let seen = 0;
    let inIndirect = false;
    for (;;) {
      if (seen >= tableLen) throw new VirtqueueError(`descriptor chain from ${head} loops or is longer than its table (${tableLen} entries)`);
      seen++;
      const d = table + index * DESC_SIZE;
      // DataView: indirect tables need not be aligned (the spec sets no alignment for them).
      const dv = this.dv;
      const addr = dv.getUint32(d + 4, true) * 0x1_0000_0000 + dv.getUint32(d, true);
      const len = dv.getUint32(d + 8, true);
      const flags = dv.getUint16(d + 12, true);
      const next = dv.getUint16(d + 14, true);
      if (flags & VIRTQ_DESC_F_INDIRECT) {
        // §2.7.5.3.1: only in the ring's own table, never with NEXT, length a multiple of 16.
        if (!this.indirect) throw new VirtqueueError(`descriptor ${index} is indirect but VIRTIO_F_INDIRECT_DESC was not negotiated`);
        if (inIndirect) throw new VirtqueueError('an indirect table contains an indirect descriptor');
        if (flags & VIRTQ_DESC_F_NEXT) throw new VirtqueueError(`indirect descriptor ${index} also has NEXT set`);
        if (len === 0 || len % DESC_SIZE !== 0) throw new VirtqueueError(`indirect table length ${len} is not a non-zero multiple of 16`);
        if (len / DESC_SIZE > 32768) throw new VirtqueueError(`indirect table of ${len / DESC_SIZE} entries is larger than a queue may be`);
        if (!this.memory.isRam(addr, len)) throw new VirtqueueError(`indirect table at 0x${addr.toString(16)} (${len} bytes) is outside guest RAM`);
        if (readable.length + writable.length > 0) throw new VirtqueueError('an indirect descriptor follows direct ones in the same chain');
        table = this.ram(addr);
        tableLen = len / DESC_SIZE;
        index = 0;
        seen = 0;
        inIndirect = true;
        continue;
      }
      if (len > 0) {
        if (!this.memory.isRam(addr, len)) throw new VirtqueueError(`descriptor ${index}: buffer at 0x${addr.toString(16)} (${len} bytes) is outside guest RAM`);
        const buf = { ramOffset: this.ram(addr), length: len };
        if (flags & VIRTQ_DESC_F_WRITE) {
          writable.push(buf);
          writableBytes += len;
        } else {
          if (writable.length > 0) throw new VirtqueueError(`descriptor ${index}: a device-readable buffer follows a device-writable one`);
          readable.push(buf);
          readableBytes += len;
        }
        if (readableBytes + writableBytes > this.memory.ramBytes) throw new VirtqueueError(`descriptor chain from ${head} is larger than guest RAM`);
      }
      if (!(flags & VIRTQ_DESC_F_NEXT)) break;
      if (next >= tableLen) throw new VirtqueueError(`descriptor ${index}: next ${next} is out of range (${tableLen} entries)`);
      index = next;
    }
    return { head, readable, writable, readableBytes, writableBytes };
  }

  /** Publishes a used element: chain `head` done, `written` bytes written into its buffers. */
  push(head: number, written: number): void {
    const used = this.ram(this.deviceAddr);
    const slot = used + 4 + 8 * (this.usedIdx % this.size);
    this.u32[slot >>> 2] = head;
    this.u32[(slot + 4) >>> 2] = written;
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    Atomics.store(this.u16, (used + 2) >>> 1, this.usedIdx);
    this.markDirty(slot, 8);
    this.markDirty(used + 2, 2);
  }

  /**
   * Whether the driver wants an interrupt for what was used since the last call (§2.7.7.2 with
   * VIRTQ_AVAIL_F_NO_INTERRUPT, §2.7.10 with used_event).
   */
  shouldInterrupt(): boolean {
    const old = this.signalledUsedIdx;
    const now = this.usedIdx;
    if (old === now) return false;
    this.signalledUsedIdx = now;
    if (this.eventIdx) {
      const usedEvent = this.avail16(4 + 2 * this.size);
      // vring_need_event(): (u16)(new - event - 1) < (u16)(new - old)
      return ((now - usedEvent - 1) & 0xffff) < ((now - old) & 0xffff);
    }
    return (this.avail16(0) & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0;
  }

  /** Copies up to dest.length bytes from the chain's readable buffers, from byte `skip` on. */
  readFrom(chain: DescriptorChain, skip: number, dest: Uint8Array): number {
    const u8 = this.memory.u8;
    let done = 0;
    for (const b of chain.readable) {
      if (done >= dest.length) break;
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      const n = Math.min(b.length - skip, dest.length - done);
      dest.set(u8.subarray(b.ramOffset + skip, b.ramOffset + skip + n), done);
      done += n;
      skip = 0;
    }
    return done;
  }

  /** Copies bytes into the chain's writable buffers from byte `skip` on; returns bytes written. */
  writeTo(chain: DescriptorChain, skip: number, src: Uint8Array): number {
    const u8 = this.memory.u8;
    let done = 0;
    for (const b of chain.writable) {
      if (done >= src.length) break;
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      const n = Math.min(b.length - skip, src.length - done);
      u8.set(src.subarray(done, done + n), b.ramOffset + skip);
      this.markDirty(b.ramOffset + skip, n);
      done += n;
      skip = 0;
    }
    return done;
  }

  save(): VirtqueueState {
    return {
      size: this.size,
      ready: this.ready,
      descAddr: this.descAddr,
      driverAddr: this.driverAddr,
      deviceAddr: this.deviceAddr,
      lastAvailIdx: this.lastAvailIdx,
      usedIdx: this.usedIdx,
      signalledUsedIdx: this.signalledUsedIdx,
    };
  }

  restore(s: VirtqueueState): void {
    this.size = s.size;
    this.ready = s.ready;
    this.descAddr = s.descAddr;
    this.driverAddr = s.driverAddr;
    this.deviceAddr = s.deviceAddr;
    this.lastAvailIdx = s.lastAvailIdx;
    this.usedIdx = s.usedIdx;
    this.signalledUsedIdx = s.signalledUsedIdx;
  }
}
