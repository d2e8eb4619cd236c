/**
 * Electron main: app lifecycle, the one window, and the API served over IPC. Everything that is
 * not Electron-specific lives in core/: the same ApiServer and hypervisor `riscstation serve` runs.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import type { ApiSession } from '../../core/api/index.js';
import { ApiServer } from '../../core/host/api-server.js';
import { hypervisorHandlers } from '../../core/hypervisor/api-handlers.js';
import { openNodeHost, type NodeHost } from '../../core/platform/node/host-setup.js';
import { LibraryLockedError } from '../../core/platform/node/lock.js';
import { packageInfo, rendererDir } from '../../core/platform/node/package-info.js';
import { handleAppProtocol, registerAppScheme } from './app-protocol.js';
import { forwardEvents, isTrustedSender, registerApiIpc } from './ipc.js';
import { createMainWindow, lockDown } from './window.js';

/** dist/electron/preload/preload.cjs, built by scripts/build-preload.mjs (sandboxed preloads must be CommonJS). */
const PRELOAD_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'preload', 'preload.cjs');

registerAppScheme();
app.enableSandbox();

/** Resolves once the app is up with its window (tests await it). */
export const started: Promise<void> = start();

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // Lock down every webContents the app ever creates, not just ours.
  app.on('web-contents-created', (_event, contents) => lockDown(contents));
  await app.whenReady();

  // The page asks for nothing (camera, notifications, ...): refuse every permission.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  handleAppProtocol(rendererDir());

  // The VM library (Electron's userData folder): one host per library, so a second one is refused.
  const dataDir = app.getPath('userData');
  let vmHost: NodeHost;
  try {
    vmHost = openNodeHost({ dataDir });
  } catch (error) {
    if (!(error instanceof LibraryLockedError)) throw error;
    dialog.showErrorBox('RiscStation', error.message);
    app.quit();
    return;
  }
  const api = new ApiServer({
    productVersion: packageInfo().version,
    dataDir,
    frontEnd: 'electron',
    electronVersion: process.versions.electron ?? null,
    handlers: hypervisorHandlers(vmHost.hypervisor, { pid: process.pid, requestStop: () => app.quit() }),
    logError: (message, error) => console.error(message, error),
  });
  vmHost.hypervisor.subscribe((event) => api.emit(event));

  let window: BrowserWindow | null = null;
  let windowSession: ApiSession | undefined;
  const openWindow = () => {
    const created = createMainWindow(PRELOAD_PATH);
    windowSession = forwardEvents(api, created);
    created.on('closed', () => {
      if (window === created) window = null;
    });
    window = created;
  };
  registerApiIpc({
    ipcMain,
    api,
    isTrusted: (event) => isTrustedSender(event, window),
    sessionOf: () => windowSession,
  });
  openWindow();

  app.on('second-instance', () => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Quitting powers the VMs off first (stop, then hard stop after the timeout), then exits.
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    api.emit({ type: 'host.shuttingDown', reason: 'RiscStation is quitting' });
    vmHost.close().then(
      () => app.exit(0),
      (error: unknown) => {
        console.error('shutting the VMs down failed', error);
        app.exit(1);
      },
    );
  });
}
