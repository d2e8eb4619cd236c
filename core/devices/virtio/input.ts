/**
 * virtio-input (device ID 18, virtio 1.2 §5.8) as the machine's power button and Ctrl+Alt+Del: an
 * evdev device with the keys KEY_POWER, KEY_LEFTCTRL, KEY_LEFTALT and KEY_DELETE. The host presses
 * the power button to ask the guest to shut down (`vm stop`): Linux's virtio_input driver turns it
 * into an input event, and a listener such as busybox acpid runs `poweroff`. Ctrl+Alt+Del reaches
 * Linux's VT keyboard handler, which signals init (busybox init: its `ctrlaltdel` action). A guest
 * without a driver (U-Boot, bare metal) never sees either.
 *
 * Queues (§5.8.2): 0 eventq, buffers the driver posts for the device to fill with
 * `struct virtio_input_event` (8 bytes); 1 statusq, events from the driver (LED and the like),
 * consumed and dropped. Config space (§5.8.4): the driver writes `select` and `subsel`, then reads
 * `size` and up to 128 bytes of answer at offset 8.
 */
import { readConfigBytes, VirtioMmioDevice, type VirtioMmioOptions, type VirtioMmioState } from './mmio.js';

export const VIRTIO_ID_INPUT = 18;
const EVENTQ = 0;
const STATUSQ = 1;
const QUEUE_SIZE = 64;

// §5.8.4 enum virtio_input_config_select.
export const VIRTIO_INPUT_CFG_UNSET = 0x00;
export const VIRTIO_INPUT_CFG_ID_NAME = 0x01;
export const VIRTIO_INPUT_CFG_ID_SERIAL = 0x02;
export const VIRTIO_INPUT_CFG_ID_DEVIDS = 0x03;
export const VIRTIO_INPUT_CFG_PROP_BITS = 0x10;
export const VIRTIO_INPUT_CFG_EV_BITS = 0x11;
export const VIRTIO_INPUT_CFG_ABS_INFO = 0x12;

// Linux input-event-codes.h (the event types and codes virtio-input carries unchanged).
export const EV_SYN = 0x00;
export const EV_KEY = 0x01;
export const SYN_REPORT = 0;
export const KEY_POWER = 116;
export const KEY_LEFTCTRL = 29;
export const KEY_LEFTALT = 56;
export const KEY_DELETE = 111;
/** BUS_VIRTUAL in Linux's input.h. */
const BUS_VIRTUAL = 0x06;

/** `struct virtio_input_config`: select, subsel, size, reserved[5], then the 128-byte union. */
const CONFIG_BYTES = 8 + 128;
const EVENT_BYTES = 8;
/** Events kept while the driver has no buffers posted (older ones are dropped beyond this). */
const MAX_PENDING_EVENTS = 64;

export const POWER_BUTTON_NAME = 'RiscStation power button';

/** One evdev event, as `struct virtio_input_event { le16 type; le16 code; le32 value; }`. */
export interface InputEvent {
  readonly type: number;
  readonly code: number;
  readonly value: number;
}

export interface VirtioInputState {
  readonly kind: 'virtio-input';
  readonly version: 1;
  readonly transport: VirtioMmioState;
  readonly select: number;
  readonly subsel: number;
  /** Host events not yet delivered to the guest. */
  readonly pending: readonly InputEvent[];
}

export class VirtioInput extends VirtioMmioDevice {
  readonly deviceId = VIRTIO_ID_INPUT;
  private readonly config = new Uint8Array(CONFIG_BYTES);
  private select = 0;
  private subsel = 0;
  private pending: InputEvent[] = [];

  constructor(options: VirtioMmioOptions) {
    super(options, [QUEUE_SIZE, QUEUE_SIZE]);
  }

  protected get deviceFeatureBits(): bigint {
    return 0n; // §5.8.3: no feature bits
  }

  protected readConfig(offset: number, size: 1 | 2 | 4): number {
    return readConfigBytes(this.config, offset, size);
  }

  protected override writeConfig(offset: number, size: 1 | 2 | 4, value: number): void {
    // Only select (byte 0) and subsel (byte 1) are driver-writable; a wider write may cover both.
    for (let i = 0; i < size; i++) {
      const byte = (value >>> (8 * i)) & 0xff;
      if (offset + i === 0) this.select = byte;
      else if (offset + i === 1) this.subsel = byte;
    }
    this.fillConfig();
  }

  /** Rebuilds the config image for the current select/subsel (§5.8.5.1: size 0 = no answer). */
  private fillConfig(): void {
    const c = this.config;
    c.fill(0);
    c[0] = this.select;
    c[1] = this.subsel;
    const answer = this.answer(this.select, this.subsel);
    c[2] = answer.length;
    c.set(answer, 8);
  }

  private answer(select: number, subsel: number): Uint8Array {
    switch (select) {
      case VIRTIO_INPUT_CFG_ID_NAME:
        return subsel === 0 ? new TextEncoder().encode(POWER_BUTTON_NAME) : new Uint8Array(0);
      case VIRTIO_INPUT_CFG_ID_DEVIDS: {
        if (subsel !== 0) return new Uint8Array(0);
        // struct virtio_input_devids { le16 bustype, vendor, product, version }
        const ids = new Uint8Array(8);
        const dv = new DataView(ids.buffer);
        dv.setUint16(0, BUS_VIRTUAL, true);
        dv.setUint16(2, 0x0000, true);
        dv.setUint16(4, 0x0001, true);
        dv.setUint16(6, 0x0001, true);
        return ids;
      }
      case VIRTIO_INPUT_CFG_EV_BITS:
        // A bitmap of the codes supported for event type `subsel`, only as long as it needs to be.
        if (subsel === EV_KEY) return bitmap([KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE, KEY_POWER]);
        if (subsel === EV_SYN) return bitmap([SYN_REPORT]);
        return new Uint8Array(0);
      default:
        // ID_SERIAL, PROP_BITS, ABS_INFO (no absolute axes) and UNSET: no answer.
        return new Uint8Array(0);
    }
  }

  protected resetDevice(): void {
    this.select = 0;
    this.subsel = 0;
    this.pending = [];
    this.fillConfig();
  }

  /**
   * Presses and releases the power button: KEY_POWER down, SYN_REPORT, KEY_POWER up, SYN_REPORT.
   * Returns false (and sends nothing) when no driver has set the device up: nobody listens.
   */
  pressPowerButton(): boolean {
    return this.send([
      { type: EV_KEY, code: KEY_POWER, value: 1 },
      { type: EV_SYN, code: SYN_REPORT, value: 0 },
      { type: EV_KEY, code: KEY_POWER, value: 0 },
      { type: EV_SYN, code: SYN_REPORT, value: 0 },
    ]);
  }

  /**
   * Presses Ctrl+Alt+Del as a keyboard does: Ctrl, Alt and Delete down in that order, then up in
   * reverse, each change followed by SYN_REPORT. False when no driver has set the device up.
   */
  pressCtrlAltDel(): boolean {
    const keys = [KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE];
    const change = (code: number, value: number): InputEvent[] => [
      { type: EV_KEY, code, value },
      { type: EV_SYN, code: SYN_REPORT, value: 0 },
    ];
    return this.send([...keys.flatMap((k) => change(k, 1)), ...keys.reverse().flatMap((k) => change(k, 0))]);
  }

  /** Queues events for the guest; false when the driver is not ready (the events are dropped). */
  send(events: readonly InputEvent[]): boolean {
    if (!this.live) return false;
    this.pending.push(...events);
    if (this.pending.length > MAX_PENDING_EVENTS) this.pending = this.pending.slice(this.pending.length - MAX_PENDING_EVENTS);
    this.deliver();
    return true;
  }

  /** Host events waiting for eventq buffers. */
  get pendingEvents(): number {
    return this.pending.length;
  }

  protected override driverReady(): void {
    this.deliver();
  }

  protected queueNotify(index: number): void {
    if (index === EVENTQ) this.deliver();
    else if (index === STATUSQ) this.drainStatus();
  }

  private deliver(): void {
    const q = this.queues[EVENTQ];
    while (this.pending.length > 0 && this.live && q.hasAvailable()) {
      const chain = this.popChain(EVENTQ);
      if (!chain) return;
      if (chain.writableBytes < EVENT_BYTES) {
        this.fail(`eventq buffer of ${chain.writableBytes} bytes is too small for an event (${EVENT_BYTES})`);
        return;
      }
      const e = this.pending.shift()!;
      const bytes = new Uint8Array(EVENT_BYTES);
      const dv = new DataView(bytes.buffer);
      dv.setUint16(0, e.type, true);
      dv.setUint16(2, e.code, true);
      dv.setUint32(4, e.value >>> 0, true);
      const written = q.writeTo(chain, 0, bytes);
      this.complete(EVENTQ, chain, written);
    }
  }

  /** The driver's status events (LEDs, force feedback) mean nothing to a power button. */
  private drainStatus(): void {
    for (;;) {
      const chain = this.popChain(STATUSQ);
      if (!chain) return;
      this.complete(STATUSQ, chain, 0);
    }
  }

  save(): VirtioInputState {
    return {
      kind: 'virtio-input',
      version: 1,
      transport: this.saveTransport(),
      select: this.select,
      subsel: this.subsel,
      pending: this.pending.map((e) => ({ ...e })),
    };
  }

  restore(state: VirtioInputState): void {
    if (state.kind !== 'virtio-input' || state.version !== 1) throw new Error(`virtio-input: cannot restore state ${state.kind} v${state.version}`);
    this.restoreTransport(state.transport);
    this.select = state.select;
    this.subsel = state.subsel;
    this.pending = state.pending.map((e) => ({ ...e }));
    this.fillConfig();
  }
}

/** An evdev bitmap with the given bits set, as short as the highest bit allows. */
function bitmap(bits: readonly number[]): Uint8Array {
  const out = new Uint8Array((Math.max(...bits) >> 3) + 1);
  for (const b of bits) out[b >> 3] |= 1 << (b & 7);
  return out;
}
