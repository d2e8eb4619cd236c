/**
 * A small flattened-device-tree (DTB) writer, format version 17 (Devicetree Specification v0.4, ch. 5).
 *
 *   const fdt = new FdtBuilder();
 *   fdt.beginNode('');                 // the root
 *   fdt.propU32('#address-cells', 2);
 *   fdt.beginNode('memory@80000000'); fdt.propString('device_type', 'memory'); ...; fdt.endNode();
 *   fdt.endNode();
 *   const dtb = fdt.finish();
 */

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;
const HEADER_SIZE = 40;

const encoder = new TextEncoder();

/** A property value: cells (u32), a string, a string list, raw bytes, or empty. */
export type FdtValue = number[] | string | string[] | Uint8Array | null;

export class FdtBuilder {
  private structBytes = new Uint8Array(4096);
  private structLen = 0;
  private strings: number[] = [];
  private readonly stringOffsets = new Map<string, number>();
  private depth = 0;
  private nextPhandle = 1;
  private readonly reserve: Array<[bigint, bigint]> = [];

  /** Allocates a fresh phandle (1, 2, ...). */
  allocPhandle(): number {
    return this.nextPhandle++;
  }

  /** Adds a memory reservation block entry. */
  addReservation(address: bigint, size: bigint): void {
    this.reserve.push([address, size]);
  }

  beginNode(name: string): this {
    this.u32(FDT_BEGIN_NODE);
    this.bytes(encoder.encode(name));
    this.byte(0);
    this.align4();
    this.depth++;
    return this;
  }

  endNode(): this {
    if (this.depth === 0) throw new Error('FDT: endNode without beginNode');
    this.u32(FDT_END_NODE);
    this.depth--;
    return this;
  }

  /** A property with raw bytes (or empty when `value` is omitted). */
  prop(name: string, value: Uint8Array = new Uint8Array(0)): this {
    this.u32(FDT_PROP);
    this.u32(value.length);
    this.u32(this.stringOffset(name));
    this.bytes(value);
    this.align4();
    return this;
  }

  propEmpty(name: string): this {
    return this.prop(name);
  }

  propU32(name: string, ...cells: number[]): this {
    const out = new Uint8Array(cells.length * 4);
    const view = new DataView(out.buffer);
    cells.forEach((c, i) => view.setUint32(i * 4, c >>> 0));
    return this.prop(name, out);
  }

  /** 64-bit values written as two cells each (#address-cells = #size-cells = 2). */
  propU64(name: string, ...values: bigint[]): this {
    const cells: number[] = [];
    for (const v of values) cells.push(Number((v >> 32n) & 0xffffffffn), Number(v & 0xffffffffn));
    return this.propU32(name, ...cells);
  }

  propString(name: string, value: string): this {
    return this.propStrings(name, [value]);
  }

  propStrings(name: string, values: readonly string[]): this {
    const parts = values.map((v) => encoder.encode(v));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length + 1;
    }
    return this.prop(name, out);
  }

  /** Serialises the tree; all nodes must be closed. */
  finish(bootCpuId = 0): Uint8Array {
    if (this.depth !== 0) throw new Error(`FDT: ${this.depth} node(s) left open`);
    this.u32(FDT_END);
    const rsvOffset = HEADER_SIZE; // already 8-aligned
    const rsvSize = (this.reserve.length + 1) * 16;
    const structOffset = rsvOffset + rsvSize;
    const structSize = this.structLen;
    const stringsOffset = structOffset + structSize;
    const stringsSize = this.strings.length;
    const total = stringsOffset + stringsSize;
    const out = new Uint8Array(total);
    const view = new DataView(out.buffer);
    const header = [FDT_MAGIC, total, structOffset, stringsOffset, rsvOffset, 17, 16, bootCpuId, stringsSize, structSize];
    header.forEach((v, i) => view.setUint32(i * 4, v));
    this.reserve.forEach(([addr, size], i) => {
      view.setBigUint64(rsvOffset + i * 16, addr);
      view.setBigUint64(rsvOffset + i * 16 + 8, size);
    });
    out.set(this.structBytes.subarray(0, this.structLen), structOffset);
    out.set(this.strings, stringsOffset);
    return out;
  }

  private stringOffset(name: string): number {
    let off = this.stringOffsets.get(name);
    if (off === undefined) {
      off = this.strings.length;
      this.stringOffsets.set(name, off);
      for (const b of encoder.encode(name)) this.strings.push(b);
      this.strings.push(0);
    }
    return off;
  }

  private ensure(n: number): void {
    if (this.structLen + n <= this.structBytes.length) return;
    const next = new Uint8Array(Math.max(this.structBytes.length * 2, this.structLen + n));
    next.set(this.structBytes);
    this.structBytes = next;
  }

  private u32(v: number): void {
    this.ensure(4);
    new DataView(this.structBytes.buffer).setUint32(this.structLen, v >>> 0);
    this.structLen += 4;
  }

  private byte(v: number): void {
    this.ensure(1);
    this.structBytes[this.structLen++] = v;
  }

  private bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.structBytes.set(b, this.structLen);
    this.structLen += b.length;
  }

  private align4(): void {
    while (this.structLen & 3) this.byte(0);
  }
}
