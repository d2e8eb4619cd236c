/**
 * The names of the only IPC channels between Electron's preload and main. Kept free of imports so
 * the sandboxed preload (which can `require` nothing but electron) bundles just these strings.
 */
export const IPC_CHANNELS = {
  /** renderer → main, `ipcRenderer.invoke`: one command in, one `CallResult` out. */
  call: 'riscstation:call',
  /** main → renderer, `webContents.send`: one `ApiEvent`. */
  event: 'riscstation:event',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

const CHANNELS: readonly string[] = Object.values(IPC_CHANNELS);

/** True for exactly the channels above. */
export function isIpcChannel(name: unknown): name is IpcChannel {
  return typeof name === 'string' && CHANNELS.includes(name);
}
