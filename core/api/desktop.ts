/**
 * The desktop app's extras beyond the API (Electron only): console streams over MessagePorts
 * straight from the VM process, the native menu's commands, and the window's selection. Electron's
 * preload exposes `DesktopBridge` as `window.riscstationDesktop`; main validates every payload.
 * Kept free of runtime imports so the sandboxed preload bundles just these strings.
 */
import type { ConsoleName } from './commands.js';

/** IPC channels of the desktop extras (besides core/api/ipc.ts's API channels). */
export const DESKTOP_CHANNELS = {
  /** renderer → main, invoke: `ConsolePortRequest` in, `ConsolePortAnswer` out; the port follows on `consolePort`. */
  openConsole: 'riscstation:console-open',
  /** main → renderer, `webContents.postMessage` with one MessagePort: `ConsolePortGrant`. */
  consolePort: 'riscstation:console-port',
  /** renderer → main, send: `SelectionReport` (the VM selected in the window; the menu acts on it). */
  selection: 'riscstation:selection',
  /** main → renderer, send: one `DesktopCommand` (menu actions, restored selection). */
  command: 'riscstation:command',
} as const;

export interface ConsolePortRequest {
  readonly vmId: string;
  readonly stream: ConsoleName;
  /** Chosen by the renderer to match the grant to its request (1..2^31). */
  readonly requestId: number;
}

export type ConsolePortAnswer = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** What accompanies a granted port (main → preload → page). */
export interface ConsolePortGrant {
  readonly vmId: string;
  readonly stream: ConsoleName;
  readonly requestId: number;
}

/**
 * The page receives a granted port by `window.postMessage` from the preload (Electron's way into a
 * context-isolated main world): `{ [CONSOLE_PORT_MESSAGE]: ConsolePortGrant }` with the port in
 * `event.ports[0]`.
 */
export const CONSOLE_PORT_MESSAGE = 'riscstation:console-port';

/**
 * Messages on a console port. VM process → page: the scrollback first, then live output, and
 * `error` (then close) when the stream cannot be attached. Page → VM process: typed bytes, and a
 * break on the serial line. The port closes when the VM process ends.
 */
export type ConsolePortMessage =
  | { readonly type: 'scrollback'; readonly data: Uint8Array }
  | { readonly type: 'output'; readonly data: Uint8Array }
  | { readonly type: 'error'; readonly message: string };
export type ConsolePortInput = { readonly type: 'input'; readonly data: Uint8Array } | { readonly type: 'break' };

/** Most bytes one `input` message may carry (the API's console.input limit). */
export const CONSOLE_INPUT_MAX = 64 * 1024;

export interface SelectionReport {
  /** The VM shown in the window, null when none is. */
  readonly vmId: string | null;
}

/** What the native menu (or window-state restore) asks the page to do. */
export type DesktopCommand =
  | { readonly type: 'newVm' }
  | { readonly type: 'preferences' }
  /** Select this VM (the one selected when the app was last closed). */
  | { readonly type: 'select'; readonly vmId: string };

/** `window.riscstationDesktop` in the desktop app. */
export interface DesktopBridge {
  /**
   * Asks for a port on a VM's console stream; it arrives by `window.postMessage`
   * (`CONSOLE_PORT_MESSAGE`). Resolves with `ok: false` when the VM has no running process.
   */
  openConsole(request: ConsolePortRequest): Promise<ConsolePortAnswer>;
  /** Tells main which VM the window shows (menu enablement and power actions follow it). */
  reportSelection(report: SelectionReport): void;
  /** Receives menu commands; returns an unsubscribe function. */
  onCommand(listener: (command: DesktopCommand) => void): () => void;
}

/** True when `value` is a well-formed DesktopCommand (the preload checks what main sends). */
export function isDesktopCommand(value: unknown): value is DesktopCommand {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.type === 'newVm' || v.type === 'preferences') return Object.keys(v).length === 1;
  return v.type === 'select' && typeof v.vmId === 'string' && v.vmId.length > 0 && v.vmId.length <= 64 && Object.keys(v).length === 2;
}
