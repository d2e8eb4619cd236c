/**
 * The preload: exposes `window.riscstation` (core/api's RiscstationBridge) and nothing else.
 *
 * It runs sandboxed, so it must be CommonJS and may `require` only electron: scripts/build-preload.mjs
 * bundles it (with the channel names from core/api/ipc.ts) to dist/electron/preload/preload.cjs.
 * Only the two fixed channels are reachable; the page never sees ipcRenderer or an IPC event object.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent, CallResult, CommandInput, RiscstationBridge } from '../../core/api/index.js';
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

contextBridge.exposeInMainWorld('riscstation', bridge);
