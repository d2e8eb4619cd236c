/**
 * Console streams in the desktop app: a MessagePort straight from the VM process (Electron main
 * only brokers the port, it never relays console bytes). Plugs into services/console.ts through
 * `setConsoleOpener`; installed by `installDesktopConsoles` when the preload exposes
 * `window.riscstationDesktop`.
 *
 * A port lives as long as the VM's process: when the VM stops the port closes, and when it starts
 * again (a `vm.stateChanged` to starting/running) a new port is opened on the new process, whose
 * scrollback is exactly the output since that boot. A VM without a process shows the host's kept
 * scrollback once (`console.scrollback`), which is not a live relay.
 */
import {
  base64ToBytes,
  type ApiEvent,
  type CallResult,
  type CommandInput,
  type ConsoleName,
  type VmId,
} from '../../core/api/index.js';
import {
  CONSOLE_PORT_MESSAGE,
  type ConsolePortGrant,
  type ConsolePortInput,
  type ConsolePortMessage,
  type DesktopBridge,
} from '../../core/api/desktop.js';
import type { ConsoleAttachment, ConsoleOpener } from './console.js';

/** What the port opener needs from the page's window (injected so tests can play it). */
export interface PortWindow {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  readonly location: { readonly origin: string };
}

export interface DesktopConsoleOptions {
  readonly win: PortWindow;
  readonly desktop: DesktopBridge;
  /** The API bridge (window.riscstation): host events and the one-off scrollback call. */
  readonly api: {
    call(command: CommandInput): Promise<CallResult>;
    onEvent(listener: (event: ApiEvent) => void): () => void;
  };
}

let nextRequestId = 1;

/** The grant in a window message, when it is one for `requestId` posted by our preload. */
function grantOf(event: MessageEvent, win: PortWindow, requestId: number): { grant: ConsolePortGrant; port: MessagePort } | null {
  if (event.source !== win || event.origin !== win.location.origin) return null;
  const data = event.data as Record<string, unknown> | null;
  if (typeof data !== 'object' || data === null) return null;
  const grant = data[CONSOLE_PORT_MESSAGE] as ConsolePortGrant | undefined;
  if (!grant || grant.requestId !== requestId) return null;
  const port = event.ports[0];
  return port ? { grant, port } : null;
}

class PortConsole implements ConsoleAttachment {
  readonly ready: Promise<void>;
  private port: MessagePort | null = null;
  private opening = false;
  private open = true;
  private readonly stopEvents: () => void;
  private settle: { resolve: () => void; reject: (error: Error) => void } | null = null;
  /** The VM's state as the host last announced it (null until it changes). */
  private lastState: string | null = null;
  /** A closed port may be replaced at once only once per state announcement (no retry loop). */
  private retryArmed = false;

  constructor(
    private readonly options: DesktopConsoleOptions,
    private readonly vmId: VmId,
    private readonly stream: ConsoleName,
    private readonly sink: (bytes: Uint8Array) => void,
  ) {
    this.ready = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    // A VM that (re)starts gets a new process: follow it with a new port.
    this.stopEvents = options.api.onEvent((event) => {
      if (event.type !== 'vm.stateChanged' || event.id !== vmId) return;
      this.lastState = event.state;
      this.retryArmed = true;
      if (this.hasProcess() && !this.port) void this.connect(false);
    });
    void this.connect(true);
  }

  private settled(error?: Error): void {
    if (!this.settle) return;
    if (error) this.settle.reject(error);
    else this.settle.resolve();
    this.settle = null;
  }

  /** Opens a port on the VM's process; the first time, falls back to the host's scrollback when it has none. */
  private async connect(first: boolean): Promise<void> {
    if (this.opening || !this.open) return;
    this.opening = true;
    const { win, desktop } = this.options;
    const requestId = nextRequestId++;
    let resolvePort: (port: MessagePort) => void = () => {};
    const granted = new Promise<MessagePort>((resolve) => (resolvePort = resolve));
    const onMessage = (event: MessageEvent) => {
      const found = grantOf(event, win, requestId);
      if (found && found.grant.vmId === this.vmId && found.grant.stream === this.stream) resolvePort(found.port);
    };
    win.addEventListener('message', onMessage);
    try {
      const answer = await desktop.openConsole({ vmId: this.vmId, stream: this.stream, requestId });
      if (!answer.ok) {
        if (first) await this.hostScrollback();
        return;
      }
      this.attach(await granted);
    } catch (error) {
      this.settled(error instanceof Error ? error : new Error(String(error)));
    } finally {
      win.removeEventListener('message', onMessage);
      this.opening = false;
    }
  }

  private attach(port: MessagePort): void {
    if (!this.open) {
      port.close();
      return;
    }
    this.port = port;
    port.onmessage = (event: MessageEvent) => {
      const message = event.data as ConsolePortMessage;
      if (message.type === 'scrollback' || message.type === 'output') {
        if (message.data instanceof Uint8Array && message.data.length > 0) this.sink(message.data);
        if (message.type === 'scrollback') this.settled();
      } else if (message.type === 'error') {
        this.settled(new Error(message.message));
      }
    };
    // Electron's MessagePort extension: 'close' when the other end (the VM process) is gone. The
    // host's events and the port travel separately: when the VM already runs again (a quick
    // restart), its new process gets a new port now.
    port.addEventListener('close', () => {
      if (this.port !== port) return;
      this.port = null;
      if (this.hasProcess() && this.retryArmed) {
        this.retryArmed = false;
        void this.connect(false);
      }
    });
    port.start();
  }

  private hasProcess(): boolean {
    return this.lastState === 'starting' || this.lastState === 'running' || this.lastState === 'paused';
  }

  /** The output the host kept for a VM without a process (stopped, crashed). */
  private async hostScrollback(): Promise<void> {
    const result = await this.options.api.call({ type: 'console.scrollback', vmId: this.vmId, console: this.stream });
    if (!result.ok) {
      this.settled(new Error(result.error.message));
      return;
    }
    const scrollback = (result.result as { scrollback?: string }).scrollback;
    if (this.open && scrollback) this.sink(base64ToBytes(scrollback));
    this.settled();
  }

  private post(message: ConsolePortInput): Promise<void> {
    if (!this.port) return Promise.reject(new Error('the VM is not running'));
    this.port.postMessage(message);
    return Promise.resolve();
  }

  send(bytes: Uint8Array): Promise<void> {
    return this.post({ type: 'input', data: bytes });
  }

  sendBreak(): Promise<void> {
    if (this.stream !== 'serial') return Promise.reject(new Error('a break is sent on the serial console only'));
    return this.post({ type: 'break' });
  }

  detach(): void {
    if (!this.open) return;
    this.open = false;
    this.stopEvents();
    this.port?.close();
    this.port = null;
  }
}

/** The ConsoleOpener of the desktop app: every console over a MessagePort from the VM process. */
export function desktopConsoleOpener(options: DesktopConsoleOptions): ConsoleOpener {
  return (vmId, stream, sink) => new PortConsole(options, vmId, stream, sink);
}
