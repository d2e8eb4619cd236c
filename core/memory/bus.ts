/**
 * The physical address space: RAM plus memory-mapped devices mapped by (name, base, size).
 * Overlapping mappings are refused with a message naming both devices (as Firecracker's bus).
 * An access no mapping covers is an access fault for the hart (as on QEMU's virt board), which
 * the bus reports by returning `undefined` from read / `false` from write.
 *
 * Physical addresses are plain numbers (exact up to 2^53, beyond any physical address here).
 */
import type { MmioDevice } from './mmio.js';
import type { GuestMemory } from './ram.js';

export interface BusMapping {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly device: MmioDevice;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

export class PhysicalBus {
  readonly ram: GuestMemory;
  private readonly maps: BusMapping[] = [];
  private last: BusMapping | undefined;

  constructor(ram: GuestMemory) {
    this.ram = ram;
  }

  /** All device mappings, sorted by base. */
  get mappings(): readonly BusMapping[] {
    return this.maps;
  }

  /** Maps `device` at [base, base+size). Throws if the range overlaps RAM or another device. */
  map(name: string, base: number, size: number, device: MmioDevice): void {
    if (!(size > 0) || !Number.isInteger(base) || !Number.isInteger(size) || base < 0) {
      throw new RangeError(`device ${name}: invalid range base ${hex(base)} size ${hex(size)}`);
    }
    const end = base + size;
    const ramEnd = this.ram.ramBase + this.ram.ramBytes;
    if (base < ramEnd && this.ram.ramBase < end) {
      throw new Error(`device ${name} [${hex(base)}, ${hex(end)}) overlaps RAM [${hex(this.ram.ramBase)}, ${hex(ramEnd)})`);
    }
    for (const m of this.maps) {
      if (base < m.base + m.size && m.base < end) {
        throw new Error(
          `device ${name} [${hex(base)}, ${hex(end)}) overlaps device ${m.name} [${hex(m.base)}, ${hex(m.base + m.size)})`,
        );
      }
    }
    this.maps.push({ name, base, size, device });
    this.maps.sort((a, b) => a.base - b.base);
  }

  /** The mapping containing `paddr`, or undefined (RAM is not a mapping). */
  find(paddr: number): BusMapping | undefined {
    const l = this.last;
    if (l !== undefined && paddr >= l.base && paddr < l.base + l.size) return l;
    let lo = 0;
    let hi = this.maps.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = this.maps[mid];
      if (paddr < m.base) hi = mid - 1;
      else if (paddr >= m.base + m.size) lo = mid + 1;
      else return (this.last = m);
    }
    return undefined;
  }

  /**
   * Reads `size` bytes (1, 2, 4) at a physical address, zero-extended; undefined when nothing
   * is mapped there (an access fault).
   */
  read(paddr: number, size: 1 | 2 | 4): number | undefined {
    if (this.ram.isRam(paddr, size)) {
      const off = paddr - this.ram.ramBase;
      const u8 = this.ram.u8;
      let v = 0;
      for (let k = size - 1; k >= 0; k--) v = (v << 8) | u8[off + k];
      return v >>> 0;
    }
    const m = this.find(paddr);
    if (m === undefined || paddr + size > m.base + m.size) return undefined;
    return m.device.read(paddr - m.base, size) >>> 0;
  }

  /** Writes the low `size` bytes of `value`; false when nothing is mapped there. */
  write(paddr: number, size: 1 | 2 | 4, value: number): boolean {
    if (this.ram.isRam(paddr, size)) {
      const off = paddr - this.ram.ramBase;
      const u8 = this.ram.u8;
      for (let k = 0; k < size; k++) u8[off + k] = value >>> (8 * k);
      this.ram.dirty[off >>> 12] = 1;
      this.ram.dirty[(off + size - 1) >>> 12] = 1;
      return true;
    }
    const m = this.find(paddr);
    if (m === undefined || paddr + size > m.base + m.size) return false;
    m.device.write(paddr - m.base, size, value >>> 0);
    return true;
  }

  /**
   * 8-byte read as [low, high] unsigned halves: read64 when the device has it, else two
   * 4-byte reads, low half first. Undefined on an access fault.
   */
  read64(paddr: number): [number, number] | undefined {
    if (!this.ram.isRam(paddr, 8)) {
      const m = this.find(paddr);
      if (m === undefined || paddr + 8 > m.base + m.size) return undefined;
      if (m.device.read64 !== undefined) {
        const v = BigInt.asUintN(64, m.device.read64(paddr - m.base));
        return [Number(v & 0xffffffffn), Number(v >> 32n)];
      }
    }
    const lo = this.read(paddr, 4);
    const hi = this.read(paddr + 4, 4);
    return lo === undefined || hi === undefined ? undefined : [lo, hi];
  }

  /** 8-byte write from unsigned/signed 32-bit halves; false on an access fault. */
  write64(paddr: number, lo: number, hi: number): boolean {
    if (!this.ram.isRam(paddr, 8)) {
      const m = this.find(paddr);
      if (m === undefined || paddr + 8 > m.base + m.size) return false;
      if (m.device.write64 !== undefined) {
        m.device.write64(paddr - m.base, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
        return true;
      }
    }
    return this.write(paddr, 4, lo) && this.write(paddr + 4, 4, hi);
  }
}

