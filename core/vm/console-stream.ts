/**
 * A VM console as a byte stream the host fans out to any number of clients. The most recent
 * `capacity` bytes are kept (a ring), so a client that attaches late first sees the recent past.
 *
 * Every byte has a position (bytes written before it). `snapshot()` returns the scrollback with the
 * position just after it and listeners get each chunk's position, so a client that takes a snapshot
 * while output flows can tell which live bytes it already has (instead of showing them twice).
 */
/** Receives a chunk of output and the stream position of its first byte. */
export type ConsoleListener = (bytes: Uint8Array, offset: number) => void;

export class ConsoleStream {
  private readonly ring: Uint8Array;
  /** Bytes ever written (the ring holds the last min(total, capacity)). */
  private total = 0;
  private readonly listeners = new Set<ConsoleListener>();

  constructor(readonly capacity = 64 * 1024) {
    this.ring = new Uint8Array(capacity);
  }

  /** Bytes written since the stream was made. */
  get written(): number {
    return this.total;
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const cap = this.capacity;
    const src = bytes.length > cap ? bytes.subarray(bytes.length - cap) : bytes;
    const start = (this.total + (bytes.length - src.length)) % cap;
    const first = Math.min(src.length, cap - start);
    this.ring.set(src.subarray(0, first), start);
    if (first < src.length) this.ring.set(src.subarray(first), 0);
    const offset = this.total;
    this.total += bytes.length;
    for (const listener of this.listeners) listener(bytes, offset);
  }

  /** The kept output, oldest first. */
  scrollback(): Uint8Array {
    const cap = this.capacity;
    if (this.total <= cap) return this.ring.slice(0, this.total);
    const start = this.total % cap;
    const out = new Uint8Array(cap);
    out.set(this.ring.subarray(start), 0);
    out.set(this.ring.subarray(0, start), cap - start);
    return out;
  }

  /** The scrollback and the stream position just after its last byte. */
  snapshot(): { bytes: Uint8Array; end: number } {
    return { bytes: this.scrollback(), end: this.total };
  }

  /** Receives new output as it is written; returns the detach function. */
  attach(listener: ConsoleListener): () => void {
    // A wrapper per attach: the same function attached twice is two subscriptions, each detached once.
    const entry: ConsoleListener = (bytes, offset) => listener(bytes, offset);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  get clients(): number {
    return this.listeners.size;
  }
}
