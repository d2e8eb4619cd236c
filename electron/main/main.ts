/**
 * Electron main: app lifecycle, the one window (its state kept across runs), the native menu, the
 * quit confirmation, the API served over IPC, and console ports brokered between VM processes
 * (utility processes) and the page. Everything that is not Electron-specific lives in core/: the
 * same ApiServer and hypervisor `riscstation serve` runs.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, MessageChannelMain, screen, session, utilityProcess } from 'electron';
import { parseCommand, type ApiSession } from '../../core/api/index.js';
import type { DesktopCommand } from '../../core/api/desktop.js';
import { ApiServer } from '../../core/host/api-server.js';
import { hypervisorHandlers } from '../../core/hypervisor/api-handlers.js';
import { openNodeHost, type NodeHost } from '../../core/platform/node/host-setup.js';
import { LibraryLockedError } from '../../core/platform/node/lock.js';
import { packageInfo, rendererDir } from '../../core/platform/node/package-info.js';
import { handleAppProtocol, registerAppScheme } from './app-protocol.js';
import { registerConsolePortIpc, registerSelectionIpc, sendCommand } from './desktop-ipc.js';
import { forwardEvents, isTrustedSender, registerApiIpc } from './ipc.js';
import { buildMenuTemplate, type MenuSelection, type MenuVmAction } from './menu.js';
import { QuitFlow } from './quit.js';
import { desktopStrings } from './strings.js';
import { ElectronVmLauncher } from './vm-launcher.js';
import { createMainWindow, lockDown } from './window.js';
import { loadWindowState, saveWindowState, windowStatePath } from './window-state.js';

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
  // Each VM runs in its own utility process (vm-launcher.ts).
  const dataDir = app.getPath('userData');
  const launcher = new ElectronVmLauncher({ utilityProcess });
  let vmHost: NodeHost;
  try {
    vmHost = openNodeHost({ dataDir, launcher });
  } catch (error) {
    if (!(error instanceof LibraryLockedError)) throw error;
    dialog.showErrorBox('RiscStation', error.message);
    app.quit();
    return;
  }
  const hypervisor = vmHost.hypervisor;
  const api = new ApiServer({
    productVersion: packageInfo().version,
    dataDir,
    frontEnd: 'electron',
    electronVersion: process.versions.electron ?? null,
    handlers: hypervisorHandlers(hypervisor, { pid: process.pid, requestStop: () => app.quit() }),
    logError: (message, error) => console.error(message, error),
  });
  hypervisor.subscribe((event) => api.emit(event));

  // Window state: restored at start (validated, on-screen only), saved when the window closes.
  const log = (message: string) => console.warn(`riscstation: ${message}`);
  const stateFile = windowStatePath(dataDir);
  const readState = () =>
    loadWindowState(
      stateFile,
      screen.getAllDisplays().map((display) => display.workArea),
      log,
    );
  const restored = readState();
  /** The VM selected in the window (reported by the page); the VM menu acts on it. */
  let selectedVmId: string | null = restored?.lastVmId ?? null;

  let window: BrowserWindow | null = null;
  let windowSession: ApiSession | undefined;
  let pageLoaded = false;
  let pending: DesktopCommand[] = [];
  let saveTimer: NodeJS.Timeout | null = null;
  const saveState = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = null;
    if (!window || window.isDestroyed()) return;
    saveWindowState(stateFile, { bounds: window.getNormalBounds(), maximized: window.isMaximized(), lastVmId: selectedVmId }, log);
  };
  /** Saves a second after the last move, resize or selection (so a crash keeps the state too). */
  const saveSoon = () => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(saveState, 1000);
    saveTimer.unref();
  };
  /** Sends a command to the page, opening the window first when there is none (macOS). */
  const deliver = (command: DesktopCommand) => {
    if (window && pageLoaded) sendCommand(window, command);
    else {
      pending.push(command);
      if (!window) openWindow();
    }
  };

  // Main's own words (menu, quit question) follow the OS language, English or Japanese.
  const strings = desktopStrings(app.getLocale());
  const quitFlow = new QuitFlow({
    strings,
    listVms: () => hypervisor.list(),
    ask: async (options) => (window && !window.isDestroyed() ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options)).then((r) => r.response),
    shutdown: async () => {
      saveState();
      api.emit({ type: 'host.shuttingDown', reason: 'RiscStation is quitting' });
      await vmHost.close();
    },
    exit: (code) => app.exit(code),
    log: (message, error) => console.error(message, error),
  });

  let opened = 0;
  const openWindow = () => {
    // The first window opens as the app was left; one reopened later (macOS) as the last one was.
    const created = createMainWindow(PRELOAD_PATH, opened++ === 0 ? restored : readState());
    pageLoaded = false;
    windowSession = forwardEvents(api, created);
    created.webContents.on('did-finish-load', () => {
      pageLoaded = true;
      const restoredVm = selectedVmId && hypervisor.list().some((vm) => vm.id === selectedVmId) ? selectedVmId : null;
      if (restoredVm) sendCommand(created, { type: 'select', vmId: restoredVm });
      for (const command of pending) sendCommand(created, command);
      pending = [];
    });
    created.on('resize', saveSoon);
    created.on('move', saveSoon);
    created.on('maximize', saveSoon);
    created.on('unmaximize', saveSoon);
    created.on('close', (event: { preventDefault(): void }) => {
      saveState();
      // Closing the window quits (except on macOS): through the quit flow, which may ask first.
      if (process.platform !== 'darwin' && quitFlow.state !== 'closing') {
        event.preventDefault();
        app.quit();
      }
    });
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

  // Console streams: a MessagePort per attach, straight between the VM process and the page.
  registerConsolePortIpc({
    ipcMain,
    isTrusted: (event) => isTrustedSender(event, window),
    window: () => window,
    attachConsole: (vmId, stream, port) => launcher.processOf(vmId)?.attachConsole(stream, port) ?? false,
    newChannel: () => new MessageChannelMain(),
  });

  // The native menu follows the selected VM's state.
  const POWER_COMMANDS = { start: 'vm.start', stop: 'vm.stop', hardStop: 'vm.hardStop', pause: 'vm.pause', resume: 'vm.resume', reset: 'vm.reset' } as const;
  const power = (action: MenuVmAction, vmId: string) => {
    const parsed = parseCommand(action === 'ctrlAltDel' ? { type: 'vm.sendKeys', id: vmId, keys: 'ctrl-alt-del' } : { type: POWER_COMMANDS[action], id: vmId });
    if (!parsed.ok) return;
    void api.call(parsed.command, windowSession).then((result) => {
      let message: string | null = null;
      if (!result.ok) message = result.error.message;
      else if (action === 'ctrlAltDel' && !(result.result as { delivered: boolean }).delivered) message = strings.keysNotDelivered;
      if (message === null) return;
      const options = { type: 'error' as const, title: 'RiscStation', message };
      void (window ? dialog.showMessageBox(window, options) : dialog.showMessageBox(options));
    });
  };
  const menuSelection = (): MenuSelection | null => {
    const vm = selectedVmId === null ? undefined : hypervisor.list().find((v) => v.id === selectedVmId);
    return vm ? { id: vm.id, name: vm.name, state: vm.state } : null;
  };
  const refreshMenu = () => {
    const template = buildMenuTemplate(
      menuSelection(),
      { newVm: () => deliver({ type: 'newVm' }), preferences: () => deliver({ type: 'preferences' }), power, quit: () => app.quit() },
      process.platform,
      strings,
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  };
  registerSelectionIpc({
    ipcMain,
    isTrusted: (event) => isTrustedSender(event, window),
    onSelection: (report) => {
      selectedVmId = report.vmId;
      refreshMenu();
      saveSoon();
    },
  });
  hypervisor.subscribe((event) => {
    if (event.type === 'vm.stateChanged' || event.type === 'vm.removed' || event.type === 'vm.updated') refreshMenu();
  });
  refreshMenu();
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
  // Quitting while VMs run asks first; then the VMs are powered off and the app exits.
  app.on('before-quit', quitFlow.beforeQuit);
}
