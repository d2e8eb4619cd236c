/**
 * The desktop extras over IPC (core/api/desktop.ts): console ports, the window's selection and the
 * menu's commands. Like the API channel, every message is refused unless it comes from our window's
 * top frame showing our page, and every payload must pass its schema.
 */
import type { BrowserWindow, IpcMain, IpcMainEvent, IpcMainInvokeEvent, MessageChannelMain, MessagePortMain } from 'electron';
import { z } from 'zod';
import { consoleNameSchema, vmIdSchema, type ConsoleName } from '../../core/api/index.js';
import { DESKTOP_CHANNELS, type ConsolePortAnswer, type ConsolePortGrant, type DesktopCommand, type SelectionReport } from '../../core/api/desktop.js';
import type { IpcSenderEvent } from './ipc.js';

export const consolePortRequestSchema = z.strictObject({
  vmId: vmIdSchema,
  stream: consoleNameSchema,
  requestId: z.number().int().min(1).max(2 ** 31),
});

export const selectionReportSchema = z.strictObject({ vmId: vmIdSchema.nullable() });

function refused(channel: string, event: IpcSenderEvent): Error {
  return new Error(`refused ${channel} from ${event.senderFrame?.url ?? 'a destroyed frame'}: not RiscStation's window`);
}

export interface ConsolePortOptions {
  readonly ipcMain: IpcMain;
  readonly isTrusted: (event: IpcSenderEvent) => boolean;
  /** The window ports go to. */
  readonly window: () => BrowserWindow | null;
  /** Hands one end of a channel to the VM's process; false when the VM has no live process. */
  readonly attachConsole: (vmId: string, stream: ConsoleName, port: MessagePortMain) => boolean;
  /** `new MessageChannelMain()` (injected: tests run without Electron). */
  readonly newChannel: () => MessageChannelMain;
}

/**
 * Serves `openConsole`: a MessageChannelMain per attach, one end to the VM process, the other to
 * the window with a `ConsolePortGrant`. Main keeps neither end, so console bytes never pass it.
 */
export function registerConsolePortIpc(options: ConsolePortOptions): () => void {
  const channel = DESKTOP_CHANNELS.openConsole;
  options.ipcMain.handle(channel, (event: IpcMainInvokeEvent, payload: unknown): ConsolePortAnswer => {
    if (!options.isTrusted(event)) throw refused(channel, event);
    const parsed = consolePortRequestSchema.safeParse(payload);
    if (!parsed.success) return { ok: false, message: `bad console port request: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
    const request = parsed.data;
    const window = options.window();
    if (!window || window.isDestroyed()) return { ok: false, message: 'the window is gone' };
    const { port1, port2 } = options.newChannel();
    if (!options.attachConsole(request.vmId, request.stream, port1)) {
      port1.close();
      port2.close();
      return { ok: false, message: `VM '${request.vmId}' is not running` };
    }
    const grant: ConsolePortGrant = { vmId: request.vmId, stream: request.stream, requestId: request.requestId };
    window.webContents.postMessage(DESKTOP_CHANNELS.consolePort, grant, [port2]);
    return { ok: true };
  });
  return () => options.ipcMain.removeHandler(channel);
}

/**
 * Listens for the window's selection reports. A report from a foreign sender or with a bad payload
 * is dropped and logged (a `send` has no answer to refuse with).
 */
export function registerSelectionIpc(options: {
  ipcMain: IpcMain;
  isTrusted: (event: IpcSenderEvent) => boolean;
  onSelection: (report: SelectionReport) => void;
  log?: (message: string) => void;
}): () => void {
  const channel = DESKTOP_CHANNELS.selection;
  const log = options.log ?? ((message: string) => console.warn(message));
  const listener = (event: IpcMainEvent, payload: unknown) => {
    if (!options.isTrusted(event)) {
      log(refused(channel, event).message);
      return;
    }
    const parsed = selectionReportSchema.safeParse(payload);
    if (!parsed.success) {
      log(`ignored a malformed ${channel} payload: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    options.onSelection(parsed.data);
  };
  options.ipcMain.on(channel, listener);
  return () => options.ipcMain.removeListener(channel, listener);
}

/** Sends a menu command to the window (dropped when it is gone). */
export function sendCommand(window: BrowserWindow | null, command: DesktopCommand): void {
  if (window && !window.isDestroyed() && !window.webContents.isDestroyed()) window.webContents.send(DESKTOP_CHANNELS.command, command);
}
