/**
 * The fast-path devices (CLINT, PLIC, UART) as the threaded scheduler uses them: the board's own
 * objects (the device thread's) and a second set attached to the same shared registers (a hart
 * thread's, attachFastPathDevices). Both drive the same hart interrupt words, as the real threads
 * do; what one side does, the other must see.
 */
import { describe, expect, it } from 'vitest';
import { CLINT_MSIP, CLINT_MTIME, CLINT_MTIMECMP } from '../../../../core/devices/clint.js';
import { PLIC_CONTEXT, PLIC_CONTEXT_STRIDE, PLIC_ENABLE, PLIC_ENABLE_STRIDE } from '../../../../core/devices/plic.js';
import { MIP_MEIP, MIP_MSIP, MIP_MTIP, MIP_SEIP, UART0_IRQ, VIRT_PLIC_NDEV } from '../../../../core/machine/memmap.js';
import { attachFastPathDevices, VirtPlatform, type HartIrqInputs } from '../../../../core/machine/virt-devices.js';
import type { IrqLine } from '../../../../core/memory/mmio.js';

const RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LSR = 5, SCR = 7;
const LSR_DR = 0x01;

/** One shared interrupt word per hart (the S_MIP_HW word of its state block). */
function mipWords(harts: number) {
  const words = new Int32Array(new SharedArrayBuffer(4 * harts));
  const line = (h: number, bit: number): IrqLine => ({
    set: (level) => (level ? Atomics.or(words, h, 1 << bit) : Atomics.and(words, h, ~(1 << bit))),
  });
  const irqs: HartIrqInputs[] = Array.from({ length: harts }, (_, h) => ({
    msip: line(h, MIP_MSIP),
    mtip: line(h, MIP_MTIP),
    meip: line(h, MIP_MEIP),
    seip: line(h, MIP_SEIP),
  }));
  return { words, irqs, has: (h: number, bit: number) => (Atomics.load(words, h) & (1 << bit)) !== 0 };
}

function setup(harts = 2) {
  let now = 1000;
  const clock = { now: () => now };
  const mip = mipWords(harts);
  const deviceOut: number[] = [];
  const hartOut: number[] = [];
  const board = new VirtPlatform({
    harts,
    ramBase: 0x8000_0000,
    ramSize: 0x1000_0000,
    isa: 'rv64imafdc',
    mmuType: 'riscv,sv48',
    clock,
    wallClock: () => 0n,
    hartIrqs: mip.irqs,
    serialOut: (b) => deviceOut.push(b),
    power: () => {},
  });
  const view = attachFastPathDevices({ harts, clock, hartIrqs: mip.irqs, serialOut: (b) => hartOut.push(b), state: board.fastPathState });
  return { board, view, mip, deviceOut, hartOut, advance: (t: number) => (now += t) };
}

describe('fast-path devices shared between threads', () => {
  it('an msip write through one view raises that hart\'s MSIP and reads back through the other', () => {
    const { board, view, mip } = setup();
    view.clint.write(CLINT_MSIP + 4, 4, 1);
    expect(mip.has(1, MIP_MSIP)).toBe(true);
    expect(mip.has(0, MIP_MSIP)).toBe(false);
    expect(board.clint.read(CLINT_MSIP + 4, 4)).toBe(1);
    board.clint.write(CLINT_MSIP + 4, 4, 0);
    expect(mip.has(1, MIP_MSIP)).toBe(false);
    expect(view.clint.read(CLINT_MSIP + 4, 4)).toBe(0);
  });

  it('mtimecmp and mtime written through a hart\'s view drive MTIP and every view\'s mtime', () => {
    const { board, view, mip, advance } = setup();
    view.clint.write64(CLINT_MTIMECMP + 8, 1500n);
    expect(board.clint.read64(CLINT_MTIMECMP + 8)).toBe(1500n);
    expect(view.clint.hartDeadline(1)).toBe(1500);
    expect(board.clint.nextDeadline()).toBe(1500);
    advance(500);
    view.clint.updateHart(0);
    expect(mip.has(1, MIP_MTIP)).toBe(false); // hart 0's check leaves hart 1 alone
    view.clint.updateHart(1);
    expect(mip.has(1, MIP_MTIP)).toBe(true);
    expect(view.clint.hartDeadline(1)).toBe(Infinity);
    // The guest sets mtime: rdtime on every thread follows, and MTIP is re-evaluated at once.
    view.clint.write64(CLINT_MTIME, 100n);
    expect(board.clint.mtime()).toBe(100);
    expect(board.clint.timeSource.now()).toBe(100);
    expect(view.clint.read64(CLINT_MTIME)).toBe(100n);
    expect(mip.has(1, MIP_MTIP)).toBe(false);
    // Deadlines: the view speaks mtime, nextDeadline the clock's time (mtime minus the offset).
    expect(view.clint.hartDeadline(1)).toBe(1500);
    expect(board.clint.nextDeadline()).toBe(1500 - (100 - 1500));
    advance(1400);
    board.clint.update();
    expect(mip.has(1, MIP_MTIP)).toBe(true);
  });

  it('a source raised on the device thread is claimed and completed from a hart thread, once', () => {
    const { board, view, mip } = setup();
    // Hart 1's S context (3): enable source 5, priority 1.
    view.plic.write(5 * 4, 4, 1);
    view.plic.write(PLIC_ENABLE + 3 * PLIC_ENABLE_STRIDE, 4, 1 << 5);
    board.plic.source(5).set(true);
    expect(mip.has(1, MIP_SEIP)).toBe(true);
    expect(view.plic.read(PLIC_CONTEXT + 3 * PLIC_CONTEXT_STRIDE + 4, 4)).toBe(5);
    expect(mip.has(1, MIP_SEIP)).toBe(false);
    // The other side's claim finds nothing: the source is in service.
    expect(board.plic.read(PLIC_CONTEXT + 3 * PLIC_CONTEXT_STRIDE + 4, 4)).toBe(0);
    board.plic.source(5).set(false);
    view.plic.write(PLIC_CONTEXT + 3 * PLIC_CONTEXT_STRIDE + 4, 4, 5);
    expect(board.plic.save().claimed.every((w) => w === 0)).toBe(true);
    expect(mip.has(1, MIP_SEIP)).toBe(false);
    // Still high at completion: pending again, SEIP again.
    board.plic.source(5).set(true);
    expect(view.plic.claim(3)).toBe(5);
    view.plic.complete(3, 5);
    expect(mip.has(1, MIP_SEIP)).toBe(true);
    expect(board.plic.ndev).toBe(VIRT_PLIC_NDEV);
  });

  it('host input fed on the device thread is read from a hart thread, with the RX interrupt through the shared PLIC', () => {
    const { board, view, mip } = setup();
    view.plic.write(UART0_IRQ * 4, 4, 1);
    view.plic.write(PLIC_ENABLE, 4, 1 << UART0_IRQ); // hart 0 M context
    view.uart.write(FCR, 1, 0x07);
    view.uart.write(IER, 1, 0x01);
    board.uart.receive(new TextEncoder().encode('hi'));
    expect(mip.has(0, MIP_MEIP)).toBe(true);
    expect(view.uart.read(LSR, 1) & LSR_DR).toBe(LSR_DR);
    expect(view.uart.read(IIR, 1) & 0x0f).toBe(0x04); // received data (trigger level 1)
    expect(view.uart.read(RBR, 1)).toBe(0x68);
    expect(view.uart.read(RBR, 1)).toBe(0x69);
    expect(view.uart.read(LSR, 1) & LSR_DR).toBe(0);
    expect(mip.has(0, MIP_MEIP)).toBe(false);
    expect(board.uart.interruptPending).toBe(false);
  });

  it('bytes written to THR go to the writing side\'s output, and THRE interrupts reach the PLIC', () => {
    const { board, view, mip, deviceOut, hartOut } = setup();
    view.plic.write(UART0_IRQ * 4, 4, 1);
    view.plic.write(PLIC_ENABLE + 1 * PLIC_ENABLE_STRIDE, 4, 1 << UART0_IRQ); // hart 0 S context
    view.uart.write(IER, 1, 0x02);
    expect(mip.has(0, MIP_SEIP)).toBe(true); // THR empty
    expect(board.uart.read(IIR, 1) & 0x0f).toBe(0x02); // reading IIR clears THRE...
    expect(mip.has(0, MIP_SEIP)).toBe(false);
    for (const c of 'ok') view.uart.write(THR, 1, c.charCodeAt(0));
    expect(String.fromCharCode(...hartOut)).toBe('ok');
    expect(deviceOut).toEqual([]);
    expect(mip.has(0, MIP_SEIP)).toBe(true); // ...and a byte sent re-arms it
  });

  it('a long paste beyond the shared ring reaches the hart thread intact as the board pumps it', () => {
    const { board, view } = setup();
    view.uart.write(FCR, 1, 0x01);
    const text = new Uint8Array(10_000).map((_, i) => 32 + (i % 90));
    board.uart.receive(text);
    expect(board.uart.queuedInput).toBe(10_000 - 16);
    const got: number[] = [];
    for (let guard = 0; got.length < text.length && guard < 100_000; guard++) {
      if (view.uart.read(LSR, 1) & LSR_DR) got.push(view.uart.read(RBR, 1));
      else board.update(); // the device thread's poll moves the rest into the ring
    }
    expect(new Uint8Array(got)).toEqual(text);
  });

  it('state saved through one side restores through the other', () => {
    const a = setup();
    a.view.uart.write(SCR, 1, 0x5a);
    a.view.clint.write64(CLINT_MTIMECMP, 77n);
    a.view.plic.write(3 * 4, 4, 6);
    const saved = { clint: a.board.clint.save(), plic: a.board.plic.save(), uart: a.board.uart.save() };
    const b = setup();
    b.view.clint.restore(JSON.parse(JSON.stringify(saved.clint)));
    b.view.plic.restore(JSON.parse(JSON.stringify(saved.plic)));
    b.view.uart.restore(JSON.parse(JSON.stringify(saved.uart)));
    expect(b.board.clint.save()).toEqual(saved.clint);
    expect(b.board.plic.save()).toEqual(saved.plic);
    expect(b.board.uart.save()).toEqual(saved.uart);
    expect(b.board.uart.read(SCR, 1)).toBe(0x5a);
  });
});
