/**
 * The VM process's channel to Electron main (utilityProcess `process.parentPort`) as the runtime's
 * `VmParentPort`, plus the console ports: main may hand the process one end of a MessageChannel
 * per console a window attaches (`consoleAttach` with the port in `ports[0]`), and from then on
 * console bytes go straight from this process to the window: main never relays them.
 *
 * The runtime itself knows nothing of ports. This adapter sees its `output` messages on their way to
 * the host (which still gets them, for its own scrollback and for API clients), keeps a scrollback
 * per stream, sends it to a port when it attaches and then every new chunk, and turns `input`
 * messages arriving on a port into the runtime's `input` messages.
 */
import { CONSOLE_NAMES, type ConsoleName } from '../../core/api/commands.js';
import { CONSOLE_INPUT_MAX, type ConsolePortMessage } from '../../core/api/desktop.js';
import { ConsoleStream } from '../../core/vm/console-stream.js';
import type { VmParentPort } from '../../core/vm/process.js';
import type { HostToVm } from '../../core/vm/protocol.js';

/** What an Electron MessagePortMain offers (the subset used here). */
export interface ConsolePortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

/** What utilityProcess's `process.parentPort` offers (the subset used here). */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: readonly ConsolePortLike[] }) => void): unknown;
  postMessage(message: unknown): void;
}

/** main → VM process, beside the HostToVm messages: attach the port in `ports[0]` to a stream. */
export interface ConsoleAttachMessage {
  readonly type: 'consoleAttach';
  readonly stream: ConsoleName;
}

export function isConsoleStream(value: unknown): value is ConsoleName {
  return typeof value === 'string' && (CONSOLE_NAMES as readonly string[]).includes(value);
}

/** The stream an `output` message belongs to (`serial` when it names none). */
function streamOf(message: Record<string, unknown>): ConsoleName | null {
  const named = message.stream ?? 'serial';
  return isConsoleStream(named) ? named : null;
}

/** The attached console ports of one VM process, with a scrollback per stream. */
export class ConsolePorts {
  private readonly streams = new Map<ConsoleName, ConsoleStream>();
  private readonly ports = new Set<ConsolePortLike>();

  /**
   * @param typed delivers bytes typed on a port to the runtime.
   */
  constructor(
    private readonly typed: (message: HostToVm) => void,
    private readonly scrollbackBytes = 64 * 1024,
  ) {}

  private stream(name: ConsoleName): ConsoleStream {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = new ConsoleStream(this.scrollbackBytes);
      this.streams.set(name, stream);
    }
    return stream;
  }

  /** Output from the runtime: kept, and sent to every port attached to its stream. */
  output(stream: ConsoleName, data: Uint8Array): void {
    this.stream(stream).write(data);
  }

  /** Attaches `port` to `stream`: the scrollback, then live output; its `input` messages reach the guest. */
  attach(stream: unknown, port: ConsolePortLike): void {
    if (!isConsoleStream(stream)) {
      post(port, { type: 'error', message: `'${String(stream)}' is not a console stream (${CONSOLE_NAMES.join(', ')})` });
      port.close();
      return;
    }
    const source = this.stream(stream);
    this.ports.add(port);
    post(port, { type: 'scrollback', data: source.scrollback() });
    const detach = source.attach((data) => post(port, { type: 'output', data }));
    port.on('message', (event) => {
      // Typed bytes or a serial break from the window: anything else is dropped (the page is not
      // trusted to be well formed).
      const data = inputBytes(event.data);
      if (data) this.typed({ type: 'input', stream, data });
      else if (stream === 'serial' && isBreak(event.data)) this.typed({ type: 'break' });
    });
    port.on('close', () => {
      detach();
      this.ports.delete(port);
    });
    port.start();
  }

  /** Ports attached now (for tests and diagnostics). */
  get attached(): number {
    return this.ports.size;
  }

  /** Closes every port (the process is going away). */
  closeAll(): void {
    for (const port of this.ports) port.close();
    this.ports.clear();
  }
}

function post(port: ConsolePortLike, message: ConsolePortMessage): void {
  port.postMessage(message);
}

function isBreak(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as Record<string, unknown>).type === 'break';
}

/** The bytes of a well-formed `{ type: 'input', data: Uint8Array }` of at most CONSOLE_INPUT_MAX bytes, else null. */
export function inputBytes(message: unknown): Uint8Array | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  if (m.type !== 'input' || !(m.data instanceof Uint8Array)) return null;
  if (m.data.length === 0 || m.data.length > CONSOLE_INPUT_MAX) return null;
  return m.data;
}

/**
 * Adapts `parent` to the runtime's VmParentPort: HostToVm messages go to the runtime,
 * `consoleAttach` messages attach their port to `consoles`, and the runtime's `output` messages
 * feed `consoles` on their way to the host. Returns the port and the console ports it feeds.
 */
export function adaptParentPort(parent: ParentPortLike, scrollbackBytes?: number): { port: VmParentPort; consoles: ConsolePorts } {
  const listeners: ((message: HostToVm) => void)[] = [];
  const toRuntime = (message: HostToVm) => {
    for (const listener of listeners) listener(message);
  };
  const consoles = new ConsolePorts(toRuntime, scrollbackBytes);
  parent.on('message', (event) => {
    const data = event.data as Record<string, unknown> | null;
    if (data !== null && typeof data === 'object' && data.type === 'consoleAttach') {
      const port = event.ports[0];
      if (port) consoles.attach(data.stream, port);
      return;
    }
    toRuntime(event.data as HostToVm); // the host validates what it sends; the runtime ignores unknown types
  });
  const port: VmParentPort = {
    send(message) {
      const m = message as Record<string, unknown>;
      if (m.type === 'output' && m.data instanceof Uint8Array) {
        const stream = streamOf(m);
        if (stream) consoles.output(stream, m.data);
      }
      parent.postMessage(message);
    },
    onMessage(listener) {
      listeners.push(listener);
    },
  };
  return { port, consoles };
}
