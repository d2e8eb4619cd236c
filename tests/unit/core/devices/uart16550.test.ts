import { describe, expect, it } from 'vitest';
import { Uart16550 } from '../../../../core/devices/uart16550.js';
import type { IrqLine } from '../../../../core/memory/mmio.js';

class Wire implements IrqLine {
  level = false;
  set(level: boolean): void {
    this.level = level;
  }
}

// Register offsets and bits from the PC16550D datasheet.
const RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

function setup() {
  const out: number[] = [];
  const irq = new Wire();
  const uart = new Uart16550((b) => out.push(b), irq);
  return { uart, out, irq };
}

describe('UART 16550A', () => {
  it('resets with THR empty, no interrupt pending and FIFOs off', () => {
    const { uart } = setup();
    expect(uart.read(LSR, 1)).toBe(0x60);
    expect(uart.read(IIR, 1)).toBe(0x01);
    expect(uart.read(IER, 1)).toBe(0);
  });

  it('sends each byte written to THR to the host output', () => {
    const { uart, out } = setup();
    for (const c of 'hi\n') uart.write(THR, 1, c.charCodeAt(0));
    expect(String.fromCharCode(...out)).toBe('hi\n');
  });

  it('DLAB switches offsets 0 and 1 to the divisor latch', () => {
    const { uart } = setup();
    uart.write(LCR, 1, 0x83);
    uart.write(DLL, 1, 0x01);
    uart.write(DLM, 1, 0x02);
    expect(uart.read(DLL, 1)).toBe(0x01);
    expect(uart.read(DLM, 1)).toBe(0x02);
    uart.write(LCR, 1, 0x03);
    expect(uart.read(IER, 1)).toBe(0);
    expect(uart.read(LCR, 1)).toBe(0x03);
  });

  it('received bytes set DR and raise the RX interrupt; with FIFOs on IIR reports FIFO mode', () => {
    const { uart, irq } = setup();
    uart.write(FCR, 1, 0x01 | 0x06); // enable + clear, trigger level 1
    uart.write(IER, 1, 0x01);
    expect(irq.level).toBe(false);
    uart.receive(new TextEncoder().encode('ab'));
    expect(uart.read(LSR, 1) & 0x01).toBe(1);
    expect(irq.level).toBe(true);
    expect(uart.read(IIR, 1)).toBe(0xc4);
    expect(uart.read(RBR, 1)).toBe(0x61);
    expect(uart.read(RBR, 1)).toBe(0x62);
    expect(uart.read(LSR, 1) & 0x01).toBe(0);
    expect(irq.level).toBe(false);
    expect(uart.read(IIR, 1)).toBe(0xc1);
  });

  it('below the FIFO trigger level pending data is reported as a character timeout', () => {
    const { uart } = setup();
    uart.write(FCR, 1, 0x81); // trigger level 8
    uart.write(IER, 1, 0x01);
    uart.receive([1, 2, 3]);
    expect(uart.read(IIR, 1)).toBe(0xcc);
    uart.receive([4, 5, 6, 7, 8]);
    expect(uart.read(IIR, 1)).toBe(0xc4);
  });

  it('a 200-byte paste arrives intact through the 16-byte FIFO', () => {
    const { uart } = setup();
    uart.write(FCR, 1, 0x07);
    const text = Array.from({ length: 200 }, (_, i) => 33 + (i % 90));
    uart.receive(text);
    expect(uart.queuedInput).toBe(200 - 16);
    const got: number[] = [];
    while (uart.read(LSR, 1) & 1) got.push(uart.read(RBR, 1));
    expect(got).toEqual(text);
    expect(uart.read(LSR, 1) & 0x02).toBe(0); // no overrun
  });

  it('THRE interrupt fires when enabled and after each transmitted byte, and reading IIR clears it', () => {
    const { uart, irq } = setup();
    uart.write(IER, 1, 0x02);
    expect(irq.level).toBe(true);
    expect(uart.read(IIR, 1)).toBe(0x02);
    expect(irq.level).toBe(false);
    expect(uart.read(IIR, 1)).toBe(0x01);
    uart.write(THR, 1, 0x41);
    expect(irq.level).toBe(true);
  });

  it('in loopback mode transmitted bytes come back and modem outputs appear in MSR', () => {
    const { uart, out } = setup();
    uart.write(MCR, 1, 0x10 | 0x01 | 0x02);
    uart.write(THR, 1, 0x5a);
    expect(out).toEqual([]);
    expect(uart.read(LSR, 1) & 1).toBe(1);
    expect(uart.read(RBR, 1)).toBe(0x5a);
    expect(uart.read(MSR, 1) & 0xf0).toBe(0x30); // CTS (RTS) and DSR (DTR)
    uart.receive([0x11]); // host input does not reach the receiver in loopback
    expect(uart.read(LSR, 1) & 1).toBe(0);
    uart.write(MCR, 1, 0x08);
    expect(uart.read(RBR, 1)).toBe(0x11);
  });

  it('loopback overrun sets OE, raises a line-status interrupt, and reading LSR clears it', () => {
    const { uart, irq } = setup();
    uart.write(IER, 1, 0x04);
    uart.write(MCR, 1, 0x10);
    uart.write(THR, 1, 1);
    uart.write(THR, 1, 2); // FIFOs off: the one-byte holding register is full
    expect(irq.level).toBe(true);
    expect(uart.read(IIR, 1)).toBe(0x06);
    expect(uart.read(LSR, 1) & 0x02).toBe(0x02);
    expect(uart.read(LSR, 1) & 0x02).toBe(0);
    expect(irq.level).toBe(false);
  });

  it('the scratch register keeps what is written', () => {
    const { uart } = setup();
    uart.write(SCR, 1, 0xa5);
    expect(uart.read(SCR, 1)).toBe(0xa5);
  });

  it('save/restore round-trips registers, FIFO contents and queued host input', () => {
    const a = setup();
    a.uart.write(FCR, 1, 0x41);
    a.uart.write(IER, 1, 0x03);
    a.uart.write(LCR, 1, 0x80);
    a.uart.write(DLL, 1, 0x34);
    a.uart.write(LCR, 1, 0x03);
    a.uart.write(SCR, 1, 9);
    a.uart.receive(Array.from({ length: 20 }, (_, i) => i + 1));
    a.uart.read(RBR, 1);
    const state = JSON.parse(JSON.stringify(a.uart.save()));
    const b = setup();
    b.uart.restore(state);
    expect(b.uart.save()).toEqual(a.uart.save());
    expect(b.irq.level).toBe(a.irq.level);
    const got: number[] = [];
    while (b.uart.read(LSR, 1) & 1) got.push(b.uart.read(RBR, 1));
    expect(got).toEqual(Array.from({ length: 19 }, (_, i) => i + 2));
  });
});
