/**
 * Console streams for the renderer: `attachConsole(api, vmId, stream, sink)` is the one place a
 * VM console is opened (the console pane uses it; the desktop app's MessagePort path plugs in
 * through `setConsoleOpener`), and `TerminalWriter` feeds what arrives to xterm.js in batches.
 *
 * At 100 KB/s of guest output the host sends hundreds of small events a second. Writing each to
 * xterm as it arrives makes xterm re-render per event; `TerminalWriter` gathers them and writes
 * in the next animation frame, waits for xterm to finish parsing a write before the next one (its
 * write callback), and keeps at most `maxPending` bytes waiting: beyond that the oldest output is
 * dropped and the terminal says how much, so a flood never freezes the page or grows memory
 * without bound. While output streams without pause, writes (and so xterm's DOM re-renders, the
 * main cost in a profile of a 128 KiB/s flood) are spaced `streamingIntervalMs` apart; a key's
 * echo after a quiet spell still shows in the next frame.
 */
import {
  base64ToBytes,
  bytesToBase64,
  ConsoleFollower,
  type ApiClient,
  type ConsoleName,
  type VmId,
} from '../../core/api/index.js';

/** An open console stream: what the pane can do with it. */
export interface ConsoleAttachment {
  /** Settles when the scrollback has been passed to the sink (rejects when the host refused). */
  readonly ready: Promise<void>;
  /** Types bytes into the guest's console. */
  send(bytes: Uint8Array): Promise<void>;
  /** A break on the serial line (the host refuses it on hvc0). */
  sendBreak(): Promise<void>;
  /** Stops the stream (the host stops sending its output to this window). */
  detach(): void;
}

/**
 * Opens a console stream another way than over the API connection (the desktop app: a MessagePort
 * from the VM process). Returns null to use the API connection.
 */
export type ConsoleOpener = (vmId: VmId, stream: ConsoleName, sink: (bytes: Uint8Array) => void) => ConsoleAttachment | null;

let opener: ConsoleOpener | null = null;

/** Installs (or with null removes) the alternative way to open console streams. */
export function setConsoleOpener(next: ConsoleOpener | null): void {
  opener = next;
}

/**
 * Attaches to a VM console: `sink` gets the scrollback first, then live output, each byte once and
 * in order (ConsoleFollower drops output that the scrollback already holds).
 */
export function attachConsole(api: ApiClient, vmId: VmId, stream: ConsoleName, sink: (bytes: Uint8Array) => void): ConsoleAttachment {
  const other = opener?.(vmId, stream, sink);
  if (other) return other;
  const follower = new ConsoleFollower(sink);
  let open = true;
  // Subscribe first: events that arrive before the answer are held by the follower.
  const unsubscribe = api.onEvent((event) => {
    if (open && event.type === 'console.output' && event.vmId === vmId && event.console === stream) {
      follower.output(event.offset, base64ToBytes(event.data));
    }
  });
  const ready = api.consoleAttach(vmId, stream).then(
    (answer) => {
      if (open) follower.attached(base64ToBytes(answer.scrollback ?? ''), answer.offset ?? 0);
    },
    (error: unknown) => {
      unsubscribe();
      throw error;
    },
  );
  return {
    ready,
    send: async (bytes) => {
      await api.consoleInput(vmId, bytesToBase64(bytes), stream);
    },
    sendBreak: async () => {
      await api.consoleBreak(vmId, stream);
    },
    detach() {
      if (!open) return;
      open = false;
      unsubscribe();
      // A connection that already closed has nothing to detach.
      api.consoleDetach(vmId, stream).catch(() => {});
    },
  };
}

/** What TerminalWriter writes to: xterm's `Terminal` fits. */
export interface TerminalLike {
  write(data: Uint8Array, callback?: () => void): void;
}

export interface TerminalWriterOptions {
  /** Runs `fn` before the next paint (requestAnimationFrame in a page). */
  readonly schedule: (fn: () => void) => void;
  /** Most bytes kept waiting while the terminal is busy (default 4 MiB). */
  readonly maxPending?: number;
  /** The line written when output had to be dropped. */
  readonly droppedNotice?: (bytes: number) => string;
  /** Runs `fn` after `ms` (setTimeout); with `now`, spaces writes while output streams. */
  readonly delay?: (fn: () => void, ms: number) => void;
  /** Milliseconds on a monotonic clock (performance.now). */
  readonly now?: () => number;
  /** Least time between two writes while output streams (default 50 ms: 20 renders a second). */
  readonly streamingIntervalMs?: number;
}

const DEFAULT_MAX_PENDING = 4 * 1024 * 1024;

/** Batches console output into one terminal write per frame, with a bounded backlog. */
export class TerminalWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private dropped = 0;
  private scheduled = false;
  private writing = false;
  private closed = false;
  private lastWrite = -Infinity;
  /** Bytes handed to the terminal so far (the console pane shows it to tests as data-bytes). */
  written = 0;
  /** Bytes dropped because the terminal could not keep up. */
  droppedTotal = 0;

  constructor(
    private readonly terminal: TerminalLike,
    private readonly options: TerminalWriterOptions,
  ) {}

  /** Queues output; it reaches the terminal with the next frame. */
  push(bytes: Uint8Array): void {
    if (this.closed || bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    const max = this.options.maxPending ?? DEFAULT_MAX_PENDING;
    while (this.pendingBytes > max && this.pending.length > 0) {
      const over = this.pendingBytes - max;
      const first = this.pending[0];
      if (first.length <= over) {
        this.pending.shift();
        this.pendingBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.pending[0] = first.subarray(over);
        this.pendingBytes -= over;
        this.dropped += over;
      }
    }
    this.kick();
  }

  /** Bytes waiting for the terminal. */
  get backlog(): number {
    return this.pendingBytes;
  }

  /** Forgets what is waiting (the pane's Clear, or the pane going away). */
  clear(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.dropped = 0;
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private kick(): void {
    if (this.scheduled || this.writing || this.closed || this.pendingBytes === 0) return;
    this.scheduled = true;
    const { delay, now } = this.options;
    const wait = delay && now ? this.lastWrite + (this.options.streamingIntervalMs ?? 50) - now() : 0;
    if (wait > 0 && delay) delay(() => this.options.schedule(() => this.flush()), wait);
    else this.options.schedule(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.closed || this.pendingBytes === 0) return;
    let data: Uint8Array;
    if (this.pending.length === 1 && this.dropped === 0) {
      data = this.pending[0];
    } else {
      const notice = this.dropped > 0 ? new TextEncoder().encode((this.options.droppedNotice ?? defaultNotice)(this.dropped)) : new Uint8Array(0);
      data = new Uint8Array(notice.length + this.pendingBytes);
      data.set(notice, 0);
      let at = notice.length;
      for (const chunk of this.pending) {
        data.set(chunk, at);
        at += chunk.length;
      }
      this.droppedTotal += this.dropped;
      this.dropped = 0;
    }
    this.written += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.writing = true;
    this.lastWrite = this.options.now?.() ?? 0;
    this.terminal.write(data, () => {
      this.writing = false;
      this.kick();
    });
  }
}

const defaultNotice = (bytes: number) => `\r\n\x1b[7m[${bytes} bytes of output skipped: the console could not keep up]\x1b[0m\r\n`;
