/**
 * virtio-console (device ID 3, virtio 1.2 §5.3) with a single port: Linux's hvc0, a second console
 * byte stream beside the UART. No multiport, no emergency write, no size: queue 0 carries host
 * input to the guest (receiveq), queue 1 guest output to the host (transmitq).
 *
 * The host side works like the UART's: `output` is called with what the guest writes, `receive()`
 * queues host input, which enters the guest as the driver posts receive buffers.
 */
import { readConfigBytes, VirtioMmioDevice, type VirtioMmioOptions, type VirtioMmioState } from './mmio.js';

export const VIRTIO_ID_CONSOLE = 3;
const RECEIVEQ = 0;
const TRANSMITQ = 1;
const QUEUE_SIZE = 128;
/** Host input kept while the guest is not reading (older bytes are dropped beyond this). */
const MAX_QUEUED_INPUT = 1 << 20;

export interface VirtioConsoleOptions extends VirtioMmioOptions {
  /** Called with each chunk the guest writes to hvc0 (the array is the callee's to keep). */
  readonly output: (bytes: Uint8Array) => void;
}

export interface VirtioConsoleState {
  readonly kind: 'virtio-console';
  readonly version: 1;
  readonly transport: VirtioMmioState;
  /** Host input not yet delivered to the guest. */
  readonly hostQueue: number[];
}

export class VirtioConsole extends VirtioMmioDevice {
  readonly deviceId = VIRTIO_ID_CONSOLE;
  private readonly output: (bytes: Uint8Array) => void;
  private input: number[] = [];
  private readonly config = new Uint8Array(12);

  constructor(options: VirtioConsoleOptions) {
    super(options, [QUEUE_SIZE, QUEUE_SIZE]);
    this.output = options.output;
  }

  protected get deviceFeatureBits(): bigint {
    return 0n;
  }

  protected readConfig(offset: number, size: 1 | 2 | 4): number {
    // struct virtio_console_config { cols, rows, max_nr_ports, emerg_wr }: all zero without features.
    return readConfigBytes(this.config, offset, size);
  }

  protected resetDevice(): void {}

  /** Queues bytes typed or pasted on the host for the guest's hvc0. */
  receive(bytes: Uint8Array | readonly number[]): void {
    for (let i = 0; i < bytes.length; i++) this.input.push(bytes[i]);
    if (this.input.length > MAX_QUEUED_INPUT) this.input = this.input.slice(this.input.length - MAX_QUEUED_INPUT);
    this.deliver();
  }

  /** Host bytes not yet taken by the guest. */
  get queuedInput(): number {
    return this.input.length;
  }

  protected override driverReady(): void {
    this.deliver();
  }

  protected queueNotify(index: number): void {
    if (index === RECEIVEQ) this.deliver();
    else if (index === TRANSMITQ) this.transmit();
  }

  private transmit(): void {
    const q = this.queues[TRANSMITQ];
    for (;;) {
      const chain = this.popChain(TRANSMITQ);
      if (!chain) return;
      const bytes = new Uint8Array(chain.readableBytes);
      q.readFrom(chain, 0, bytes);
      this.complete(TRANSMITQ, chain, 0);
      if (bytes.length > 0) this.output(bytes);
    }
  }

  private deliver(): void {
    const q = this.queues[RECEIVEQ];
    while (this.input.length > 0 && this.live && q.hasAvailable()) {
      const chain = this.popChain(RECEIVEQ);
      if (!chain) return;
      const n = Math.min(chain.writableBytes, this.input.length);
      const written = q.writeTo(chain, 0, Uint8Array.from(this.input.slice(0, n)));
      this.input = this.input.slice(n);
      this.complete(RECEIVEQ, chain, written);
    }
  }

  save(): VirtioConsoleState {
    return { kind: 'virtio-console', version: 1, transport: this.saveTransport(), hostQueue: [...this.input] };
  }

  restore(state: VirtioConsoleState): void {
    if (state.kind !== 'virtio-console' || state.version !== 1) throw new Error(`virtio-console: cannot restore state ${state.kind} v${state.version}`);
    this.restoreTransport(state.transport);
    this.input = [...state.hostQueue];
  }
}
