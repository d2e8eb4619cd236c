import { describe, expect, it } from 'vitest';
import { ConsoleFollower } from '../../../../core/api/console-follow.js';
import { ConsoleStream } from '../../../../core/vm/console-stream.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder().decode(c)).join('');

/**
 * The host side as api-handlers.ts runs it, with the connection's event queue made explicit: events
 * are "in flight" until the test delivers them, as they are on a WebSocket.
 */
function connection(stream: ConsoleStream) {
  const inFlight: { offset: number; bytes: Uint8Array }[] = [];
  let following = false;
  stream.attach((b, offset) => {
    if (following) inFlight.push({ offset, bytes: b.slice() });
  });
  return {
    inFlight,
    /** console.attach: the connection follows the stream from now; the answer is the snapshot. */
    attach() {
      following = true;
      return stream.snapshot();
    },
  };
}

describe('ConsoleFollower', () => {
  it('an attach while output flows shows each byte once (OpenSBI banner seen twice in a second VM\'s console)', () => {
    // The seen-once bug: a connection already following the console (another tab, or the
    // broadcast that sent every VM's output to every connection) has output in flight that the
    // new attach's scrollback also holds. Showing the scrollback and then the events held until
    // the answer repeated that fragment.
    const stream = new ConsoleStream(64 * 1024);
    const conn = connection(stream);
    conn.attach(); // the first tab
    stream.write(bytes('OpenSBI v1.5\r\n'));
    stream.write(bytes('   ____                    _____ ____ _____\r\n'));
    const shown: Uint8Array[] = [];
    const follower = new ConsoleFollower((b) => shown.push(b));
    // The second tab subscribes to events first, then asks for the scrollback.
    const answer = conn.attach();
    stream.write(bytes('Platform Name: riscv-virtio,qemu\r\n'));
    // Everything in flight reaches the second tab before its answer.
    for (const e of conn.inFlight.splice(0)) follower.output(e.offset, e.bytes);
    follower.attached(answer.bytes, answer.end);
    expect(text(shown)).toBe('OpenSBI v1.5\r\n   ____                    _____ ____ _____\r\nPlatform Name: riscv-virtio,qemu\r\n');
    expect(text(shown)).toBe(new TextDecoder().decode(stream.scrollback()));
    expect(follower.lost).toBe(0);
  });

  it('keeps positions across ring wrap-around: a late attach gets the tail, then exactly the new bytes', () => {
    const stream = new ConsoleStream(16);
    const conn = connection(stream);
    conn.attach();
    let all = '';
    for (let i = 0; i < 40; i++) {
      const chunk = `<${i}>`;
      all += chunk;
      stream.write(bytes(chunk));
    }
    const shown: Uint8Array[] = [];
    const follower = new ConsoleFollower((b) => shown.push(b));
    const answer = conn.attach();
    for (let i = 40; i < 45; i++) {
      const chunk = `<${i}>`;
      all += chunk;
      stream.write(bytes(chunk));
    }
    for (const e of conn.inFlight.splice(0)) follower.output(e.offset, e.bytes);
    follower.attached(answer.bytes, answer.end);
    expect(answer.end).toBe(stream.written - '<40><41><42><43><44>'.length);
    expect(text(shown)).toBe(all.slice(answer.end - 16));
    expect(follower.position).toBe(stream.written);
  });

  it('passes a chunk that straddles the scrollback end on from the first new byte, and counts a gap as lost', () => {
    const shown: Uint8Array[] = [];
    const follower = new ConsoleFollower((b) => shown.push(b));
    follower.output(2, bytes('cdef'));
    follower.attached(bytes('abcd'), 4);
    follower.output(10, bytes('kl'));
    expect(text(shown)).toBe('abcdefkl');
    expect(follower.lost).toBe(4);
  });
});
