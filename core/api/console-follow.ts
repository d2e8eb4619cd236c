/**
 * The client side of a console stream: joins `console.attach`'s scrollback and the live
 * `console.output` events into one in-order byte stream with nothing shown twice.
 *
 * Events can reach a client before its attach answer (the client subscribes to events first so
 * none is missed), and a connection that already follows a console (another tab, an earlier
 * attach) receives output the new scrollback also holds. Each event carries its stream position
 * and the answer says where the scrollback ends, so whatever lies before that is dropped here.
 */
export class ConsoleFollower {
  /** Stream position of the next byte wanted; null until the attach answer arrived. */
  private next: number | null = null;
  private held: { offset: number; bytes: Uint8Array }[] = [];
  /** Bytes that were never received (a position jumped ahead); 0 over an ordered transport. */
  lost = 0;

  /** @param sink receives the stream's bytes in order, each byte once */
  constructor(private readonly sink: (bytes: Uint8Array) => void) {}

  /** The stream position after the last byte passed on (null before `attached`). */
  get position(): number | null {
    return this.next;
  }

  /** The attach answer: the scrollback and the stream position just after it. */
  attached(scrollback: Uint8Array, end: number): void {
    if (scrollback.length > 0) this.sink(scrollback);
    this.next = end;
    const held = this.held;
    this.held = [];
    for (const h of held) this.take(h.offset, h.bytes);
  }

  /** A `console.output` event for this console. */
  output(offset: number, bytes: Uint8Array): void {
    if (this.next === null) this.held.push({ offset, bytes });
    else this.take(offset, bytes);
  }

  private take(offset: number, bytes: Uint8Array): void {
    const next = this.next ?? 0;
    const skip = next - offset;
    if (skip >= bytes.length) return;
    if (skip < 0) this.lost += -skip;
    this.sink(skip > 0 ? bytes.subarray(skip) : bytes);
    this.next = offset + bytes.length;
  }
}
