/**
 * Message channels between a client and the host, after VS Code's IPC: the protocol does not care
 * what carries it. A `Channel` moves already-decoded JSON values one way and back; the receiver
 * treats everything it receives as untrusted (`unknown`) and validates it.
 */
import type { ClientMessage, ServerMessage } from './protocol.js';
import { decodeMessageText } from './protocol.js';

/** One end of a bidirectional message channel. */
export interface Channel<Out> {
  /** Sends one message. Messages sent after close are dropped. */
  send(message: Out): void;
  /** Delivers each received message (untrusted); returns an unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Called once when either side closes (or the carrier fails). */
  onClose(listener: (reason: string) => void): () => void;
  close(reason?: string): void;
}

/** The client's end: sends requests, receives responses and events. */
export type Transport = Channel<ClientMessage>;
/** The host's end of one connection: receives requests, sends responses and events. */
export type ServerConnection = Channel<ServerMessage>;

class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();
  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(value: T): void {
    for (const listener of [...this.set]) listener(value);
  }
}

/**
 * A connected client/host pair in one process, for tests and in-process front ends (the CLI).
 * Messages are copied through JSON and delivered asynchronously, as on a real wire, so a test
 * through this pair sees exactly what a WebSocket client would.
 */
export function createInMemoryTransportPair(): { client: Transport; server: ServerConnection } {
  const toServer = new Listeners<unknown>();
  const toClient = new Listeners<unknown>();
  const closed = new Listeners<string>();
  let isClosed = false;
  const deliver = (target: Listeners<unknown>, message: unknown) => {
    if (isClosed) return;
    const copy: unknown = JSON.parse(JSON.stringify(message));
    void Promise.resolve().then(() => {
      if (!isClosed) target.emit(copy);
    });
  };
  const close = (reason = 'closed') => {
    if (isClosed) return;
    isClosed = true;
    void Promise.resolve().then(() => closed.emit(reason));
  };
  return {
    client: {
      send: (message) => deliver(toServer, message),
      onMessage: (listener) => toClient.add(listener),
      onClose: (listener) => closed.add(listener),
      close,
    },
    server: {
      send: (message) => deliver(toClient, message),
      onMessage: (listener) => toServer.add(listener),
      onClose: (listener) => closed.add(listener),
      close,
    },
  };
}

/**
 * The parts of a WebSocket the client transport needs: the browser's `WebSocket` and the `ws`
 * package's both fit.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

const WS_CONNECTING = 0;
const WS_OPEN = 1;

/**
 * The WebSocket URL of a web host's API for a page it served:
 * page `http://127.0.0.1:8080/?token=T` → `ws://127.0.0.1:8080/api?token=T`.
 */
export function apiWebSocketUrl(page: { protocol: string; host: string }, token: string): string {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}/api?token=${encodeURIComponent(token)}`;
}

/**
 * A client transport over a WebSocket (JSON text frames). Messages sent while the socket is still
 * connecting are queued and flushed when it opens.
 */
export function createWebSocketTransport(socket: WebSocketLike): Transport {
  const messages = new Listeners<unknown>();
  const closed = new Listeners<string>();
  const queue: string[] = [];
  let isClosed = false;
  const finish = (reason: string) => {
    if (isClosed) return;
    isClosed = true;
    queue.length = 0;
    closed.emit(reason);
  };
  socket.addEventListener('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return; // the host sends text frames only
    const decoded = decodeMessageText(event.data);
    if (decoded.ok) messages.emit(decoded.value);
  });
  socket.addEventListener('close', (event) =>
    finish(event.reason ? `connection closed: ${event.reason}` : `connection closed (code ${event.code})`),
  );
  socket.addEventListener('error', () => finish('connection failed'));
  return {
    send(message) {
      if (isClosed) return;
      const text = JSON.stringify(message);
      if (socket.readyState === WS_OPEN) socket.send(text);
      else if (socket.readyState === WS_CONNECTING) queue.push(text);
    },
    onMessage: (listener) => messages.add(listener),
    onClose: (listener) => closed.add(listener),
    close(reason = 'closed by client') {
      socket.close(1000, reason);
      finish(reason);
    },
  };
}

export { Listeners };
