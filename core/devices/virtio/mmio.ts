/**
 * virtio-mmio transport, version 2 ("modern", virtio 1.2 §4.2.2), as the base of every virtio
 * device: register file, feature negotiation, device status and reset, queue setup, interrupt
 * status/acknowledge on one IrqLine (a PLIC source), and the device's config space at 0x100.
 *
 * A concrete device (VirtioBlk, VirtioRng, VirtioConsole) extends `VirtioMmioDevice` and supplies
 * its device ID, feature bits, config space and what happens when the driver notifies a queue.
 * The transport always offers VIRTIO_F_VERSION_1 (required: legacy drivers are refused at
 * FEATURES_OK), VIRTIO_F_INDIRECT_DESC and VIRTIO_F_EVENT_IDX.
 *
 * A malformed ring (see queue.ts) never throws out of the device: the device logs why, sets
 * DEVICE_NEEDS_RESET, raises a configuration-change interrupt (§2.1.2) and ignores its queues
 * until the driver resets it.
 */
import type { IrqLine, MmioDevice } from '../../memory/mmio.js';
import { NO_IRQ } from '../../memory/mmio.js';
import type { GuestMemory } from '../../memory/ram.js';
import { SplitVirtqueue, VIRTQ_MAX_SIZE, VirtqueueError, type DescriptorChain, type VirtqueueState } from './queue.js';

export const VIRTIO_MMIO_SIZE = 0x1000;
export const VIRTIO_MMIO_MAGIC = 0x74726976; // "virt"
/** Vendor ID QEMU uses ("QEMU"); drivers ignore it. */
export const VIRTIO_VENDOR_ID = 0x554d4551;

// §4.2.2 register offsets.
export const REG_MAGIC = 0x000;
export const REG_VERSION = 0x004;
export const REG_DEVICE_ID = 0x008;
export const REG_VENDOR_ID = 0x00c;
export const REG_DEVICE_FEATURES = 0x010;
export const REG_DEVICE_FEATURES_SEL = 0x014;
export const REG_DRIVER_FEATURES = 0x020;
export const REG_DRIVER_FEATURES_SEL = 0x024;
export const REG_QUEUE_SEL = 0x030;
export const REG_QUEUE_NUM_MAX = 0x034;
export const REG_QUEUE_NUM = 0x038;
export const REG_QUEUE_READY = 0x044;
export const REG_QUEUE_NOTIFY = 0x050;
export const REG_INTERRUPT_STATUS = 0x060;
export const REG_INTERRUPT_ACK = 0x064;
export const REG_STATUS = 0x070;
export const REG_QUEUE_DESC_LOW = 0x080;
export const REG_QUEUE_DESC_HIGH = 0x084;
export const REG_QUEUE_DRIVER_LOW = 0x090;
export const REG_QUEUE_DRIVER_HIGH = 0x094;
export const REG_QUEUE_DEVICE_LOW = 0x0a0;
export const REG_QUEUE_DEVICE_HIGH = 0x0a4;
export const REG_SHM_SEL = 0x0ac;
export const REG_SHM_LEN_LOW = 0x0b0;
export const REG_SHM_LEN_HIGH = 0x0b4;
export const REG_SHM_BASE_LOW = 0x0b8;
export const REG_SHM_BASE_HIGH = 0x0bc;
export const REG_CONFIG_GENERATION = 0x0fc;
export const REG_CONFIG = 0x100;

// §2.1 device status bits.
export const STATUS_ACKNOWLEDGE = 1;
export const STATUS_DRIVER = 2;
export const STATUS_DRIVER_OK = 4;
export const STATUS_FEATURES_OK = 8;
export const STATUS_DEVICE_NEEDS_RESET = 64;
export const STATUS_FAILED = 128;

// §4.2.2 InterruptStatus bits.
export const INT_USED_BUFFER = 1;
export const INT_CONFIG_CHANGE = 2;

// §6 reserved feature bits.
export const VIRTIO_F_INDIRECT_DESC = 28n;
export const VIRTIO_F_EVENT_IDX = 29n;
export const VIRTIO_F_VERSION_1 = 32n;

const TRANSPORT_FEATURES = (1n << VIRTIO_F_INDIRECT_DESC) | (1n << VIRTIO_F_EVENT_IDX) | (1n << VIRTIO_F_VERSION_1);

/** Where a device reports why it stopped (a malformed ring, a backend failure). */
export type VirtioLogger = (message: string) => void;

export interface VirtioMmioOptions {
  /** Guest RAM the device's rings and buffers live in. */
  readonly memory: GuestMemory;
  /** The device's interrupt line (a PLIC source: virtio slot i raises source 1 + i on virt). */
  readonly irq?: IrqLine;
  readonly log?: VirtioLogger;
}

/** Saved transport state, shared by every device's own state type. */
export interface VirtioMmioState {
  readonly status: number;
  readonly deviceFeaturesSel: number;
  readonly driverFeaturesSel: number;
  /** Negotiated driver features as a hex string (bigint is not plain data). */
  readonly driverFeatures: string;
  readonly queueSel: number;
  readonly interruptStatus: number;
  readonly configGeneration: number;
  readonly queues: readonly VirtqueueState[];
}

export abstract class VirtioMmioDevice implements MmioDevice {
  /** virtio device ID (§5): 2 block, 3 console, 4 entropy. */
  abstract readonly deviceId: number;
  protected readonly memory: GuestMemory;
  protected readonly irq: IrqLine;
  protected readonly log: VirtioLogger;
  protected readonly queues: SplitVirtqueue[];
  protected status = 0;
  protected driverFeatures = 0n;
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private queueSel = 0;
  private interruptStatus = 0;
  private configGeneration = 0;

  constructor(options: VirtioMmioOptions, queueSizes: readonly number[]) {
    this.memory = options.memory;
    this.irq = options.irq ?? NO_IRQ;
    this.log = options.log ?? (() => {});
    this.queues = queueSizes.map((n) => new SplitVirtqueue(options.memory, Math.min(n, VIRTQ_MAX_SIZE)));
  }

  /** Device-specific feature bits (the transport adds VERSION_1, INDIRECT_DESC and EVENT_IDX). */
  protected abstract get deviceFeatureBits(): bigint;
  /** Reads the device's config space (offset from 0x100). */
  protected abstract readConfig(offset: number, size: 1 | 2 | 4): number;
  /** The driver notified queue `index`; it is ready and the device is DRIVER_OK. */
  protected abstract queueNotify(index: number): void;
  /** Device-specific part of a reset (status written 0). */
  protected abstract resetDevice(): void;

  /** Writes to the config space; read-only by default. */
  protected writeConfig(_offset: number, _size: 1 | 2 | 4, _value: number): void {}

  /** All feature bits this device offers. */
  get deviceFeatures(): bigint {
    return TRANSPORT_FEATURES | this.deviceFeatureBits;
  }

  /** The features the driver accepted (valid once FEATURES_OK is set). */
  get negotiatedFeatures(): bigint {
    return this.driverFeatures;
  }

  /** True when the driver accepted feature `bit`. */
  protected hasFeature(bit: bigint): boolean {
    return ((this.driverFeatures >> bit) & 1n) === 1n;
  }

  /** The device status register (§2.1). */
  get deviceStatus(): number {
    return this.status;
  }

  /** True when the driver has finished setup and the device has not failed. */
  get live(): boolean {
    return (this.status & STATUS_DRIVER_OK) !== 0 && (this.status & STATUS_DEVICE_NEEDS_RESET) === 0;
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset >= REG_CONFIG) return this.readConfig(offset - REG_CONFIG, size);
    // §4.2.2.2: the driver accesses registers with 32-bit reads only.
    if (size !== 4) return 0;
    const q = this.queues[this.queueSel];
    switch (offset) {
      case REG_MAGIC:
        return VIRTIO_MMIO_MAGIC;
      case REG_VERSION:
        return 2;
      case REG_DEVICE_ID:
        return this.deviceId;
      case REG_VENDOR_ID:
        return VIRTIO_VENDOR_ID;
      case REG_DEVICE_FEATURES:
        return this.deviceFeaturesSel > 1 ? 0 : Number((this.deviceFeatures >> BigInt(32 * this.deviceFeaturesSel)) & 0xffff_ffffn);
      case REG_QUEUE_NUM_MAX:
        return q ? q.maxSize : 0;
      case REG_QUEUE_READY:
        return q?.ready ? 1 : 0;
      case REG_INTERRUPT_STATUS:
        return this.interruptStatus;
      case REG_STATUS:
        return this.status;
      case REG_QUEUE_DESC_LOW:
        return q ? q.descAddr >>> 0 : 0;
      case REG_QUEUE_DESC_HIGH:
        return q ? Math.floor(q.descAddr / 0x1_0000_0000) : 0;
      case REG_QUEUE_DRIVER_LOW:
        return q ? q.driverAddr >>> 0 : 0;
      case REG_QUEUE_DRIVER_HIGH:
        return q ? Math.floor(q.driverAddr / 0x1_0000_0000) : 0;
      case REG_QUEUE_DEVICE_LOW:
        return q ? q.deviceAddr >>> 0 : 0;
      case REG_QUEUE_DEVICE_HIGH:
        return q ? Math.floor(q.deviceAddr / 0x1_0000_0000) : 0;
      case REG_SHM_LEN_LOW:
      case REG_SHM_LEN_HIGH:
      case REG_SHM_BASE_LOW:
      case REG_SHM_BASE_HIGH:
        return 0xffff_ffff; // no shared memory regions (§4.2.2: length -1 means absent)
      case REG_CONFIG_GENERATION:
        return this.configGeneration;
      default:
        return 0;
    }
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset >= REG_CONFIG) {
      this.writeConfig(offset - REG_CONFIG, size, value);
      return;
    }
    if (size !== 4) return;
    value >>>= 0;
    const q = this.queues[this.queueSel];
    switch (offset) {
      case REG_DEVICE_FEATURES_SEL:
        this.deviceFeaturesSel = value;
        return;
      case REG_DRIVER_FEATURES:
        // §3.1.1: features may only change before FEATURES_OK.
        if (this.status & STATUS_FEATURES_OK || this.driverFeaturesSel > 1) return;
        {
          const shift = BigInt(32 * this.driverFeaturesSel);
          this.driverFeatures = (this.driverFeatures & ~(0xffff_ffffn << shift)) | (BigInt(value) << shift);
        }
        return;
      case REG_DRIVER_FEATURES_SEL:
        this.driverFeaturesSel = value;
        return;
      case REG_QUEUE_SEL:
        this.queueSel = value;
        return;
      case REG_QUEUE_NUM:
        if (q && !q.ready) q.size = value;
        return;
      case REG_QUEUE_READY:
        if (!q) return;
        if (value & 1) {
          if (q.ready) return;
          q.eventIdx = this.hasFeature(VIRTIO_F_EVENT_IDX);
          q.indirect = this.hasFeature(VIRTIO_F_INDIRECT_DESC);
          try {
            q.enable();
          } catch (error) {
            this.fail(`queue ${this.queueSel}: ${(error as Error).message}`);
          }
        } else {
          q.ready = false;
        }
        return;
      case REG_QUEUE_NOTIFY:
        this.notify(value & 0xffff);
        return;
      case REG_INTERRUPT_ACK:
        this.interruptStatus &= ~value;
        this.updateIrq();
        return;
      case REG_STATUS:
        this.writeStatus(value & 0xff);
        return;
      case REG_QUEUE_DESC_LOW:
      case REG_QUEUE_DESC_HIGH:
      case REG_QUEUE_DRIVER_LOW:
      case REG_QUEUE_DRIVER_HIGH:
      case REG_QUEUE_DEVICE_LOW:
      case REG_QUEUE_DEVICE_HIGH:
        if (q && !q.ready) this.setQueueAddress(q, offset, value);
        return;
      default:
        return;
    }
  }

  private setQueueAddress(q: SplitVirtqueue, offset: number, value: number): void {
    const high = (offset & 4) !== 0;
    const merge = (old: number) => (high ? value * 0x1_0000_0000 + (old % 0x1_0000_0000) : Math.floor(old / 0x1_0000_0000) * 0x1_0000_0000 + value);
    if (offset < REG_QUEUE_DRIVER_LOW) q.descAddr = merge(q.descAddr);
    else if (offset < REG_QUEUE_DEVICE_LOW) q.driverAddr = merge(q.driverAddr);
    else q.deviceAddr = merge(q.deviceAddr);
  }

  private writeStatus(value: number): void {
    if (value === 0) {
      this.reset();
      return;
    }
    // §2.1.2: the driver never clears bits (other than by reset); keep DEVICE_NEEDS_RESET ours.
    let next = (value & ~STATUS_DEVICE_NEEDS_RESET) | (this.status & STATUS_DEVICE_NEEDS_RESET);
    if (next & STATUS_FEATURES_OK && !(this.status & STATUS_FEATURES_OK)) {
      // §3.1.1: refuse (leave FEATURES_OK clear) unless the subset is ours and VERSION_1 is in.
      const extra = this.driverFeatures & ~this.deviceFeatures;
      if (extra !== 0n || !this.hasFeature(VIRTIO_F_VERSION_1)) {
        this.log(`virtio ${this.deviceId}: driver features 0x${this.driverFeatures.toString(16)} refused (${extra !== 0n ? 'not offered: 0x' + extra.toString(16) : 'VIRTIO_F_VERSION_1 missing: legacy drivers are not supported'})`);
        next &= ~STATUS_FEATURES_OK;
      }
    }
    const becameLive = next & STATUS_DRIVER_OK && !(this.status & STATUS_DRIVER_OK);
    this.status = next;
    if (becameLive) this.driverReady();
  }

  /** Called when the driver sets DRIVER_OK; devices with pending host input deliver it here. */
  protected driverReady(): void {}

  /** Device reset (§2.1, status written 0): everything back to its initial state. */
  reset(): void {
    this.status = 0;
    this.driverFeatures = 0n;
    this.deviceFeaturesSel = this.driverFeaturesSel = this.queueSel = 0;
    this.interruptStatus = 0;
    for (const q of this.queues) q.reset();
    this.resetDevice();
    this.updateIrq();
  }

  private notify(index: number): void {
    const q = this.queues[index];
    if (!q || !q.ready || !this.live) return;
    this.queueNotify(index);
  }

  /**
   * Takes the next validated chain from queue `index`, or null if none (or the device failed).
   * A malformed ring puts the device in DEVICE_NEEDS_RESET and returns null.
   */
  protected popChain(index: number): DescriptorChain | null {
    if (!this.live) return null;
    try {
      return this.queues[index].pop();
    } catch (error) {
      if (!(error instanceof VirtqueueError)) throw error;
      this.fail(`queue ${index}: ${error.message}`);
      return null;
    }
  }

  /** Completes a chain and raises the used-buffer interrupt if the driver wants one. */
  protected complete(index: number, chain: DescriptorChain, written: number): void {
    const q = this.queues[index];
    q.push(chain.head, written);
    if (q.shouldInterrupt()) this.raise(INT_USED_BUFFER);
  }

  /** Marks the device broken: logs why, sets DEVICE_NEEDS_RESET, tells the driver. */
  protected fail(reason: string): void {
    if (this.status & STATUS_DEVICE_NEEDS_RESET) return;
    this.log(`virtio device ${this.deviceId}: ${reason}; device needs reset`);
    this.status |= STATUS_DEVICE_NEEDS_RESET;
    if (this.status & STATUS_DRIVER_OK) this.raise(INT_CONFIG_CHANGE);
  }

  /** Bumps the config generation and sends a configuration-change interrupt (§4.2.2). */
  protected configChanged(): void {
    this.configGeneration = (this.configGeneration + 1) >>> 0;
    if (this.status & STATUS_DRIVER_OK) this.raise(INT_CONFIG_CHANGE);
  }

  private raise(bits: number): void {
    this.interruptStatus |= bits;
    this.updateIrq();
  }

  private updateIrq(): void {
    this.irq.set(this.interruptStatus !== 0);
  }

  protected saveTransport(): VirtioMmioState {
    return {
      status: this.status,
      deviceFeaturesSel: this.deviceFeaturesSel,
      driverFeaturesSel: this.driverFeaturesSel,
      driverFeatures: this.driverFeatures.toString(16),
      queueSel: this.queueSel,
      interruptStatus: this.interruptStatus,
      configGeneration: this.configGeneration,
      queues: this.queues.map((q) => q.save()),
    };
  }

  protected restoreTransport(s: VirtioMmioState): void {
    if (s.queues.length !== this.queues.length) throw new Error(`virtio device ${this.deviceId}: saved state has ${s.queues.length} queues, device has ${this.queues.length}`);
    this.status = s.status;
    this.deviceFeaturesSel = s.deviceFeaturesSel;
    this.driverFeaturesSel = s.driverFeaturesSel;
    this.driverFeatures = BigInt(`0x${s.driverFeatures}`);
    this.queueSel = s.queueSel;
    this.interruptStatus = s.interruptStatus;
    this.configGeneration = s.configGeneration;
    s.queues.forEach((qs, i) => {
      const q = this.queues[i];
      q.restore(qs);
      q.eventIdx = this.hasFeature(VIRTIO_F_EVENT_IDX);
      q.indirect = this.hasFeature(VIRTIO_F_INDIRECT_DESC);
    });
    this.updateIrq();
  }
}

/** Reads `size` bytes little-endian at `offset` of a config-space byte image. */
export function readConfigBytes(config: Uint8Array, offset: number, size: 1 | 2 | 4): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + (offset + i < config.length ? config[offset + i] : 0);
  return v >>> 0;
}
