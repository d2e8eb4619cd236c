/**
 * The host side of the protocol, independent of what carries it: `serveConnection` reads requests
 * from one connection, hands their commands to the `ApiService` and writes back responses and
 * events. The web host uses it per WebSocket; tests use it with the in-memory pair.
 */
import type { ApiEvent } from './events.js';
import { errorResult, parseRequestEnvelope, type CallResult } from './protocol.js';
import type { ServerConnection } from './transport.js';

/**
 * One connected front end (a WebSocket, an Electron window). Commands that subscribe to something
 * for "this connection" (console.attach) send through `emit` and clean up in `onClose`.
 */
export interface ApiSession {
  /** Unique among the host's sessions. */
  readonly id: string;
  /** Sends an event to this session only. */
  emit(event: ApiEvent): void;
  /** Runs once when the session ends; returns an unsubscribe function. */
  onClose(listener: () => void): () => void;
}

let sessionCount = 0;

/** A session over a send function; call `end()` when its connection closes. */
export function createSession(kind: string, send: (event: ApiEvent) => void): { session: ApiSession; end(): void } {
  const closeListeners = new Set<() => void>();
  let open = true;
  const session: ApiSession = {
    id: `${kind}-${++sessionCount}`,
    emit: (event) => {
      if (open) send(event);
    },
    onClose(listener) {
      if (!open) {
        listener();
        return () => {};
      }
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
  };
  return {
    session,
    end() {
      if (!open) return;
      open = false;
      for (const listener of [...closeListeners]) listener();
      closeListeners.clear();
    },
  };
}

/** What the host implements once for every front end (core/host's ApiServer). */
export interface ApiService {
  /**
   * Validates an untrusted command and runs it on behalf of `session` (none for in-process
   * callers). Never throws: failures come back as `{ ok: false }`.
   */
  call(command: unknown, session?: ApiSession): Promise<CallResult>;
  /** Host-wide events for every front end; returns an unsubscribe function. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

/** Serves one connection until it closes. Returns a function that stops serving it. */
export function serveConnection(service: ApiService, connection: ServerConnection): () => void {
  let open = true;
  const { session, end } = createSession('connection', (event) => connection.send({ kind: 'event', event }));
  const unsubscribe = service.subscribe((event) => {
    if (open) connection.send({ kind: 'event', event });
  });
  const stopMessages = connection.onMessage((message) => {
    const request = parseRequestEnvelope(message);
    if (!request.ok) {
      connection.send({ kind: 'response', id: request.id, ...errorResult(request.error) });
      return;
    }
    service.call(request.command, session).then(
      (result) => {
        if (open) connection.send({ kind: 'response', id: request.id, ...result });
      },
      (error: unknown) => {
        if (open) connection.send({ kind: 'response', id: request.id, ...errorResult(error) });
      },
    );
  });
  const stop = () => {
    if (!open) return;
    open = false;
    unsubscribe();
    stopMessages();
    end();
  };
  connection.onClose(stop);
  return stop;
}
