/**
 * virtio-mmio devices for the virt board. Attach one to a slot through
 * `VirtMachineConfig.virtio` / `VirtPlatformOptions.virtio`:
 *
 *   virtio: (slot, irq, memory) =>
 *     slot === 0 ? new VirtioBlk({ memory, irq, backend: disk, log }) :
 *     slot === 1 ? new VirtioRng({ memory, irq, random: (b) => crypto.getRandomValues(b) }) :
 *     slot === 2 ? new VirtioConsole({ memory, irq, output: (bytes) => hvc0.write(bytes) }) : undefined
 */
export { VirtioMmioDevice, VIRTIO_MMIO_SIZE, type VirtioLogger, type VirtioMmioOptions, type VirtioMmioState } from './mmio.js';
export { VirtioBlk, VIRTIO_ID_BLOCK, type BlockBackend, type VirtioBlkOptions, type VirtioBlkState } from './blk.js';
export { VirtioRng, VIRTIO_ID_ENTROPY, type RandomSource, type VirtioRngOptions, type VirtioRngState } from './rng.js';
export { VirtioConsole, VIRTIO_ID_CONSOLE, type VirtioConsoleOptions, type VirtioConsoleState } from './console.js';
export { VirtqueueError } from './queue.js';
export { VirtioInput, VIRTIO_ID_INPUT, KEY_POWER, type InputEvent, type VirtioInputState } from './input.js';
