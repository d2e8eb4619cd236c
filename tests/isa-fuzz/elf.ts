/** The little of ELF64 the fuzz harness needs: entry, loadable segments and symbols. */

export interface ElfSegment {
  readonly address: bigint;
  /** File bytes; memory beyond them up to `memSize` is zero. */
  readonly data: Uint8Array;
  readonly memSize: number;
}

export interface ElfImage {
  readonly entry: bigint;
  readonly segments: readonly ElfSegment[];
  readonly symbols: ReadonlyMap<string, bigint>;
}

const PT_LOAD = 1;
const SHT_SYMTAB = 2;

export function parseElf(bytes: Uint8Array): ElfImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, false) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) {
    throw new Error('not a little-endian ELF64 file');
  }
  const u64 = (o: number): bigint => view.getBigUint64(o, true);
  const num = (o: number): number => Number(u64(o));
  const entry = u64(0x18);
  const phoff = num(0x20);
  const shoff = num(0x28);
  const phentsize = view.getUint16(0x36, true);
  const phnum = view.getUint16(0x38, true);
  const shentsize = view.getUint16(0x3a, true);
  const shnum = view.getUint16(0x3c, true);

  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (view.getUint32(ph, true) !== PT_LOAD) continue;
    const offset = num(ph + 0x08);
    const filesz = num(ph + 0x20);
    segments.push({ address: u64(ph + 0x18), data: bytes.subarray(offset, offset + filesz), memSize: num(ph + 0x28) });
  }

  const symbols = new Map<string, bigint>();
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (view.getUint32(sh + 4, true) !== SHT_SYMTAB) continue;
    const symOff = num(sh + 0x18);
    const symSize = num(sh + 0x20);
    const strSh = shoff + view.getUint32(sh + 0x28, true) * shentsize;
    const strOff = num(strSh + 0x18);
    for (let s = symOff; s < symOff + symSize; s += 24) {
      let end = strOff + view.getUint32(s, true);
      const start = end;
      while (bytes[end] !== 0) end++;
      const name = new TextDecoder().decode(bytes.subarray(start, end));
      if (name) symbols.set(name, u64(s + 8));
    }
  }
  return { entry, segments, symbols };
}
