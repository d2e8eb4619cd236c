/**
 * The host side of the protocol, independent of what carries it: `serveConnection` reads requests
 * from one connection, hands their commands to the `ApiService` and writes back responses and
 * events. The web host uses it per WebSocket; tests use it with the in-memory pair.
 */
import type { ApiEvent } from './events.js';
import { errorResult, parseRequestEnvelope, type CallResult } from './protocol.js';
import type { ServerConnection } from './transport.js';

/** What the host implements once for every front end (core/host's ApiServer). */
export interface ApiService {
  /** Validates an untrusted command and runs it. Never throws: failures come back as `{ ok: false }`. */
  call(command: unknown): Promise<CallResult>;
  /** Host-wide events for every front end; returns an unsubscribe function. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

/** Serves one connection until it closes. Returns a function that stops serving it. */
export function serveConnection(service: ApiService, connection: ServerConnection): () => void {
  let open = true;
  const unsubscribe = service.subscribe((event) => {
    if (open) connection.send({ kind: 'event', event });
  });
  const stopMessages = connection.onMessage((message) => {
    const request = parseRequestEnvelope(message);
    if (!request.ok) {
      connection.send({ kind: 'response', id: request.id, ...errorResult(request.error) });
      return;
    }
    service.call(request.command).then(
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
  };
  connection.onClose(stop);
  return stop;
}
