/**
 * The bus contract every memory-mapped device implements (after TinyEMU's iomem.h).
 *
 * A device sees offsets from its own base, never absolute addresses: the board owns the
 * address map. Accesses of 1, 2 and 4 bytes go through `read`/`write`; an 8-byte access
 * uses `read64`/`write64` when the device has them (CLINT's mtime and mtimecmp must be read
 * atomically), otherwise the bus splits it into two 4-byte accesses, low half first.
 */
export interface MmioDevice {
  /** Returns `size` bytes at `offset`, zero-extended. Unimplemented registers read as 0. */
  read(offset: number, size: 1 | 2 | 4): number;
  /** Writes the low `size` bytes of `value` (an unsigned 32-bit number) at `offset`. */
  write(offset: number, size: 1 | 2 | 4, value: number): void;
  read64?(offset: number): bigint;
  write64?(offset: number, value: bigint): void;
}

/** An interrupt wire from a device to an interrupt controller (level-triggered). */
export interface IrqLine {
  set(level: boolean): void;
}

/** An IrqLine that goes nowhere (for devices used without a board, e.g. in unit tests). */
export const NO_IRQ: IrqLine = { set: () => {} };
