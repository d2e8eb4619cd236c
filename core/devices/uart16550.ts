/**
 * National Semiconductor 16550A UART (ns16550a, register shift 0), modelled on QEMU's serial.c.
 *
 * Transmission is instantaneous: a byte written to THR goes straight to the host output callback
 * (one function call per byte), so THRE/TEMT are set again at once. Received bytes come from the
 * host through `receive()`; they wait in a host-side queue and enter the 16-byte RX FIFO as room
 * appears, so a long paste arrives intact instead of overrunning (QEMU's can_receive does the same).
 */
import type { IrqLine, MmioDevice } from '../memory/mmio.js';
import { NO_IRQ } from '../memory/mmio.js';

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

export class Uart16550 implements MmioDevice {
  private divider = 0x0c; // 9600 baud at 1.8432 MHz, QEMU's reset value
  private ier = 0;
  private fcr = 0;
  private lcr = 0;
  private mcr = MCR_OUT2;
  private lsr = LSR_TEMT | LSR_THRE;
  private msr = MSR_DCD | MSR_DSR | MSR_CTS;
  private scr = 0;
  private thrIPending = false;
  private irqLevel = false;
  /** RX FIFO ring (also the one-byte holding register when FIFOs are off). */
  private readonly rx = new Uint8Array(FIFO_SIZE);
  private rxHead = 0;
  private rxCount = 0;
  /** Host bytes waiting for FIFO room. */
  private queue: Uint8Array = new Uint8Array(256);
  private qHead = 0;
  private qTail = 0;

  /**
   * @param output called once per transmitted byte
   * @param irq the interrupt line (PLIC source 10 on the virt board)
   */
  constructor(
    private readonly output: (byte: number) => void,
    private readonly irq: IrqLine = NO_IRQ,
  ) {}

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
    this.fill();
  }

  /** Bytes still waiting on the host side (not yet in the FIFO). */
  get queuedInput(): number {
    return this.qTail - this.qHead;
  }

  read(offset: number, _size: 1 | 2 | 4): number {
    switch (offset) {
      case RBR_THR_DLL: {
        if (this.lcr & LCR_DLAB) return this.divider & 0xff;
        if (this.rxCount === 0) return 0;
        const byte = this.rx[this.rxHead];
        this.rxHead = (this.rxHead + 1) & (FIFO_SIZE - 1);
        this.rxCount--;
        if (this.rxCount === 0) this.lsr &= ~(LSR_DR | LSR_BI);
        this.fill();
        this.updateIrq();
        return byte;
      }
      case IER_DLM:
        return this.lcr & LCR_DLAB ? (this.divider >> 8) & 0xff : this.ier;
      case IIR_FCR: {
        const iir = this.iir();
        // Reading IIR while THRE is the reported source clears it (16550 datasheet, table 4).
        if ((iir & 0x0f) === IIR_THRI) {
          this.thrIPending = false;
          this.updateIrq();
        }
        return iir;
      }
      case LCR:
        return this.lcr;
      case MCR:
        return this.mcr;
      case LSR: {
        const lsr = this.lsr;
        // Overrun and break clear on read.
        if (this.lsr & (LSR_OE | LSR_BI)) {
          this.lsr &= ~(LSR_OE | LSR_BI);
          this.updateIrq();
        }
        return lsr;
      }
      case MSR: {
        if (this.mcr & MCR_LOOP) {
          // Loopback: outputs feed the modem inputs (DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD).
          const m = this.mcr;
          return (
            (m & MCR_RTS ? MSR_CTS : 0) |
            (m & MCR_DTR ? MSR_DSR : 0) |
            (m & MCR_OUT1 ? MSR_RI : 0) |
            (m & MCR_OUT2 ? MSR_DCD : 0) |
            (this.msr & MSR_DELTA)
          );
        }
        const msr = this.msr;
        if (msr & MSR_DELTA) {
          this.msr &= ~MSR_DELTA;
          this.updateIrq();
        }
        return msr;
      }
      case SCR:
        return this.scr;
      default:
        return 0;
    }
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    value &= 0xff;
    switch (offset) {
      case RBR_THR_DLL:
        if (this.lcr & LCR_DLAB) {
          this.divider = (this.divider & 0xff00) | value;
          return;
        }
        if (this.mcr & MCR_LOOP) {
          this.pushRx(value);
        } else {
          this.output(value);
        }
        // The byte left at once: THR is empty again and THRE interrupts are re-armed.
        this.thrIPending = true;
        if (this.ier & IER_THRI || this.irqLevel) this.updateIrq();
        return;
      case IER_DLM:
        if (this.lcr & LCR_DLAB) {
          this.divider = (this.divider & 0x00ff) | (value << 8);
          return;
        }
        {
          const changed = (this.ier ^ value) & 0x0f;
          this.ier = value & 0x0f;
          if (changed & IER_THRI && this.ier & IER_THRI && this.lsr & LSR_THRE) this.thrIPending = true;
          this.updateIrq();
        }
        return;
      case IIR_FCR: {
        const prevFe = this.fcr & FCR_FE;
        if ((value ^ this.fcr) & FCR_FE || value & FCR_RFR) {
          // Changing FIFO mode or resetting the receiver flushes the RX FIFO.
          this.rxHead = 0;
          this.rxCount = 0;
          this.lsr &= ~(LSR_DR | LSR_BI);
        }
        if (value & FCR_XFR) this.lsr |= LSR_THRE | LSR_TEMT;
        this.fcr = value & 0xc9;
        if (prevFe !== (this.fcr & FCR_FE)) this.fill();
        this.updateIrq();
        return;
      }
      case LCR:
        this.lcr = value;
        return;
      case MCR: {
        const old = this.mcr;
        this.mcr = value & 0x1f;
        if ((old ^ this.mcr) & MCR_LOOP) this.fill();
        if (this.mcr & MCR_LOOP) {
          // Loopback deltas follow the looped outputs.
          const delta =
            ((old ^ value) & MCR_RTS ? MSR_DCTS : 0) |
            ((old ^ value) & MCR_DTR ? MSR_DDSR : 0) |
            (old & MCR_OUT1 && !(value & MCR_OUT1) ? MSR_TERI : 0) |
            ((old ^ value) & MCR_OUT2 ? MSR_DDCD : 0);
          this.msr |= delta;
        }
        this.updateIrq();
        return;
      }
      case LSR:
      case MSR:
        return; // read-only (factory test registers)
      case SCR:
        this.scr = value;
        return;
      default:
        return;
    }
  }

  /** Whether the interrupt line is currently raised. */
  get interruptPending(): boolean {
    return this.irqLevel;
  }

  private fifoCapacity(): number {
    return this.fcr & FCR_FE ? FIFO_SIZE : 1;
  }

  /** Moves host bytes into the RX FIFO while there is room (never in loopback: the line is cut). */
  private fill(): void {
    if (this.mcr & MCR_LOOP) return;
    const cap = this.fifoCapacity();
    let moved = false;
    while (this.qHead < this.qTail && this.rxCount < cap) {
      this.rx[(this.rxHead + this.rxCount) & (FIFO_SIZE - 1)] = this.queue[this.qHead++];
      this.rxCount++;
      moved = true;
    }
    if (this.qHead === this.qTail) {
      this.qHead = 0;
      this.qTail = 0;
    }
    if (moved) {
      this.lsr |= LSR_DR;
      this.updateIrq();
    }
  }

  /** A byte arriving on the wire (loopback); overruns when the FIFO is full. */
  private pushRx(byte: number): void {
    if (this.rxCount >= this.fifoCapacity()) {
      this.lsr |= LSR_OE;
    } else {
      this.rx[(this.rxHead + this.rxCount) & (FIFO_SIZE - 1)] = byte;
      this.rxCount++;
      this.lsr |= LSR_DR;
    }
    this.updateIrq();
  }

  private iir(): number {
    const fifo = this.fcr & FCR_FE ? IIR_FIFO_ENABLED : 0;
    return this.interruptId() | fifo;
  }

  private interruptId(): number {
    if (this.ier & IER_RLSI && this.lsr & LSR_INT_ANY) return IIR_RLSI;
    if (this.ier & IER_RDI && this.rxCount > 0) {
      // Below the trigger level the 16550 reports a character timeout instead; we report it at once
      // (no 4-character delay), which drivers treat the same way.
      if (this.fcr & FCR_FE && this.rxCount < TRIGGER_LEVELS[this.fcr >> 6]) return IIR_CTI;
      return IIR_RDI;
    }
    if (this.ier & IER_THRI && this.thrIPending) return IIR_THRI;
    if (this.ier & IER_MSI && this.msr & MSR_DELTA) return IIR_MSI;
    return IIR_NO_INT;
  }

  private updateIrq(): void {
    const level = this.interruptId() !== IIR_NO_INT;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq.set(level);
    }
  }

  save(): Uart16550State {
    const rxFifo: number[] = [];
    for (let i = 0; i < this.rxCount; i++) rxFifo.push(this.rx[(this.rxHead + i) & (FIFO_SIZE - 1)]);
    return {
      kind: 'uart16550',
      version: 1,
      divider: this.divider,
      ier: this.ier,
      fcr: this.fcr,
      lcr: this.lcr,
      mcr: this.mcr,
      lsr: this.lsr,
      msr: this.msr,
      scr: this.scr,
      thrIPending: this.thrIPending,
      rxFifo,
      hostQueue: Array.from(this.queue.subarray(this.qHead, this.qTail)),
    };
  }

  restore(state: Uart16550State): void {
    if (state.kind !== 'uart16550' || state.version !== 1) throw new Error(`UART: cannot restore state ${state.kind} v${state.version}`);
    this.divider = state.divider;
    this.ier = state.ier;
    this.fcr = state.fcr;
    this.lcr = state.lcr;
    this.mcr = state.mcr;
    this.lsr = state.lsr;
    this.msr = state.msr;
    this.scr = state.scr;
    this.thrIPending = state.thrIPending;
    this.rxHead = 0;
    this.rxCount = Math.min(state.rxFifo.length, FIFO_SIZE);
    this.rx.set(state.rxFifo.slice(0, FIFO_SIZE));
    this.queue = new Uint8Array(Math.max(256, state.hostQueue.length * 2));
    this.queue.set(state.hostQueue);
    this.qHead = 0;
    this.qTail = state.hostQueue.length;
    this.irqLevel = this.interruptId() !== IIR_NO_INT;
    this.irq.set(this.irqLevel);
  }
}
