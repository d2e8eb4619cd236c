/**
 * The virt board's mask ROM at 0x1000: the reset vector every hart starts at, as QEMU builds it in
 * hw/riscv/boot.c (riscv_setup_rom_reset_vec), followed by an OpenSBI fw_dynamic_info block so both
 * fw_jump and fw_dynamic firmware work:
 *
 *   1: auipc t0, 0            ; t0 = 0x1000
 *      addi  a2, t0, 40       ; a2 = &fw_dynamic_info
 *      csrr  a0, mhartid
 *      ld    a1, 32(t0)       ; a1 = FDT address
 *      ld    t0, 24(t0)       ; t0 = start address
 *      jr    t0
 *   24: .dword start, 32: .dword fdt
 *   40: fw_dynamic_info { magic, version 2, next_addr, next_mode, options, boot_hart }
 */
import type { MmioDevice } from '../memory/mmio.js';

export const MROM_BASE = 0x1000;
export const MROM_SIZE = 0xf000;
/** OpenSBI's FW_DYNAMIC_INFO_MAGIC_VALUE ("OSBI"). */
export const FW_DYNAMIC_INFO_MAGIC = 0x4942534f;
export const FW_DYNAMIC_INFO_VERSION = 2;
/** fw_dynamic_info.next_mode values. */
export const NEXT_MODE_U = 0;
export const NEXT_MODE_S = 1;
export const NEXT_MODE_M = 3;
/** Offset of fw_dynamic_info inside the ROM. */
export const FW_DYNAMIC_INFO_OFFSET = 40;

export interface ResetVectorConfig {
  /** Where the harts jump: the firmware (or the kernel with --bios none). */
  readonly startAddr: bigint;
  /** Physical address of the FDT (passed in a1). */
  readonly fdtAddr: bigint;
  /** fw_dynamic_info.next_addr: where OpenSBI continues (the kernel). */
  readonly nextAddr: bigint;
  /** fw_dynamic_info.next_mode (NEXT_MODE_S by default). */
  readonly nextMode?: number;
  /** fw_dynamic_info.boot_hart (OpenSBI ignores it unless options say so; QEMU passes 0). */
  readonly bootHart?: number;
}

/** Builds the ROM image (reset vector + data + fw_dynamic_info). */
export function buildResetVector(config: ResetVectorConfig): Uint8Array {
  const bytes = new Uint8Array(FW_DYNAMIC_INFO_OFFSET + 6 * 8);
  const view = new DataView(bytes.buffer);
  const code = [
    0x00000297, // auipc t0, 0
    0x02828613, // addi a2, t0, 40
    0xf1402573, // csrr a0, mhartid
    0x0202b583, // ld a1, 32(t0)
    0x0182b283, // ld t0, 24(t0)
    0x00028067, // jr t0
  ];
  code.forEach((insn, i) => view.setUint32(i * 4, insn, true));
  view.setBigUint64(24, config.startAddr, true);
  view.setBigUint64(32, config.fdtAddr, true);
  const info = [
    BigInt(FW_DYNAMIC_INFO_MAGIC),
    BigInt(FW_DYNAMIC_INFO_VERSION),
    config.nextAddr,
    BigInt(config.nextMode ?? NEXT_MODE_S),
    0n, // options
    BigInt(config.bootHart ?? 0),
  ];
  info.forEach((v, i) => view.setBigUint64(FW_DYNAMIC_INFO_OFFSET + i * 8, v, true));
  return bytes;
}

export interface RomState {
  readonly kind: 'rom';
  readonly version: 1;
  /** ROM contents are rebuilt by the board; saved so a restored machine sees identical bytes. */
  readonly bytes: number[];
}

/** A read-only memory region (writes ignored). */
export class Rom implements MmioDevice {
  private bytes: Uint8Array;
  private view: DataView;

  constructor(readonly size: number, contents: Uint8Array = new Uint8Array(0)) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.load(contents);
  }

  /** Replaces the contents (from offset 0); the rest reads as zero. */
  load(contents: Uint8Array): void {
    if (contents.length > this.size) throw new Error(`ROM image of ${contents.length} bytes does not fit in ${this.size}`);
    this.bytes.fill(0);
    this.bytes.set(contents);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset + size > this.size) return 0;
    if (size === 4) return this.view.getUint32(offset, true);
    if (size === 2) return this.view.getUint16(offset, true);
    return this.bytes[offset];
  }

  write(_offset: number, _size: 1 | 2 | 4, _value: number): void {}

  read64(offset: number): bigint {
    return offset + 8 <= this.size ? this.view.getBigUint64(offset, true) : 0n;
  }

  save(): RomState {
    let end = this.size;
    while (end > 0 && this.bytes[end - 1] === 0) end--;
    return { kind: 'rom', version: 1, bytes: Array.from(this.bytes.subarray(0, end)) };
  }

  restore(state: RomState): void {
    if (state.kind !== 'rom' || state.version !== 1) throw new Error(`ROM: cannot restore state ${state.kind} v${state.version}`);
    this.load(Uint8Array.from(state.bytes));
  }
}
