/**
 * A stand-in for the `electron` module, the one boundary these tests fake (Electron's binary
 * cannot run here). It records what the code under test asks Electron to do.
 */
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
  isDestroyed() {
    return this.destroyed;
  }
}

export class FakeBrowserWindow {
  static instances: FakeBrowserWindow[] = [];
  static getAllWindows() {
    return FakeBrowserWindow.instances;
  }
  readonly webContents = new FakeWebContents();
  readonly listeners = new Map<string, Listener[]>();
  loadedUrl: string | null = null;
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
  const module = {
    app: {
      enableSandbox: vi.fn(),
      requestSingleInstanceLock: vi.fn(() => true),
      quit: vi.fn(),
      whenReady: vi.fn(() => Promise.resolve()),
      getPath: vi.fn((name: string) => join(pathsRoot, name)),
      exit: vi.fn(),
      on: vi.fn((event: string, listener: Listener) => {
        appListeners.set(event, [...(appListeners.get(event) ?? []), listener]);
      }),
    },
    dialog: { showErrorBox: vi.fn() },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    ipcMain: {
      handle: vi.fn((channel: string, listener: Listener) => ipcHandlers.set(channel, listener)),
      removeHandler: vi.fn((channel: string) => ipcHandlers.delete(channel)),
    },
    BrowserWindow: FakeBrowserWindow,
    contextBridge: {
      exposeInMainWorld: vi.fn((key: string, api: unknown) => exposed.push([key, api])),
    },
    ipcRenderer: {
      invoke: vi.fn((channel: string, payload: unknown) => Promise.resolve({ ok: true, result: { channel, payload } })),
      on: vi.fn((channel: string, listener: Listener) => {
        rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), listener]);
      }),
      removeListener: vi.fn((channel: string, listener: Listener) => {
        rendererListeners.set(channel, (rendererListeners.get(channel) ?? []).filter((l) => l !== listener));
      }),
    },
  };
  return { module, pathsRoot, ipcHandlers, appListeners, exposed, rendererListeners };
}
