/**
 * A stand-in for the `electron` module, the one boundary these tests fake (Electron's binary
 * cannot run here). It records what the code under test asks Electron to do.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

export class FakeWebContents {
  readonly listeners = new Map<string, Listener[]>();
  readonly sent: [string, unknown][] = [];
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  destroyed = false;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.openHandler = handler;
  }
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
  /** webContents.postMessage: recorded with the ports it transfers. */
  readonly posted: [string, unknown, unknown[]][] = [];
  postMessage(channel: string, message: unknown, transfer: unknown[] = []) {
    this.posted.push([channel, message, transfer]);
  }
  isDestroyed() {
    return this.destroyed;
  }
}

/** A MessagePortMain: Node-style events, messages as `{ data, ports }`, linked to its twin. */
export class FakeMessagePort extends EventEmitter {
  twin: FakeMessagePort | null = null;
  started = false;
  closed = false;
  readonly received: unknown[] = [];
  postMessage(message: unknown) {
    if (this.closed || !this.twin || this.twin.closed) return;
    const twin = this.twin;
    twin.received.push(message);
    queueMicrotask(() => twin.emit('message', { data: message, ports: [] }));
  }
  start() {
    this.started = true;
  }
  close() {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
    if (this.twin && !this.twin.closed) this.twin.close();
  }
}

export class FakeMessageChannelMain {
  static instances: FakeMessageChannelMain[] = [];
  readonly port1 = new FakeMessagePort();
  readonly port2 = new FakeMessagePort();
  constructor() {
    this.port1.twin = this.port2;
    this.port2.twin = this.port1;
    FakeMessageChannelMain.instances.push(this);
  }
}

/** A UtilityProcess: records what main posts, lets the test play the child (message, exit). */
export class FakeUtilityProcess extends EventEmitter {
  static forks: { modulePath: string; args: string[]; options: Record<string, unknown>; child: FakeUtilityProcess }[] = [];
  pid: number | undefined;
  readonly stderr: EventEmitter & { pipe: (dest: NodeJS.WritableStream) => void };
  readonly posted: [unknown, unknown[]][] = [];
  killCalls = 0;
  constructor(pid: number) {
    super();
    this.pid = pid;
    const stderr = new EventEmitter() as EventEmitter & { pipe: (dest: NodeJS.WritableStream) => void };
    stderr.pipe = (dest) => {
      stderr.on('data', (chunk: string) => dest.write(chunk));
      stderr.on('end', () => dest.end());
    };
    this.stderr = stderr;
  }
  postMessage(message: unknown, transfer: unknown[] = []) {
    this.posted.push([message, transfer]);
  }
  kill() {
    this.killCalls++;
    return true;
  }
  /** Plays the child exiting. */
  exit(code: number) {
    this.pid = undefined;
    this.stderr.emit('end');
    this.emit('exit', code);
  }
}

let nextPid = 40_000;
export const fakeUtilityProcess = {
  fork: vi.fn((modulePath: string, args: string[] = [], options: Record<string, unknown> = {}) => {
    const child = new FakeUtilityProcess(nextPid++);
    FakeUtilityProcess.forks.push({ modulePath, args, options, child });
    return child;
  }),
};

export class FakeBrowserWindow {
  static instances: FakeBrowserWindow[] = [];
  static getAllWindows() {
    return FakeBrowserWindow.instances;
  }
  readonly webContents = new FakeWebContents();
  readonly listeners = new Map<string, Listener[]>();
  loadedUrl: string | null = null;
  maximized = false;
  constructor(readonly options: Record<string, unknown>) {
    FakeBrowserWindow.instances.push(this);
  }
  loadURL(url: string) {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener) {
    return this.on(event, listener);
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  isMaximized() {
    return this.maximized;
  }
  maximize() {
    this.maximized = true;
  }
  getNormalBounds() {
    const o = this.options as { x?: number; y?: number; width?: number; height?: number };
    return { x: o.x ?? 10, y: o.y ?? 20, width: o.width ?? 1280, height: o.height ?? 800 };
  }
  /** Plays an event on the window (close with a preventable event, closed...). */
  emit(event: string, ...args: unknown[]) {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
  show() {}
  focus() {}
  restore() {}
}

export function createFakeElectron() {
  /** app.getPath() answers folders under here (the VM library goes to userData). */
  const pathsRoot = mkdtempSync(join(tmpdir(), 'riscstation-electron-'));
  const ipcHandlers = new Map<string, Listener>();
  const appListeners = new Map<string, Listener[]>();
  const exposed: [string, unknown][] = [];
  const rendererListeners = new Map<string, Listener[]>();
  const mainListeners = new Map<string, Listener[]>();
  const menus: { template: unknown[] }[] = [];
  const module = {
    app: {
      enableSandbox: vi.fn(),
      requestSingleInstanceLock: vi.fn(() => true),
      quit: vi.fn(),
      whenReady: vi.fn(() => Promise.resolve()),
      getPath: vi.fn((name: string) => join(pathsRoot, name)),
      getLocale: vi.fn(() => 'en-US'),
      exit: vi.fn(),
      on: vi.fn((event: string, listener: Listener) => {
        appListeners.set(event, [...(appListeners.get(event) ?? []), listener]);
      }),
    },
    dialog: {
      showErrorBox: vi.fn(),
      /** Answers with `nextResponse` (the index of the button chosen). */
      showMessageBox: vi.fn((..._args: unknown[]) => Promise.resolve({ response: module.dialog.nextResponse, checkboxChecked: false })),
      nextResponse: 1,
    },
    Menu: {
      buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
      setApplicationMenu: vi.fn((menu: { template: unknown[] }) => menus.push(menu)),
    },
    MessageChannelMain: FakeMessageChannelMain,
    utilityProcess: fakeUtilityProcess,
    screen: { getAllDisplays: vi.fn(() => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }]) },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    ipcMain: {
      handle: vi.fn((channel: string, listener: Listener) => ipcHandlers.set(channel, listener)),
      removeHandler: vi.fn((channel: string) => ipcHandlers.delete(channel)),
      on: vi.fn((channel: string, listener: Listener) => {
        mainListeners.set(channel, [...(mainListeners.get(channel) ?? []), listener]);
      }),
      removeListener: vi.fn((channel: string, listener: Listener) => {
        mainListeners.set(channel, (mainListeners.get(channel) ?? []).filter((l) => l !== listener));
      }),
    },
    BrowserWindow: FakeBrowserWindow,
    contextBridge: {
      exposeInMainWorld: vi.fn((key: string, api: unknown) => exposed.push([key, api])),
    },
    ipcRenderer: {
      invoke: vi.fn((channel: string, payload: unknown) => Promise.resolve({ ok: true, result: { channel, payload } })),
      send: vi.fn(),
      on: vi.fn((channel: string, listener: Listener) => {
        rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), listener]);
      }),
      removeListener: vi.fn((channel: string, listener: Listener) => {
        rendererListeners.set(channel, (rendererListeners.get(channel) ?? []).filter((l) => l !== listener));
      }),
    },
  };
  return { module, pathsRoot, ipcHandlers, appListeners, exposed, rendererListeners, mainListeners, menus };
}
