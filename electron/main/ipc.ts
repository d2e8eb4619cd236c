/**
 * The API over Electron IPC: one `invoke` channel in, one event channel out (core/api/ipc.ts).
 * Every call is checked twice before it reaches the ApiServer: the sender must be our window's
 * main frame showing our page, and the payload must pass the command schema.
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import {
  ApiError,
  IPC_CHANNELS,
  createSession,
  errorResult,
  parseCommand,
  type ApiEvent,
  type ApiService,
  type ApiSession,
  type CallResult,
} from '../../core/api/index.js';
import { isAppUrl } from './window.js';

/** What every IPC event says about its sender (invoke and send alike). */
export type IpcSenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/** True when an IPC message comes from `window`'s own top frame showing our page. */
export function isTrustedSender(event: IpcSenderEvent, window: BrowserWindow | null): boolean {
  if (!window || window.isDestroyed()) return false;
  if (event.sender !== window.webContents) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false; // destroyed or a subframe
  return isAppUrl(frame.url);
}

/**
 * Serves `api` on the call channel. Foreign senders are refused (the invoke rejects); invalid
 * payloads get a `bad-request` result, like over the WebSocket. Returns a function that removes
 * the handler.
 */
export function registerApiIpc(options: {
  ipcMain: IpcMain;
  api: ApiService;
  isTrusted: (event: IpcMainInvokeEvent) => boolean;
  /** The session of the (trusted) window that sent the call. */
  sessionOf?: (event: IpcMainInvokeEvent) => ApiSession | undefined;
}): () => void {
  options.ipcMain.handle(IPC_CHANNELS.call, async (event, payload: unknown): Promise<CallResult> => {
    if (!options.isTrusted(event)) {
      throw new Error(`refused ${IPC_CHANNELS.call} from ${event.senderFrame?.url ?? 'a destroyed frame'}: not RiscStation's window`);
    }
    const parsed = parseCommand(payload);
    if (!parsed.ok) return errorResult(new ApiError('bad-request', parsed.message));
    return options.api.call(parsed.command, options.sessionOf?.(event));
  });
  return () => options.ipcMain.removeHandler(IPC_CHANNELS.call);
}

/**
 * Sends every host event to `window` until it closes, and returns the window's session (events for
 * it alone, ended when the window closes).
 */
export function forwardEvents(api: ApiService, window: BrowserWindow): ApiSession {
  const send = (event: ApiEvent) => {
    if (!window.isDestroyed() && !window.webContents.isDestroyed()) window.webContents.send(IPC_CHANNELS.event, event);
  };
  const unsubscribe = api.subscribe(send);
  const { session, end } = createSession('window', send);
  window.once('closed', () => {
    unsubscribe();
    end();
  });
  return session;
}
