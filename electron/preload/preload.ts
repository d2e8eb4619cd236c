/**
 * The preload: exposes `window.riscstation` (core/api's RiscstationBridge) and
 * `window.riscstationDesktop` (core/api/desktop.ts's DesktopBridge), and nothing else.
 *
 * It runs sandboxed, so it must be CommonJS and may `require` only electron: scripts/build-preload.mjs
 * bundles it (with the channel names from core/api) to dist/electron/preload/preload.cjs.
 * Only the fixed channels are reachable; the page never sees ipcRenderer or an IPC event object.
 * Console ports reach the page the way Electron documents for a context-isolated main world:
 * `window.postMessage` to our own origin with the port transferred.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, CallResult, CommandInput, RiscstationBridge } from '../../core/api/index.js';
import {
  CONSOLE_PORT_MESSAGE,
  DESKTOP_CHANNELS,
  isDesktopCommand,
  type ConsolePortAnswer,
  type ConsolePortGrant,
  type ConsolePortRequest,
  type DesktopBridge,
  type DesktopCommand,
  type SelectionReport,
} from '../../core/api/desktop.js';
import { IPC_CHANNELS, isIpcChannel, type IpcChannel } from '../../core/api/ipc.js';

function checked(channel: IpcChannel): IpcChannel {
  if (!isIpcChannel(channel)) throw new Error(`IPC channel '${String(channel)}' is not RiscStation's`);
  return channel;
}

const bridge: RiscstationBridge = {
  call(command: CommandInput): Promise<CallResult> {
    return ipcRenderer.invoke(checked(IPC_CHANNELS.call), command) as Promise<CallResult>;
  },
  onEvent(listener: (event: ApiEvent) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    const channel = checked(IPC_CHANNELS.event);
    const handler = (_event: IpcRendererEvent, payload: ApiEvent) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
};

/** The page's window as the preload sees it (this layer has no DOM types). */
interface PageWindow {
  postMessage(message: unknown, targetOrigin: string, transfer?: unknown[]): void;
  location: { origin: string };
}

const desktop: DesktopBridge = {
  openConsole(request: ConsolePortRequest): Promise<ConsolePortAnswer> {
    // Copied field by field: only these reach main (which validates them again).
    const { vmId, stream, requestId } = request;
    return ipcRenderer.invoke(DESKTOP_CHANNELS.openConsole, { vmId, stream, requestId }) as Promise<ConsolePortAnswer>;
  },
  reportSelection(report: SelectionReport): void {
    ipcRenderer.send(DESKTOP_CHANNELS.selection, { vmId: report.vmId });
  },
  onCommand(listener: (command: DesktopCommand) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('onCommand needs a function');
    const handler = (_event: IpcRendererEvent, payload: unknown) => {
      if (isDesktopCommand(payload)) listener(payload);
    };
    ipcRenderer.on(DESKTOP_CHANNELS.command, handler);
    return () => {
      ipcRenderer.removeListener(DESKTOP_CHANNELS.command, handler);
    };
  },
};

// A granted console port: on to the page, to our own origin only.
ipcRenderer.on(DESKTOP_CHANNELS.consolePort, (event: IpcRendererEvent, grant: ConsolePortGrant) => {
  const page = globalThis as unknown as PageWindow;
  const port = event.ports[0];
  if (!port) return;
  page.postMessage({ [CONSOLE_PORT_MESSAGE]: { vmId: grant.vmId, stream: grant.stream, requestId: grant.requestId } }, page.location.origin, [port]);
});

contextBridge.exposeInMainWorld('riscstation', bridge);
contextBridge.exposeInMainWorld('riscstationDesktop', desktop);
