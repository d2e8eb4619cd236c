/**
 * Boot image loaders for the virt board: ELF64 (RISC-V, little-endian), raw binaries, Linux `Image`
 * (with its RISC-V boot header), initrd. They take the file's bytes and a display name (no file
 * system here) and return segments to copy into guest RAM; `checkPlacement` rejects images that fall
 * outside RAM or overlap each other, with errors naming the file and the problem.
 */

/** One contiguous piece of an image: `data` copied to `addr`, then zeros up to `memSize`. */
export interface Segment {
  readonly addr: bigint;
  readonly data: Uint8Array;
  readonly memSize: bigint;
}

export interface LoadedImage {
  /** Display name used in error messages (usually the file name). */
  readonly name: string;
  readonly kind: 'elf' | 'raw' | 'linux-image' | 'initrd';
  readonly segments: readonly Segment[];
  /** Where execution starts (ELF entry, or the load address). */
  readonly entry: bigint;
  /** Spike HTIF mailbox symbols, when the ELF has them. */
  readonly tohost?: bigint;
  readonly fromhost?: bigint;
}

export const EM_RISCV = 243;
const PT_LOAD = 1;
const SHT_SYMTAB = 2;
const ELF_MACHINES: Record<number, string> = { 3: 'x86', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 40: 'ARM', 62: 'x86-64', 183: 'AArch64', 258: 'LoongArch' };

/** Whether the bytes start with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Parses an ELF64 little-endian RISC-V executable: PT_LOAD segments at their physical addresses. */
export function loadElf(bytes: Uint8Array, name: string): LoadedImage {
  if (!isElf(bytes)) throw new Error(`${name}: not an ELF file (no \\x7fELF magic)`);
  if (bytes.length < 64) throw new Error(`${name}: truncated ELF: the 64-byte header is cut off at ${bytes.length} bytes`);
  if (bytes[4] !== 2) throw new Error(`${name}: ELF class ${bytes[4] === 1 ? '32-bit' : bytes[4]}, RiscStation loads 64-bit (ELFCLASS64) images`);
  if (bytes[5] !== 1) throw new Error(`${name}: big-endian ELF, RISC-V images are little-endian`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = view.getUint16(18, true);
  if (machine !== EM_RISCV) {
    const what = ELF_MACHINES[machine] ?? `machine ${machine}`;
    throw new Error(`${name}: ELF is built for ${what} (e_machine ${machine}), not RISC-V (e_machine ${EM_RISCV})`);
  }
  const entry = view.getBigUint64(24, true);
  const phoff = Number(view.getBigUint64(32, true));
  const shoff = Number(view.getBigUint64(40, true));
  const phentsize = view.getUint16(54, true);
  const phnum = view.getUint16(56, true);
  const shentsize = view.getUint16(58, true);
  const shnum = view.getUint16(60, true);
  if (phnum > 0 && phoff + phnum * phentsize > bytes.length) {
    throw new Error(`${name}: truncated ELF: program headers end at byte ${phoff + phnum * phentsize} but the file has ${bytes.length} bytes`);
  }
  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const offset = Number(view.getBigUint64(at + 8, true));
    const paddr = view.getBigUint64(at + 24, true);
    const filesz = Number(view.getBigUint64(at + 32, true));
    const memsz = view.getBigUint64(at + 40, true);
    if (offset + filesz > bytes.length) {
      throw new Error(`${name}: truncated ELF: segment ${i} needs bytes ${offset}..${offset + filesz} but the file has ${bytes.length} bytes`);
    }
    if (memsz === 0n) continue;
    segments.push({ addr: paddr, data: bytes.subarray(offset, offset + filesz), memSize: memsz });
  }
  if (segments.length === 0) throw new Error(`${name}: ELF has no loadable (PT_LOAD) segments`);
  const symbols = shoff > 0 && shoff + shnum * shentsize <= bytes.length ? findSymbols(view, shoff, shentsize, shnum, ['tohost', 'fromhost']) : new Map<string, bigint>();
  const image: LoadedImage = { name, kind: 'elf', segments, entry };
  const tohost = symbols.get('tohost');
  const fromhost = symbols.get('fromhost');
  return { ...image, ...(tohost !== undefined ? { tohost } : {}), ...(fromhost !== undefined ? { fromhost } : {}) };
}

function findSymbols(view: DataView, shoff: number, shentsize: number, shnum: number, wanted: string[]): Map<string, bigint> {
  const found = new Map<string, bigint>();
  const decoder = new TextDecoder();
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (view.getUint32(sh + 4, true) !== SHT_SYMTAB) continue;
    const symOff = Number(view.getBigUint64(sh + 24, true));
    const symSize = Number(view.getBigUint64(sh + 32, true));
    const link = view.getUint32(sh + 40, true);
    const entsize = Number(view.getBigUint64(sh + 56, true)) || 24;
    const strSh = shoff + link * shentsize;
    if (link >= shnum) continue;
    const strOff = Number(view.getBigUint64(strSh + 24, true));
    const strSize = Number(view.getBigUint64(strSh + 32, true));
    if (symOff + symSize > bytes.length || strOff + strSize > bytes.length) continue;
    for (let s = symOff; s + entsize <= symOff + symSize; s += entsize) {
      const nameOff = view.getUint32(s, true);
      if (nameOff === 0 || nameOff >= strSize) continue;
      let end = strOff + nameOff;
      while (end < strOff + strSize && bytes[end] !== 0) end++;
      const symName = decoder.decode(bytes.subarray(strOff + nameOff, end));
      if (wanted.includes(symName)) found.set(symName, view.getBigUint64(s + 8, true));
    }
  }
  return found;
}

/** A raw binary loaded at `addr` and entered there (firmware .bin, U-Boot, bare-metal code). */
export function loadRaw(bytes: Uint8Array, name: string, addr: bigint, kind: 'raw' | 'initrd' = 'raw'): LoadedImage {
  if (bytes.length === 0) throw new Error(`${name}: file is empty`);
  return { name, kind, segments: [{ addr, data: bytes, memSize: BigInt(bytes.length) }], entry: addr };
}

/** The RISC-V Linux `Image` header (Documentation/arch/riscv/boot-image-header.rst). */
export interface LinuxImageHeader {
  /** Load offset from the start of RAM (0x200000 for RV64 S-mode kernels). */
  readonly textOffset: bigint;
  /** Effective image size including bss (0 means unknown: use the file size). */
  readonly imageSize: bigint;
  readonly flags: bigint;
  readonly version: number;
}

const RISCV_IMAGE_MAGIC = 0x5643534952n; // "RISCV\0\0\0" little-endian
const RISCV_IMAGE_MAGIC2 = 0x05435352; // "RSC\x05" little-endian

/** Reads the Linux Image header, or returns null when the file does not have one. */
export function linuxImageHeader(bytes: Uint8Array): LinuxImageHeader | null {
  if (bytes.length < 64) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getBigUint64(48, true);
  const magic2 = view.getUint32(56, true);
  if (magic !== RISCV_IMAGE_MAGIC && magic2 !== RISCV_IMAGE_MAGIC2) return null;
  return {
    textOffset: view.getBigUint64(8, true),
    imageSize: view.getBigUint64(16, true),
    flags: view.getBigUint64(24, true),
    version: view.getUint32(32, true),
  };
}

/**
 * Loads a kernel the way QEMU does: an ELF at its own addresses; a Linux Image at RAM base +
 * text_offset, reserving its full image_size; anything else raw at `defaultAddr`.
 */
export function loadKernel(bytes: Uint8Array, name: string, ramBase: bigint, defaultAddr: bigint): LoadedImage {
  if (bytes.length === 0) throw new Error(`${name}: file is empty`);
  if (isElf(bytes)) return loadElf(bytes, name);
  const header = linuxImageHeader(bytes);
  if (header === null) return loadRaw(bytes, name, defaultAddr);
  if (header.imageSize !== 0n && header.imageSize < BigInt(bytes.length) - 4096n) {
    // image_size covers text+data+bss; a file far larger than it is not what the header describes.
    throw new Error(`${name}: Linux Image header says image_size ${header.imageSize} but the file has ${bytes.length} bytes`);
  }
  const addr = header.textOffset !== 0n ? ramBase + header.textOffset : defaultAddr;
  const memSize = header.imageSize > BigInt(bytes.length) ? header.imageSize : BigInt(bytes.length);
  return { name, kind: 'linux-image', segments: [{ addr, data: bytes, memSize }], entry: addr };
}

/** Loads an initrd/initramfs at `addr`. */
export function loadInitrd(bytes: Uint8Array, name: string, addr: bigint): LoadedImage {
  return loadRaw(bytes, name, addr, 'initrd');
}

/** The guest RAM window images must fit in. */
export interface RamWindow {
  readonly base: bigint;
  readonly size: bigint;
}

/** Extent of an image: lowest address and one past the highest byte (including bss). */
export function imageExtent(image: LoadedImage): { start: bigint; end: bigint } {
  let start = -1n;
  let end = 0n;
  for (const s of image.segments) {
    if (start < 0n || s.addr < start) start = s.addr;
    if (s.addr + s.memSize > end) end = s.addr + s.memSize;
  }
  return { start, end };
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;
const mib = (v: bigint): string => `${(Number(v) / 1048576).toFixed(1)} MiB`;

/**
 * Checks that every segment lies inside RAM and that no two images overlap.
 * Throws an Error naming the file(s) and the problem.
 */
export function checkPlacement(images: readonly LoadedImage[], ram: RamWindow): void {
  const ramEnd = ram.base + ram.size;
  const spans: Array<{ name: string; start: bigint; end: bigint }> = [];
  for (const image of images) {
    const { start, end } = imageExtent(image);
    if (end - start > ram.size) {
      throw new Error(`${image.name}: image is too big for RAM: needs ${mib(end - start)}, the machine has ${mib(ram.size)} (raise --mem)`);
    }
    for (const s of image.segments) {
      if (s.addr < ram.base || s.addr + s.memSize > ramEnd) {
        throw new Error(
          `${image.name}: does not fit in RAM: it occupies ${hex(s.addr)}..${hex(s.addr + s.memSize)} but RAM is ${hex(ram.base)}..${hex(ramEnd)}` +
            (s.addr >= ram.base ? ' (raise --mem)' : ''),
        );
      }
      spans.push({ name: image.name, start: s.addr, end: s.addr + s.memSize });
    }
  }
  spans.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1];
    const cur = spans[i];
    if (cur.start < prev.end && cur.name !== prev.name) {
      throw new Error(
        `${cur.name}: overlaps ${prev.name}: ${cur.name} starts at ${hex(cur.start)} but ${prev.name} occupies ${hex(prev.start)}..${hex(prev.end)}`,
      );
    }
  }
}

/** Parses a size like 256M, 1G, 512m, 1048576, 64MiB. Throws on nonsense. */
export function parseSize(text: string): bigint {
  const m = /^\s*(\d+)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) throw new Error(`invalid size '${text}' (examples: 256M, 1G)`);
  const unit = m[2].toLowerCase();
  const mult = unit === 'k' ? 1n << 10n : unit === 'm' ? 1n << 20n : unit === 'g' ? 1n << 30n : unit === 't' ? 1n << 40n : m[3] ? 1n : 1n << 20n;
  return BigInt(m[1]) * mult;
}
