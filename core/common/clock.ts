/**
 * Where a machine's notion of time comes from. `mtime` ticks at 10 MHz on the virt board.
 * The inline scheduler counts time in retired instructions (deterministic); the threaded one
 * reads the host's monotonic clock.
 */
export interface TimeSource {
  /** Current mtime in ticks (10 MHz). Monotonic, never decreases. */
  now(): number;
}

/** mtime frequency of the virt board (timebase-frequency in the FDT). */
export const TIMEBASE_HZ = 10_000_000;
