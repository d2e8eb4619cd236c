import { describe, expect, it } from 'vitest';
import { Uart16550 } from '../../../../core/devices/uart16550.js';
import type { IrqLine } from '../../../../core/memory/mmio.js';

// Register offsets and bits from the PC16550D datasheet.
const RBR = 0, IER = 1, IIR = 2, FCR = 2, MCR = 4, LSR = 5;
const LSR_DR = 0x01, LSR_OE = 0x02, LSR_BI = 0x10;

function setup() {
  let level = false;
  const irq: IrqLine = { set: (l) => (level = l) };
  const uart = new Uart16550(() => {}, irq);
  return { uart, irq: () => level };
}

describe('UART 16550A break condition', () => {
  it('a break puts a zero in the RX FIFO with LSR.BI and raises the receiver-line-status interrupt', () => {
    const { uart, irq } = setup();
    uart.write(FCR, 1, 0x07);
    uart.write(IER, 1, 0x05); // RDI + RLSI, as Linux's 8250 driver enables them
    uart.receiveBreak();
    expect(irq()).toBe(true);
    expect(uart.read(IIR, 1)).toBe(0xc6); // FIFOs on, receiver line status (highest priority)
    const lsr = uart.read(LSR, 1);
    expect(lsr & (LSR_BI | LSR_DR)).toBe(LSR_BI | LSR_DR);
    // BI clears when LSR is read; the zero byte is still there to read.
    expect(uart.read(LSR, 1) & LSR_BI).toBe(0);
    expect(uart.read(IIR, 1)).toBe(0xc4); // now data ready for the waiting zero (trigger level 1)
    expect(uart.read(RBR, 1)).toBe(0);
    expect(uart.read(LSR, 1) & LSR_DR).toBe(0);
    expect(irq()).toBe(false);
  });

  it('without RLSI enabled the zero still raises the data-ready interrupt', () => {
    const { uart, irq } = setup();
    uart.write(IER, 1, 0x01);
    uart.receiveBreak();
    expect(irq()).toBe(true);
    expect(uart.read(IIR, 1) & 0x0f).toBe(0x04);
    expect(uart.read(RBR, 1)).toBe(0);
  });

  it('a break into a full FIFO is an overrun; in loopback the line is cut and nothing arrives', () => {
    const { uart } = setup();
    uart.receive([0x41]); // FIFOs off: the holding register is full
    uart.receiveBreak();
    expect(uart.read(LSR, 1) & (LSR_OE | LSR_BI)).toBe(LSR_OE);
    expect(uart.read(RBR, 1)).toBe(0x41);

    const loop = setup().uart;
    loop.write(MCR, 1, 0x10);
    loop.receiveBreak();
    expect(loop.read(LSR, 1) & (LSR_DR | LSR_BI)).toBe(0);
  });
});
