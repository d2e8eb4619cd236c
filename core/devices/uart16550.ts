/**
 * National Semiconductor 16550A UART (ns16550a, register shift 0), modelled on QEMU's serial.c.
 *
 * Transmission is instantaneous: a byte written to THR goes straight to the host output callback
 * (one function call per byte), so THRE/TEMT are set again at once. Received bytes come from the
 * host through `receive()`; they wait in a host-side queue and enter the 16-byte RX FIFO as room
 * appears, so a long paste arrives intact instead of overrunning (QEMU's can_receive does the same).
 *
 * The registers, the RX FIFO and the first HOST_RING bytes of the host-side queue live in a
 * DeviceStore (shared-state.ts) behind one lock, so the threaded scheduler's hart threads serve
 * every register access themselves (each over its own Uart16550 on the same bytes, whose `output`
 * posts the byte to the device thread), while the device thread feeds host input with `receive()`.
 * Host bytes beyond the shared ring wait in the receiving object's own queue and move into the ring
 * on its next `receive()` or `pumpInput()`.
 */
import type { IrqLine, MmioDevice } from '../memory/mmio.js';
import { NO_IRQ } from '../memory/mmio.js';
import { align8, lock, privateStore, unlock, type DeviceStore } from './shared-state.js';

export const UART_SIZE = 0x100;
/** Input clock QEMU's virt board advertises (clock-frequency in the FDT): 3.6864 MHz. */
export const UART_CLOCK_HZ = 0x384000;

// Register offsets.
const RBR_THR_DLL = 0;
const IER_DLM = 1;
const IIR_FCR = 2;
const LCR = 3;
const MCR = 4;
const LSR = 5;
const MSR = 6;
const SCR = 7;

// IER bits.
const IER_RDI = 0x01;
const IER_THRI = 0x02;
const IER_RLSI = 0x04;
const IER_MSI = 0x08;
// IIR values.
const IIR_NO_INT = 0x01;
const IIR_MSI = 0x00;
const IIR_THRI = 0x02;
const IIR_RDI = 0x04;
const IIR_RLSI = 0x06;
const IIR_CTI = 0x0c;
const IIR_FIFO_ENABLED = 0xc0;
// FCR bits.
const FCR_FE = 0x01;
const FCR_RFR = 0x02;
const FCR_XFR = 0x04;
// LCR bits.
const LCR_DLAB = 0x80;
// MCR bits.
const MCR_DTR = 0x01;
const MCR_RTS = 0x02;
const MCR_OUT1 = 0x04;
const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;
// LSR bits.
const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_BI = 0x10;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const LSR_INT_ANY = 0x1e;
// MSR bits.
const MSR_DCTS = 0x01;
const MSR_DDSR = 0x02;
const MSR_TERI = 0x04;
const MSR_DDCD = 0x08;
const MSR_CTS = 0x10;
const MSR_DSR = 0x20;
const MSR_RI = 0x40;
const MSR_DCD = 0x80;
const MSR_DELTA = 0x0f;

const FIFO_SIZE = 16;
const TRIGGER_LEVELS = [1, 4, 8, 14];

export interface Uart16550State {
  readonly kind: 'uart16550';
  readonly version: 1;
  readonly divider: number;
  readonly ier: number;
  readonly fcr: number;
  readonly lcr: number;
  readonly mcr: number;
  readonly lsr: number;
  readonly msr: number;
  readonly scr: number;
  readonly thrIPending: boolean;
  readonly rxFifo: number[];
  /** Bytes from the host not yet in the FIFO. */
  readonly hostQueue: number[];
}

// Shared layout: Int32 words, then the host ring's bytes.
const R_LOCK = 0;
const R_DIV = 1;
const R_IER = 2;
const R_FCR = 3;
const R_LCR = 4;
const R_MCR = 5;
const R_LSR = 6;
const R_MSR = 7;
const R_SCR = 8;
const R_THRI = 9;
const R_IRQ = 10;
const R_RXHEAD = 11;
const R_RXCOUNT = 12;
/** Host ring read and write counters (free-running Int32s that wrap; index = counter & (HOST_RING - 1)). */
const R_QHEAD = 13;
const R_QTAIL = 14;
/** RX FIFO ring (also the one-byte holding register when FIFOs are off): FIFO_SIZE words. */
const R_RX = 16;
const R_WORDS = R_RX + FIFO_SIZE;
/** Host bytes the shared state holds (more wait in the receiving object's queue). */
/** A power of two: the ring is indexed with a mask. */
export const UART_HOST_RING = 4096;

/** Bytes of shared state one UART needs. */
export function uartStateBytes(): number {
  return align8(R_WORDS * 4 + UART_HOST_RING);
}

export class Uart16550 implements MmioDevice {
  private readonly r: Int32Array;
  private readonly ring: Uint8Array;
  /** Host bytes that did not fit in the shared ring (this object's own). */
  private queue: Uint8Array = new Uint8Array(256);
  private qHead = 0;
  private qTail = 0;

  /**
   * @param output called once per transmitted byte (under the UART's lock: calls are in order)
   * @param irq the interrupt line (PLIC source 10 on the virt board)
   * @param store where the registers live (another thread's view of them: `attach`)
   */
  constructor(
    private readonly output: (byte: number) => void,
    private readonly irq: IrqLine = NO_IRQ,
    store: DeviceStore = privateStore(uartStateBytes()),
  ) {
    this.r = new Int32Array(store.buffer, store.offset, R_WORDS);
    this.ring = new Uint8Array(store.buffer, store.offset + R_WORDS * 4, UART_HOST_RING);
    if (!store.attach) {
      const r = this.r;
      r.fill(0);
      r[R_DIV] = 0x0c; // 9600 baud at 1.8432 MHz, QEMU's reset value
      r[R_MCR] = MCR_OUT2;
      r[R_LSR] = LSR_TEMT | LSR_THRE;
      r[R_MSR] = MSR_DCD | MSR_DSR | MSR_CTS;
    }
  }

  /** Queues bytes typed or pasted on the host; they reach the guest as the FIFO drains. */
  receive(bytes: Uint8Array | readonly number[]): void {
    const n = bytes.length;
    if (n === 0) return;
    if (this.qTail + n > this.queue.length) {
      const live = this.qTail - this.qHead;
      const size = Math.max(this.queue.length, (live + n) * 2);
      const next = new Uint8Array(size);
      next.set(this.queue.subarray(this.qHead, this.qTail));
      this.queue = next;
      this.qHead = 0;
      this.qTail = live;
    }
    for (let i = 0; i < n; i++) this.queue[this.qTail++] = bytes[i];
    this.pumpInput();
  }

  /** Moves host bytes waiting in this object's queue into the shared ring and the FIFO, as room allows. */
  pumpInput(): void {
    if (this.qHead === this.qTail) return;
    lock(this.r, R_LOCK);
    this.topUp();
    this.fill();
    unlock(this.r, R_LOCK);
  }

  /**
   * A break condition on the line (the host's "send break"): as the 16550 does, a zero character
   * enters the RX FIFO with LSR.BI set, which raises the receiver-line-status interrupt when IER
   * enables it (else the data-ready one). Simplification: BI shows at once instead of when the zero
   * reaches the top of the FIFO; a break sent by hand finds the FIFO drained. In loopback the line is
   * cut, and a full FIFO overruns.
   */
  receiveBreak(): void {
    const r = this.r;
    lock(r, R_LOCK);
    if ((r[R_MCR] & MCR_LOOP) === 0) {
      if (r[R_RXCOUNT] >= this.fifoCapacity()) {
        r[R_LSR] |= LSR_OE;
      } else {
        r[R_RX + ((r[R_RXHEAD] + r[R_RXCOUNT]) & (FIFO_SIZE - 1))] = 0;
        r[R_RXCOUNT]++;
        r[R_LSR] |= LSR_DR | LSR_BI;
      }
      this.updateIrq();
    }
    unlock(r, R_LOCK);
  }

  /** Bytes still waiting on the host side (not yet in the FIFO). */
  get queuedInput(): number {
    return Atomics.load(this.r, R_QTAIL) - Atomics.load(this.r, R_QHEAD) + this.qTail - this.qHead;
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    lock(this.r, R_LOCK);
    const v = this.readLocked(offset);
    unlock(this.r, R_LOCK);
    return v;
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    lock(this.r, R_LOCK);
    this.writeLocked(offset, value & 0xff);
    unlock(this.r, R_LOCK);
  }

  /** Whether the interrupt line is currently raised. */
  get interruptPending(): boolean {
    return Atomics.load(this.r, R_IRQ) !== 0;
  }

  /** True when a write to offset 0 sends a byte (DLAB clear, not in loopback): THR. */
  get thrSelected(): boolean {
    return (Atomics.load(this.r, R_LCR) & LCR_DLAB) === 0 && (Atomics.load(this.r, R_MCR) & MCR_LOOP) === 0;
  }

  private readLocked(offset: number): number {
    const r = this.r;
    switch (offset) {
      case RBR_THR_DLL: {
        if (r[R_LCR] & LCR_DLAB) return r[R_DIV] & 0xff;
        if (r[R_RXCOUNT] === 0) return 0;
        const byte = r[R_RX + r[R_RXHEAD]];
        r[R_RXHEAD] = (r[R_RXHEAD] + 1) & (FIFO_SIZE - 1);
        r[R_RXCOUNT]--;
        if (r[R_RXCOUNT] === 0) r[R_LSR] &= ~(LSR_DR | LSR_BI);
        this.fill();
        this.updateIrq();
        return byte;
      }
      case IER_DLM:
        return r[R_LCR] & LCR_DLAB ? (r[R_DIV] >> 8) & 0xff : r[R_IER];
      case IIR_FCR: {
        const iir = this.iir();
        // Reading IIR while THRE is the reported source clears it (16550 datasheet, table 4).
        if ((iir & 0x0f) === IIR_THRI) {
          r[R_THRI] = 0;
          this.updateIrq();
        }
        return iir;
      }
      case LCR:
        return r[R_LCR];
      case MCR:
        return r[R_MCR];
      case LSR: {
        const lsr = r[R_LSR];
        // Overrun and break clear on read.
        if (lsr & (LSR_OE | LSR_BI)) {
          r[R_LSR] &= ~(LSR_OE | LSR_BI);
          this.updateIrq();
        }
        return lsr;
      }
      case MSR: {
        if (r[R_MCR] & MCR_LOOP) {
          // Loopback: outputs feed the modem inputs (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD).
          const m = r[R_MCR];
          return (
            (m & MCR_RTS ? MSR_CTS : 0) |
            (m & MCR_DTR ? MSR_DSR : 0) |
            (m & MCR_OUT1 ? MSR_RI : 0) |
            (m & MCR_OUT2 ? MSR_DCD : 0) |
            (r[R_MSR] & MSR_DELTA)
          );
        }
        const msr = r[R_MSR];
        if (msr & MSR_DELTA) {
          r[R_MSR] &= ~MSR_DELTA;
          this.updateIrq();
        }
        return msr;
      }
      case SCR:
        return r[R_SCR];
      default:
        return 0;
    }
  }

  private writeLocked(offset: number, value: number): void {
    const r = this.r;
    switch (offset) {
      case RBR_THR_DLL:
        if (r[R_LCR] & LCR_DLAB) {
          r[R_DIV] = (r[R_DIV] & 0xff00) | value;
          return;
        }
        if (r[R_MCR] & MCR_LOOP) {
          this.pushRx(value);
        } else {
          this.output(value);
        }
        // The byte left at once: THR is empty again and THRE interrupts are re-armed.
        r[R_THRI] = 1;
        if (r[R_IER] & IER_THRI || r[R_IRQ]) this.updateIrq();
        return;
      case IER_DLM:
        if (r[R_LCR] & LCR_DLAB) {
          r[R_DIV] = (r[R_DIV] & 0x00ff) | (value << 8);
          return;
        }
        {
          const changed = (r[R_IER] ^ value) & 0x0f;
          r[R_IER] = value & 0x0f;
          if (changed & IER_THRI && r[R_IER] & IER_THRI && r[R_LSR] & LSR_THRE) r[R_THRI] = 1;
          this.updateIrq();
        }
        return;
      case IIR_FCR: {
        const prevFe = r[R_FCR] & FCR_FE;
        if ((value ^ r[R_FCR]) & FCR_FE || value & FCR_RFR) {
          // Changing FIFO mode or resetting the receiver flushes the RX FIFO.
          r[R_RXHEAD] = 0;
          r[R_RXCOUNT] = 0;
          r[R_LSR] &= ~(LSR_DR | LSR_BI);
        }
        if (value & FCR_XFR) r[R_LSR] |= LSR_THRE | LSR_TEMT;
        r[R_FCR] = value & 0xc9;
        if (prevFe !== (r[R_FCR] & FCR_FE)) this.fill();
        this.updateIrq();
        return;
      }
      case LCR:
        Atomics.store(r, R_LCR, value);
        return;
      case MCR: {
        const old = r[R_MCR];
        Atomics.store(r, R_MCR, value & 0x1f);
        if ((old ^ r[R_MCR]) & MCR_LOOP) this.fill();
        if (r[R_MCR] & MCR_LOOP) {
          // Loopback deltas follow the looped outputs.
          const delta =
            ((old ^ value) & MCR_RTS ? MSR_DCTS : 0) |
            ((old ^ value) & MCR_DTR ? MSR_DDSR : 0) |
            (old & MCR_OUT1 && !(value & MCR_OUT1) ? MSR_TERI : 0) |
            ((old ^ value) & MCR_OUT2 ? MSR_DDCD : 0);
          r[R_MSR] |= delta;
        }
        this.updateIrq();
        return;
      }
      case LSR:
      case MSR:
        return; // read-only (factory test registers)
      case SCR:
        r[R_SCR] = value;
        return;
      default:
        return;
    }
  }

  private fifoCapacity(): number {
    return this.r[R_FCR] & FCR_FE ? FIFO_SIZE : 1;
  }

  /** Moves this object's queued host bytes into the shared ring while it has room. */
  private topUp(): void {
    const r = this.r;
    let tail = r[R_QTAIL];
    const head = r[R_QHEAD];
    while (this.qHead < this.qTail && ((tail - head) | 0) < UART_HOST_RING) {
      this.ring[tail & (UART_HOST_RING - 1)] = this.queue[this.qHead++];
      tail = (tail + 1) | 0; // Int32 counters wrap at 2^31
    }
    Atomics.store(r, R_QTAIL, tail);
    if (this.qHead === this.qTail) {
      this.qHead = 0;
      this.qTail = 0;
    }
  }

  /** Moves host bytes into the RX FIFO while there is room (never in loopback: the line is cut). */
  private fill(): void {
    const r = this.r;
    if (r[R_MCR] & MCR_LOOP) return;
    const cap = this.fifoCapacity();
    let head = r[R_QHEAD];
    const tail = r[R_QTAIL];
    if (head === tail && this.qHead < this.qTail) {
      this.topUp();
      return this.fill();
    }
    let moved = false;
    while (head !== tail && r[R_RXCOUNT] < cap) {
      r[R_RX + ((r[R_RXHEAD] + r[R_RXCOUNT]) & (FIFO_SIZE - 1))] = this.ring[head & (UART_HOST_RING - 1)];
      head = (head + 1) | 0;
      r[R_RXCOUNT]++;
      moved = true;
    }
    if (head === tail && head !== 0) {
      head = 0;
      Atomics.store(r, R_QTAIL, 0);
    }
    Atomics.store(r, R_QHEAD, head);
    if (moved) {
      r[R_LSR] |= LSR_DR;
      this.updateIrq();
    }
  }

  /** A byte arriving on the wire (loopback); overruns when the FIFO is full. */
  private pushRx(byte: number): void {
    const r = this.r;
    if (r[R_RXCOUNT] >= this.fifoCapacity()) {
      r[R_LSR] |= LSR_OE;
    } else {
      r[R_RX + ((r[R_RXHEAD] + r[R_RXCOUNT]) & (FIFO_SIZE - 1))] = byte;
      r[R_RXCOUNT]++;
      r[R_LSR] |= LSR_DR;
    }
    this.updateIrq();
  }

  private iir(): number {
    const fifo = this.r[R_FCR] & FCR_FE ? IIR_FIFO_ENABLED : 0;
    return this.interruptId() | fifo;
  }

  private interruptId(): number {
    const r = this.r;
    if (r[R_IER] & IER_RLSI && r[R_LSR] & LSR_INT_ANY) return IIR_RLSI;
    if (r[R_IER] & IER_RDI && r[R_RXCOUNT] > 0) {
      // Below the trigger level the 16550 reports a character timeout instead; we report it at once
      // (no 4-character delay), which drivers treat the same way.
      if (r[R_FCR] & FCR_FE && r[R_RXCOUNT] < TRIGGER_LEVELS[r[R_FCR] >> 6]) return IIR_CTI;
      return IIR_RDI;
    }
    if (r[R_IER] & IER_THRI && r[R_THRI]) return IIR_THRI;
    if (r[R_IER] & IER_MSI && r[R_MSR] & MSR_DELTA) return IIR_MSI;
    return IIR_NO_INT;
  }

  private updateIrq(): void {
    const level = this.interruptId() !== IIR_NO_INT ? 1 : 0;
    if (level !== this.r[R_IRQ]) {
      Atomics.store(this.r, R_IRQ, level);
      this.irq.set(level === 1);
    }
  }

  save(): Uart16550State {
    const r = this.r;
    lock(r, R_LOCK);
    const rxFifo: number[] = [];
    for (let i = 0; i < r[R_RXCOUNT]; i++) rxFifo.push(r[R_RX + ((r[R_RXHEAD] + i) & (FIFO_SIZE - 1))]);
    const hostQueue: number[] = [];
    for (let q = r[R_QHEAD]; q !== r[R_QTAIL]; q = (q + 1) | 0) hostQueue.push(this.ring[q & (UART_HOST_RING - 1)]);
    for (let q = this.qHead; q < this.qTail; q++) hostQueue.push(this.queue[q]);
    const state: Uart16550State = {
      kind: 'uart16550',
      version: 1,
      divider: r[R_DIV],
      ier: r[R_IER],
      fcr: r[R_FCR],
      lcr: r[R_LCR],
      mcr: r[R_MCR],
      lsr: r[R_LSR],
      msr: r[R_MSR],
      scr: r[R_SCR],
      thrIPending: r[R_THRI] !== 0,
      rxFifo,
      hostQueue,
    };
    unlock(r, R_LOCK);
    return state;
  }

  restore(state: Uart16550State): void {
    if (state.kind !== 'uart16550' || state.version !== 1) throw new Error(`UART: cannot restore state ${state.kind} v${state.version}`);
    const r = this.r;
    lock(r, R_LOCK);
    r[R_DIV] = state.divider;
    r[R_IER] = state.ier;
    r[R_FCR] = state.fcr;
    r[R_LCR] = state.lcr;
    r[R_MCR] = state.mcr;
    r[R_LSR] = state.lsr;
    r[R_MSR] = state.msr;
    r[R_SCR] = state.scr;
    r[R_THRI] = state.thrIPending ? 1 : 0;
    r[R_RXHEAD] = 0;
    r[R_RXCOUNT] = Math.min(state.rxFifo.length, FIFO_SIZE);
    for (let i = 0; i < r[R_RXCOUNT]; i++) r[R_RX + i] = state.rxFifo[i] & 0xff;
    r[R_QHEAD] = 0;
    r[R_QTAIL] = 0;
    this.queue = new Uint8Array(Math.max(256, state.hostQueue.length * 2));
    this.queue.set(state.hostQueue);
    this.qHead = 0;
    this.qTail = state.hostQueue.length;
    this.topUp();
    const level = this.interruptId() !== IIR_NO_INT;
    r[R_IRQ] = level ? 1 : 0;
    this.irq.set(level);
    unlock(r, R_LOCK);
  }
}
