/**
 * A VM console as a byte stream the host fans out to any number of clients. The most recent
 * `capacity` bytes are kept (a ring), so a client that attaches late first sees the recent past.
 */
export class ConsoleStream {
  private readonly ring: Uint8Array;
  /** Bytes ever written (the ring holds the last min(total, capacity)). */
  private total = 0;
  private readonly listeners = new Set<(bytes: Uint8Array) => void>();

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
    this.total += bytes.length;
    for (const listener of this.listeners) listener(bytes);
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

  /** Receives new output as it is written; returns the detach function. */
  attach(listener: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get clients(): number {
    return this.listeners.size;
  }
}
