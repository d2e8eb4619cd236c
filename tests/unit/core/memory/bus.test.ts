import { describe, expect, it } from 'vitest';
import { PhysicalBus } from '../../../../core/memory/bus.js';
import type { MmioDevice } from '../../../../core/memory/mmio.js';
import { GuestMemory, RAM_BASE } from '../../../../core/memory/ram.js';

class Regs implements MmioDevice {
  readonly log: string[] = [];
  read(offset: number, size: 1 | 2 | 4): number {
    this.log.push(`r${size}@${offset}`);
    return 0x11223344 + offset;
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.log.push(`w${size}@${offset}=${value.toString(16)}`);
  }
}

class Regs64 extends Regs {
  read64(offset: number): bigint {
    this.log.push(`r8@${offset}`);
    return 0x8877665544332211n;
  }
  write64(offset: number, value: bigint): void {
    this.log.push(`w8@${offset}=${value.toString(16)}`);
  }
}

const mem = new GuestMemory({ ramBytes: 16 << 20 });

describe('GuestMemory', () => {
  it('lives in a shared WebAssembly.Memory with hart state after RAM', () => {
    expect(mem.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(mem.hartStateOffset(0)).toBeGreaterThanOrEqual(mem.ramBytes);
    expect(mem.hartStateOffset(0) % 8).toBe(0);
    expect(() => mem.hartStateOffset(1)).toThrow(/hart 1/);
  });

  it('refuses unsupported RAM sizes with a usable message', () => {
    expect(() => new GuestMemory({ ramBytes: 1 << 20 })).toThrow(/16 MiB to 2 GiB/);
  });
});

describe('PhysicalBus', () => {
  it('refuses overlapping devices naming both', () => {
    const bus = new PhysicalBus(mem);
    bus.map('uart0', 0x1000_0000, 0x100, new Regs());
    expect(() => bus.map('virtio0', 0x1000_00f0, 0x1000, new Regs())).toThrow(/virtio0.*overlaps device uart0/);
    expect(() => bus.map('big', 0x7fff_f000, 0x2000, new Regs())).toThrow(/overlaps RAM/);
  });

  it('finds the device for an address and passes offsets', () => {
    const bus = new PhysicalBus(mem);
    const a = new Regs();
    const b = new Regs();
    bus.map('b', 0x2000, 0x1000, b);
    bus.map('a', 0x1000, 0x1000, a);
    expect(bus.find(0x1fff)?.name).toBe('a');
    expect(bus.find(0x2000)?.name).toBe('b');
    expect(bus.find(0x3000)).toBeUndefined();
    expect(bus.read(0x2004, 4)).toBe(0x11223348);
    expect(bus.write(0x1008, 2, 0xbeef)).toBe(true);
    expect(a.log).toEqual(['w2@8=beef']);
  });

  it('reports unmapped addresses as faults', () => {
    const bus = new PhysicalBus(mem);
    expect(bus.read(0x5000, 4)).toBeUndefined();
    expect(bus.write(0x5000, 1, 0)).toBe(false);
    expect(bus.read64(0x5000)).toBeUndefined();
  });

  it('splits 8-byte accesses low half first unless the device has read64/write64', () => {
    const bus = new PhysicalBus(mem);
    const plain = new Regs();
    const wide = new Regs64();
    bus.map('plain', 0x1000, 0x1000, plain);
    bus.map('wide', 0x2000, 0x1000, wide);
    expect(bus.read64(0x1010)).toEqual([0x11223354, 0x11223358]);
    bus.write64(0x1010, 0xaaaa, 0xbbbb);
    expect(plain.log).toEqual(['r4@16', 'r4@20', 'w4@16=aaaa', 'w4@20=bbbb']);
    expect(bus.read64(0x2000)).toEqual([0x44332211, 0x88776655]);
    bus.write64(0x2008, 0x1, 0x80000000);
    expect(wide.log).toEqual(['r8@0', 'w8@8=8000000000000001']);
  });

  it('reads and writes RAM little-endian and marks pages dirty', () => {
    const bus = new PhysicalBus(mem);
    bus.write(RAM_BASE + 0x3000, 4, 0xdeadbeef);
    expect(bus.read(RAM_BASE + 0x3001, 2)).toBe(0xadbe);
    expect(mem.dirty[3]).toBe(1);
    expect(bus.read(RAM_BASE + mem.ramBytes - 2, 4)).toBeUndefined();
  });
});
