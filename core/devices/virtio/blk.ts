/**
 * virtio-blk (device ID 2, virtio 1.2 §5.2) over a BlockBackend: read, write, flush, get-id,
 * discard and write-zeroes on one request queue.
 *
 * Requests are served asynchronously: a notify takes every available chain, validates it and
 * copies a write's data out of guest RAM at once, then hands the work to the backend; the used
 * ring entry and the status byte are written when the backend's promise settles, so a guest flush
 * completes only after the backend's flush (an fsync for image files) has. Completions after a
 * device reset are dropped.
 */
import type { BlockBackend } from '../../storage/block-backend.js';
import type { DescriptorChain } from './queue.js';
import { readConfigBytes, VirtioMmioDevice, type VirtioMmioOptions, type VirtioMmioState } from './mmio.js';

export type { BlockBackend };

export const VIRTIO_ID_BLOCK = 2;
const SECTOR_SIZE = 512;

// §5.2.3 feature bits.
export const VIRTIO_BLK_F_SIZE_MAX = 1n;
export const VIRTIO_BLK_F_SEG_MAX = 2n;
export const VIRTIO_BLK_F_RO = 5n;
export const VIRTIO_BLK_F_BLK_SIZE = 6n;
export const VIRTIO_BLK_F_FLUSH = 9n;
export const VIRTIO_BLK_F_DISCARD = 13n;
export const VIRTIO_BLK_F_WRITE_ZEROES = 14n;

// §5.2.6 request types and status values.
export const VIRTIO_BLK_T_IN = 0;
export const VIRTIO_BLK_T_OUT = 1;
export const VIRTIO_BLK_T_FLUSH = 4;
export const VIRTIO_BLK_T_GET_ID = 8;
export const VIRTIO_BLK_T_DISCARD = 11;
export const VIRTIO_BLK_T_WRITE_ZEROES = 13;
export const VIRTIO_BLK_S_OK = 0;
export const VIRTIO_BLK_S_IOERR = 1;
export const VIRTIO_BLK_S_UNSUPP = 2;

export const VIRTIO_BLK_ID_BYTES = 20;
const HEADER_BYTES = 16;
const QUEUE_SIZE = 256;
/** Data segments per request the driver may use (seg_max): the queue minus header and status. */
const SEG_MAX = QUEUE_SIZE - 2;
/** Largest discard / write-zeroes request, in sectors (64 MiB), and segments per request. */
const MAX_DISCARD_SECTORS = 131072;
const MAX_DISCARD_SEG = 1;

export interface VirtioBlkOptions extends VirtioMmioOptions {
  readonly backend: BlockBackend;
  /** Serial number the guest reads with GET_ID (at most 20 bytes; /sys/block/vda/serial). */
  readonly serial?: string;
}

export interface VirtioBlkState {
  readonly kind: 'virtio-blk';
  readonly version: 1;
  readonly transport: VirtioMmioState;
}

export class VirtioBlk extends VirtioMmioDevice {
  readonly deviceId = VIRTIO_ID_BLOCK;
  readonly backend: BlockBackend;
  private readonly config = new Uint8Array(60);
  private readonly serial: Uint8Array;
  /** Requests handed to the backend and not yet completed. */
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  /** Bumped by reset so that completions of older requests are dropped. */
  private generation = 0;

  constructor(options: VirtioBlkOptions) {
    super(options, [QUEUE_SIZE]);
    this.backend = options.backend;
    this.serial = new TextEncoder().encode(options.serial ?? 'riscstation').slice(0, VIRTIO_BLK_ID_BYTES);
    // §5.2.4 struct virtio_blk_config.
    const dv = new DataView(this.config.buffer);
    dv.setBigUint64(0, BigInt(Math.floor(this.backend.size / SECTOR_SIZE)), true); // capacity
    dv.setUint32(12, SEG_MAX, true); // seg_max
    dv.setUint32(20, SECTOR_SIZE, true); // blk_size
    dv.setUint16(34, 1, true); // num_queues
    dv.setUint32(36, MAX_DISCARD_SECTORS, true); // max_discard_sectors
    dv.setUint32(40, MAX_DISCARD_SEG, true); // max_discard_seg
    dv.setUint32(44, 1, true); // discard_sector_alignment
    dv.setUint32(48, MAX_DISCARD_SECTORS, true); // max_write_zeroes_sectors
    dv.setUint32(52, MAX_DISCARD_SEG, true); // max_write_zeroes_seg
  }

  protected get deviceFeatureBits(): bigint {
    let f = (1n << VIRTIO_BLK_F_SEG_MAX) | (1n << VIRTIO_BLK_F_BLK_SIZE) | (1n << VIRTIO_BLK_F_FLUSH);
    if (this.backend.readOnly) f |= 1n << VIRTIO_BLK_F_RO;
    else f |= (1n << VIRTIO_BLK_F_DISCARD) | (1n << VIRTIO_BLK_F_WRITE_ZEROES);
    return f;
  }

  protected readConfig(offset: number, size: 1 | 2 | 4): number {
    return readConfigBytes(this.config, offset, size);
  }

  /** Requests in flight in the backend. */
  get pending(): number {
    return this.inFlight;
  }

  /** Resolves when no request is in flight (before a snapshot, or to shut down). */
  drain(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  protected resetDevice(): void {
    this.generation++;
  }

  protected queueNotify(index: number): void {
    for (;;) {
      const chain = this.popChain(index);
      if (!chain) return;
      this.start(index, chain);
    }
  }

  private start(index: number, chain: DescriptorChain): void {
    const q = this.queues[index];
    // §5.2.6.1: a header the device can read and a status byte it can write, at least.
    if (chain.readableBytes < HEADER_BYTES || chain.writableBytes < 1) {
      this.fail(`request ${chain.head} has no ${chain.readableBytes < HEADER_BYTES ? '16-byte header' : 'status byte'}`);
      return;
    }
    const header = new Uint8Array(HEADER_BYTES);
    q.readFrom(chain, 0, header);
    const hv = new DataView(header.buffer);
    const type = hv.getUint32(0, true);
    const sector = hv.getBigUint64(8, true);
    const ro = this.backend.readOnly;
    let op: Promise<number>; // resolves to the status byte
    let written = 0;
    // A read's data waits here and is copied into the guest at completion.
    let readData: Uint8Array | null = null;
    const dataOut = chain.readableBytes - HEADER_BYTES;
    const dataIn = chain.writableBytes - 1;

    const range = (bytes: number): number | null => {
      const offset = Number(sector) * SECTOR_SIZE;
      if (bytes % SECTOR_SIZE !== 0 || sector > BigInt(this.backend.size / SECTOR_SIZE) || offset + bytes > this.backend.size) return null;
      return offset;
    };

    switch (type) {
      case VIRTIO_BLK_T_IN: {
        const offset = range(dataIn);
        if (offset === null) {
          op = Promise.resolve(VIRTIO_BLK_S_IOERR);
          break;
        }
        const buf = new Uint8Array(dataIn);
        readData = buf;
        op = this.backend.read(offset, buf).then(() => VIRTIO_BLK_S_OK);
        break;
      }
      case VIRTIO_BLK_T_OUT: {
        const offset = range(dataOut);
        if (ro || offset === null) {
          op = Promise.resolve(VIRTIO_BLK_S_IOERR);
          break;
        }
        const buf = new Uint8Array(dataOut);
        q.readFrom(chain, HEADER_BYTES, buf);
        op = this.backend.write(offset, buf).then(() => VIRTIO_BLK_S_OK);
        break;
      }
      case VIRTIO_BLK_T_FLUSH:
        op = this.backend.flush().then(() => VIRTIO_BLK_S_OK);
        break;
      case VIRTIO_BLK_T_GET_ID: {
        const id = new Uint8Array(VIRTIO_BLK_ID_BYTES);
        id.set(this.serial);
        written = q.writeTo(chain, 0, id.subarray(0, Math.min(VIRTIO_BLK_ID_BYTES, dataIn)));
        op = Promise.resolve(VIRTIO_BLK_S_OK);
        break;
      }
      case VIRTIO_BLK_T_DISCARD:
      case VIRTIO_BLK_T_WRITE_ZEROES:
        op = this.discardOrZero(chain, type, ro);
        break;
      default:
        op = Promise.resolve(VIRTIO_BLK_S_UNSUPP);
    }

    const generation = this.generation;
    this.inFlight++;
    op.then(
      (status) => status,
      (error: unknown) => {
        this.log(`virtio-blk: request type ${type} at sector ${sector} failed: ${(error as Error).message ?? String(error)}`);
        return VIRTIO_BLK_S_IOERR;
      },
    ).then((status) => {
      this.inFlight--;
      if (generation === this.generation && this.live) {
        if (readData && status === VIRTIO_BLK_S_OK) written = q.writeTo(chain, 0, readData);
        q.writeTo(chain, dataIn, Uint8Array.of(status));
        this.complete(index, chain, written + 1);
      }
      if (this.inFlight === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    });
  }

  private discardOrZero(chain: DescriptorChain, type: number, ro: boolean): Promise<number> {
    const q = this.queues[0];
    const segBytes = chain.readableBytes - HEADER_BYTES;
    // §5.2.6.2: 16-byte segments { sector, num_sectors, flags }.
    if (segBytes === 0 || segBytes % 16 !== 0 || segBytes / 16 > MAX_DISCARD_SEG) return Promise.resolve(VIRTIO_BLK_S_UNSUPP);
    if (ro) return Promise.resolve(VIRTIO_BLK_S_IOERR);
    const segs = new Uint8Array(segBytes);
    q.readFrom(chain, HEADER_BYTES, segs);
    const dv = new DataView(segs.buffer);
    const ops: Promise<void>[] = [];
    for (let i = 0; i < segBytes; i += 16) {
      const sector = Number(dv.getBigUint64(i, true));
      const count = dv.getUint32(i + 8, true);
      const flags = dv.getUint32(i + 12, true);
      const unmap = flags & 1;
      // A discard with the unmap flag, or any unknown flag bit, is unsupported.
      if (flags & ~1 || (type === VIRTIO_BLK_T_DISCARD && unmap)) return Promise.resolve(VIRTIO_BLK_S_UNSUPP);
      if (count > MAX_DISCARD_SECTORS) return Promise.resolve(VIRTIO_BLK_S_IOERR);
      const offset = sector * SECTOR_SIZE;
      const length = count * SECTOR_SIZE;
      if (offset + length > this.backend.size) return Promise.resolve(VIRTIO_BLK_S_IOERR);
      ops.push(type === VIRTIO_BLK_T_DISCARD ? this.backend.discard(offset, length) : this.backend.writeZeroes(offset, length));
    }
    return Promise.all(ops).then(() => VIRTIO_BLK_S_OK);
  }

  /** Saves the device; only when idle (await `drain()` first): in-flight I/O is not state. */
  save(): VirtioBlkState {
    if (this.inFlight > 0) throw new Error(`virtio-blk: ${this.inFlight} requests are in flight; await drain() before saving`);
    return { kind: 'virtio-blk', version: 1, transport: this.saveTransport() };
  }

  restore(state: VirtioBlkState): void {
    if (state.kind !== 'virtio-blk' || state.version !== 1) throw new Error(`virtio-blk: cannot restore state ${state.kind} v${state.version}`);
    this.generation++;
    this.restoreTransport(state.transport);
  }
}
