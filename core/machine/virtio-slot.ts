/**
 * An empty virtio-mmio transport: what QEMU's virt board shows in a virtio_mmio slot with no device
 * behind it (magic "virt", version 2, device ID 0). Drivers (Linux, U-Boot) probe it and skip it.
 * Real virtio devices (core/devices/virtio) replace these slots.
 */
import type { MmioDevice } from '../memory/mmio.js';

const VIRTIO_MMIO_MAGIC = 0x74726976; // "virt"

/** The virt board's virtio-mmio slots (0x1000_1000 + slot * 0x1000, PLIC sources 1..8). */
export const VIRTIO_SLOT_COUNT = 8;
/**
 * The slot of the power button (virtio-input) in VMs the hypervisor runs: the last one, so disks
 * keep slots 0, 1, ... (vda, vdb, ...). A VM with a disk in every slot has no power button.
 */
export const POWER_BUTTON_SLOT = VIRTIO_SLOT_COUNT - 1;
const VIRTIO_MMIO_VENDOR_QEMU = 0x554d4551; // "QEMU"

export class EmptyVirtioSlot implements MmioDevice {
  read(offset: number, size: 1 | 2 | 4): number {
    if (size !== 4) return 0;
    switch (offset) {
      case 0x000:
        return VIRTIO_MMIO_MAGIC;
      case 0x004:
        return 2; // version
      case 0x008:
        return 0; // device ID 0: no device
      case 0x00c:
        return VIRTIO_MMIO_VENDOR_QEMU;
      default:
        return 0;
    }
  }

  write(_offset: number, _size: 1 | 2 | 4, _value: number): void {}
}
