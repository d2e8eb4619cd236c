/**
 * The main window: sandboxed, context-isolated, no Node in the page, web security on, and locked
 * to our own page (no navigation away, no new windows, no <webview>).
 */
import { BrowserWindow, type BrowserWindowConstructorOptions, type WebContents } from 'electron';
import { APP_ORIGIN, APP_PAGE_URL } from './app-protocol.js';
import type { RestoredWindow } from './window-state.js';

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 500,
    title: 'RiscStation',
    show: false,
    backgroundColor: '#1e1f22',
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** True when `url` is one of our page's URLs. */
export function isAppUrl(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`);
}

/** Keeps a webContents on our page: refuses navigation elsewhere, new windows and webviews. */
export function lockDown(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Opens the main window, at its saved size and position when `restored` has them. */
export function createMainWindow(preloadPath: string, restored: RestoredWindow | null = null): BrowserWindow {
  const window = new BrowserWindow({ ...mainWindowOptions(preloadPath), ...(restored?.bounds ?? {}) });
  lockDown(window.webContents);
  window.once('ready-to-show', () => {
    if (restored?.maximized) window.maximize();
    window.show();
  });
  void window.loadURL(APP_PAGE_URL);
  return window;
}
