/**
 * virtio-rng, the entropy device (device ID 4, virtio 1.2 §5.4): one request queue of
 * device-writable buffers, each filled with random bytes from the host (Linux: /dev/hwrng).
 */
import { VirtioMmioDevice, type VirtioMmioOptions, type VirtioMmioState } from './mmio.js';

export const VIRTIO_ID_ENTROPY = 4;
const QUEUE_SIZE = 64;
/** Most bytes handed out per request (Linux asks for at most a page at a time). */
const MAX_REQUEST_BYTES = 65536;

/** Fills a buffer with random bytes (e.g. `(b) => crypto.getRandomValues(b)`). */
export type RandomSource = (dest: Uint8Array) => void;

export interface VirtioRngOptions extends VirtioMmioOptions {
  readonly random: RandomSource;
}

export interface VirtioRngState {
  readonly kind: 'virtio-rng';
  readonly version: 1;
  readonly transport: VirtioMmioState;
}

export class VirtioRng extends VirtioMmioDevice {
  readonly deviceId = VIRTIO_ID_ENTROPY;
  private readonly random: RandomSource;

  constructor(options: VirtioRngOptions) {
    super(options, [QUEUE_SIZE]);
    this.random = options.random;
  }

  protected get deviceFeatureBits(): bigint {
    return 0n;
  }

  protected readConfig(): number {
    return 0; // no config space
  }

  protected resetDevice(): void {}

  protected queueNotify(index: number): void {
    for (;;) {
      const chain = this.popChain(index);
      if (!chain) return;
      const bytes = new Uint8Array(Math.min(chain.writableBytes, MAX_REQUEST_BYTES));
      // getRandomValues fills at most 65536 bytes per call, which MAX_REQUEST_BYTES respects.
      this.random(bytes);
      const written = this.queues[index].writeTo(chain, 0, bytes);
      this.complete(index, chain, written);
    }
  }

  save(): VirtioRngState {
    return { kind: 'virtio-rng', version: 1, transport: this.saveTransport() };
  }

  restore(state: VirtioRngState): void {
    if (state.kind !== 'virtio-rng' || state.version !== 1) throw new Error(`virtio-rng: cannot restore state ${state.kind} v${state.version}`);
    this.restoreTransport(state.transport);
  }
}
