/**
 * The virt board's physical memory map and interrupt numbers, mirroring QEMU's virt_memmap[]
 * (hw/riscv/virt.c) for the devices RiscStation implements.
 */

export interface MemRegion {
  readonly base: number;
  readonly size: number;
}

export const VIRT_MROM: MemRegion = { base: 0x0000_1000, size: 0xf000 };
export const VIRT_TEST: MemRegion = { base: 0x0010_0000, size: 0x1000 };
export const VIRT_RTC: MemRegion = { base: 0x0010_1000, size: 0x1000 };
export const VIRT_CLINT: MemRegion = { base: 0x0200_0000, size: 0x1_0000 };
export const VIRT_PLIC: MemRegion = { base: 0x0c00_0000, size: 0x60_0000 };
export const VIRT_UART0: MemRegion = { base: 0x1000_0000, size: 0x100 };
export const VIRT_VIRTIO: MemRegion = { base: 0x1000_1000, size: 0x1000 };
export const VIRT_DRAM_BASE = 0x8000_0000;

/** PLIC interrupt sources. */
export const UART0_IRQ = 10;
export const RTC_IRQ = 11;
/** virtio-mmio slot n uses IRQ VIRTIO_IRQ + n. */
export const VIRTIO_IRQ = 1;
export const VIRTIO_COUNT = 8;
/** Interrupt sources the PLIC implements (riscv,ndev). */
export const VIRT_PLIC_NDEV = 95;

/** Where fw_jump firmware continues (FW_JUMP_ADDR for 64-bit generic platform): RAM base + 2 MiB. */
export const VIRT_KERNEL_OFFSET = 0x20_0000;

/** mip bit numbers the board's interrupt controllers drive (Privileged spec §3.1.9). */
export const MIP_SSIP = 1;
export const MIP_MSIP = 3;
export const MIP_STIP = 5;
export const MIP_MTIP = 7;
export const MIP_SEIP = 9;
export const MIP_MEIP = 11;
