import { describe, expect, it } from 'vitest';
import {
  bytesToBase64,
  createApiClient,
  createInMemoryTransportPair,
  serveConnection,
} from '../../../../core/api/index.js';
import { ApiServer } from '../../../../core/host/api-server.js';
import { attachConsole, setConsoleOpener, TerminalWriter, type ConsoleAttachment } from '../../../../renderer/services/console.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A terminal whose writes finish when the test says so (xterm's write callback). */
function slowTerminal() {
  const writes: string[] = [];
  const done: (() => void)[] = [];
  return {
    writes,
    finish: () => done.shift()?.(),
    write(data: Uint8Array, callback?: () => void) {
      writes.push(text(data));
      if (callback) done.push(callback);
    },
  };
}

function frames() {
  const queue: (() => void)[] = [];
  return { schedule: (fn: () => void) => queue.push(fn), run: () => queue.splice(0).forEach((fn) => fn()), get count() { return queue.length; } };
}

describe('TerminalWriter', () => {
  it('writes what arrived during a frame as one write, and the next only after xterm finished the last', () => {
    const term = slowTerminal();
    const frame = frames();
    const w = new TerminalWriter(term, { schedule: frame.schedule });
    w.push(bytes('a'));
    w.push(bytes('b'));
    expect(frame.count).toBe(1);
    frame.run();
    expect(term.writes).toEqual(['ab']);
    w.push(bytes('c'));
    w.push(bytes('d'));
    expect(frame.count).toBe(0); // xterm is still parsing 'ab'
    term.finish();
    frame.run();
    expect(term.writes).toEqual(['ab', 'cd']);
    expect(w.written).toBe(4);
  });

  it('keeps at most maxPending bytes while xterm is busy, dropping the oldest and saying how many', () => {
    const term = slowTerminal();
    const frame = frames();
    const w = new TerminalWriter(term, { schedule: frame.schedule, maxPending: 8, droppedNotice: (n) => `[${n} skipped]` });
    w.push(bytes('0'));
    frame.run();
    for (const chunk of ['abcd', 'efgh', 'ijkl']) w.push(bytes(chunk));
    expect(w.backlog).toBe(8);
    term.finish();
    frame.run();
    expect(term.writes).toEqual(['0', '[4 skipped]efghijkl']);
    expect(w.droppedTotal).toBe(4);
    w.push(bytes('abcdefghij')); // one chunk over the limit keeps its tail
    term.finish();
    frame.run();
    expect(term.writes[2]).toBe('[2 skipped]cdefghij');
  });
});

describe('attachConsole', () => {
  it('shows the scrollback, then live output, with output already in the scrollback shown once', async () => {
    let offset = 0;
    const server = new ApiServer({
      productVersion: '0',
      dataDir: '/tmp',
      frontEnd: 'web',
      handlers: {
        'console.attach': (c, session) => {
          // Output in flight before the answer, partly already in the scrollback it answers with.
          session.emit({ type: 'console.output', vmId: c.vmId, console: c.console, offset: 0, data: bytesToBase64(bytes('boot ')) });
          offset = 5;
          session.emit({ type: 'console.output', vmId: c.vmId, console: c.console, offset: 5, data: bytesToBase64(bytes('done\n')) });
          session.emit({ type: 'console.output', vmId: c.vmId, console: 'serial', offset: 0, data: bytesToBase64(bytes('other console')) });
          return { vmId: c.vmId, console: c.console, scrollback: bytesToBase64(bytes('boot ')), offset };
        },
        'console.input': (c) => ({ vmId: c.vmId, console: c.console }),
        'console.detach': (c) => ({ vmId: c.vmId, console: c.console }),
      },
    });
    const pair = createInMemoryTransportPair();
    serveConnection(server, pair.server);
    const api = createApiClient(pair.client);
    const shown: string[] = [];
    const attachment = attachConsole(api, 'vm1', 'hvc0', (b) => shown.push(text(b)));
    await attachment.ready;
    expect(shown.join('')).toBe('boot done\n');
    await attachment.send(bytes('ls\r'));
    attachment.detach();
  });

  it('uses an installed opener (the desktop app\'s MessagePort path) instead of the API connection', () => {
    const opened: string[] = [];
    const fake: ConsoleAttachment = { ready: Promise.resolve(), send: async () => {}, sendBreak: async () => {}, detach: () => {} };
    setConsoleOpener((vmId, stream, sink) => {
      opened.push(`${vmId}/${stream}`);
      sink(bytes('via port'));
      return fake;
    });
    try {
      const shown: string[] = [];
      const api = createApiClient(createInMemoryTransportPair().client);
      expect(attachConsole(api, 'vm1', 'serial', (b) => shown.push(text(b)))).toBe(fake);
      expect(opened).toEqual(['vm1/serial']);
      expect(shown).toEqual(['via port']);
    } finally {
      setConsoleOpener(null);
    }
  });
});

describe('TerminalWriter while output streams', () => {
  it('spaces writes streamingIntervalMs apart, and writes at the next frame after a quiet spell', () => {
    const term = slowTerminal();
    const frame = frames();
    let now = 0;
    const timers: { at: number; fn: () => void }[] = [];
    const w = new TerminalWriter(term, { schedule: frame.schedule, now: () => now, delay: (fn, ms) => timers.push({ at: now + ms, fn }), streamingIntervalMs: 50 });
    w.push(bytes('a'));
    frame.run();
    term.finish();
    now = 10;
    w.push(bytes('b'));
    expect(frame.count).toBe(0);
    expect(timers.map((t) => t.at)).toEqual([50]);
    now = 50;
    timers.shift()!.fn();
    frame.run();
    expect(term.writes).toEqual(['a', 'b']);
    term.finish();
    now = 500;
    w.push(bytes('c'));
    expect(frame.count).toBe(1);
    frame.run();
    expect(term.writes).toEqual(['a', 'b', 'c']);
  });
});
