/**
 * The desktop app's bridge: what Electron's preload exposes as `window.riscstation` and how a
 * renderer turns it into a `Transport`. Electron main serves the same `ApiService` over these
 * two IPC channels (and no others).
 */
import type { CommandInput } from './commands.js';
import type { ApiEvent } from './events.js';
import type { CallResult } from './protocol.js';
import { Listeners, type Transport } from './transport.js';
import { parseRequestEnvelope } from './protocol.js';

export { IPC_CHANNELS, isIpcChannel, type IpcChannel } from './ipc.js';

/** `window.riscstation` in the desktop app. Nothing else is exposed to the page. */
export interface RiscstationBridge {
  /** Runs one command in the host. Never rejects for API errors: they come back as `{ ok: false }`. */
  call(command: CommandInput): Promise<CallResult>;
  /** Receives host events; returns an unsubscribe function. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

/** A `Transport` over `window.riscstation`, so the same `ApiClient` works in Electron and a browser. */
export function createBridgeTransport(bridge: RiscstationBridge): Transport {
  const messages = new Listeners<unknown>();
  const closed = new Listeners<string>();
  let isClosed = false;
  const stopEvents = bridge.onEvent((event) => {
    if (!isClosed) messages.emit({ kind: 'event', event });
  });
  return {
    send(message) {
      if (isClosed) return;
      const request = parseRequestEnvelope(message);
      if (!request.ok) return;
      bridge.call(message.command).then(
        (result) => {
          if (!isClosed) messages.emit({ kind: 'response', id: request.id, ...result });
        },
        (error: unknown) => {
          if (isClosed) return;
          const text = error instanceof Error ? error.message : String(error);
          messages.emit({ kind: 'response', id: request.id, ok: false, error: { code: 'internal', message: text } });
        },
      );
    },
    onMessage: (listener) => messages.add(listener),
    onClose: (listener) => closed.add(listener),
    close(reason = 'closed by client') {
      if (isClosed) return;
      isClosed = true;
      stopEvents();
      closed.emit(reason);
    },
  };
}
