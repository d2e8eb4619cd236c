/**
 * The web host (`riscstation serve`): the built renderer over HTTP and the API over a WebSocket at
 * /api, on loopback by default.
 *
 * Who may talk to it: whoever holds the random token printed in the URL. The WebSocket upgrade and
 * every /api route require `?token=` (401 without it); the Host header must name an IP address or
 * localhost (a DNS-rebinding page has a domain name there), and a browser's Origin must be the
 * page's own. Every WebSocket message is size-capped, parsed and validated; a bad one gets an
 * error response and the connection carries on.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  Listeners,
  MAX_MESSAGE_CHARS,
  decodeMessageText,
  errorResult,
  serveConnection,
  ApiError,
  type ApiService,
  type ServerConnection,
} from '../api/index.js';
import { SECURITY_HEADERS, contentSecurityPolicy, mimeType, resolveStaticPath } from './static-files.js';

export interface WebHostOptions {
  api: ApiService;
  /** Interface to listen on; default 127.0.0.1 (loopback only). */
  host?: string;
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** Access token; default 32 random bytes, base64url. */
  token?: string;
  /** Diagnostics (a client misbehaving, a file failing to stream). */
  log?: (line: string) => void;
}

export interface WebHost {
  /** The URL to open, token included: `http://127.0.0.1:PORT/?token=...`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** Closes every WebSocket (code 1001) and the listening socket. */
  close(): Promise<void>;
}

/** ws closes a connection whose single frame exceeds this; smaller oversize messages get an error reply. */
const HARD_FRAME_LIMIT = 4 * MAX_MESSAGE_CHARS + 1024;
/** A client that stops reading (bufferedAmount above this) is disconnected rather than buffered forever. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

function sameToken(given: string | null, expected: string): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * True when a Host header names an IP literal or localhost (the DNS-rebinding guard: a rebinding
 * page reaches us under its own domain name, and the browser sends that name). The port is not
 * checked: a proxy in front (Vite's dev server) legitimately forwards its own.
 */
export function isAllowedHostHeader(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(hostHeader);
  if (!match) return false;
  const name = match[1].startsWith('[') ? match[1].slice(1, -1) : match[1];
  return name.toLowerCase() === 'localhost' || isIP(name) !== 0;
}

/** A browser sends Origin on WebSocket and cross-origin requests: it must be the page's own origin. */
function isAllowedOrigin(origin: string | undefined, hostHeader: string): boolean {
  if (origin === undefined) return true; // not a browser (CLI, scripts): the token is the guard
  return origin === `http://${hostHeader}` || origin === `https://${hostHeader}`;
}

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return isIP(host) === 6 ? `[${host}]` : host;
}

function rejectUpgrade(socket: Duplex, status: number, reason: string, message: string): void {
  const body = message + '\n';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RiscStation</title></head>
<body><h1>RiscStation</h1><p>The user interface is not built yet. Run <code>npm run build</code>
in the RiscStation folder, then reload this page.</p></body></html>
`;

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const listenHost = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('base64url');
  const log = options.log ?? (() => {});

  /** Checks Host, Origin and token for /api: either admitted or the refusal to send. */
  function admit(req: IncomingMessage): { ok: true } | { ok: false; status: number; reason: string; message: string } {
    const hostHeader = req.headers.host;
    if (!isAllowedHostHeader(hostHeader)) {
      return { ok: false, status: 403, reason: 'Forbidden', message: 'Host header must be an IP address or localhost' };
    }
    if (!isAllowedOrigin(req.headers.origin, hostHeader as string)) {
      return { ok: false, status: 403, reason: 'Forbidden', message: 'cross-origin requests are not allowed' };
    }
    const url = new URL(req.url ?? '/', 'http://host');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
    if (!sameToken(url.searchParams.get('token') ?? bearer, token)) {
      return { ok: false, status: 401, reason: 'Unauthorized', message: 'a valid access token is required: use the URL riscstation serve printed' };
    }
    return { ok: true };
  }

  function sendText(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(message + '\n');
  }

  function serveFile(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    const indexFile = resolveStaticPath(options.rendererDir, '/');
    let file = resolveStaticPath(options.rendererDir, pathname);
    if (file === null) return sendText(res, 400, 'bad path');
    let stat = existsSync(file) ? statSync(file) : null;
    // Client-side routes (no file extension) get the app's page.
    if ((!stat || stat.isDirectory()) && !/\.[^/]*$/.test(pathname)) {
      file = indexFile as string;
      stat = existsSync(file) ? statSync(file) : null;
    }
    const isPage = file === indexFile;
    const headers: Record<string, string> = { ...SECURITY_HEADERS };
    if (isPage) {
      headers['Content-Security-Policy'] = contentSecurityPolicy(`ws://${req.headers.host}`);
      headers['Cache-Control'] = 'no-store';
    } else {
      headers['Cache-Control'] = 'no-cache';
    }
    if (!stat || !stat.isFile()) {
      if (!isPage) return sendText(res, 404, 'not found');
      res.writeHead(503, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': mimeType(file), 'Content-Length': String(stat.size) });
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(file);
    stream.on('error', (error) => {
      log(`could not read ${file}: ${error.message}`);
      res.destroy();
    });
    stream.pipe(res);
  }

  const server = createServer((req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://host');
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
        const admitted = admit(req);
        if (!admitted.ok) return sendText(res, admitted.status, admitted.message);
        return sendText(res, 426, 'the API speaks WebSocket: connect to ws://<host>/api?token=...', { Upgrade: 'websocket' });
      }
      if (!isAllowedHostHeader(req.headers.host)) {
        return sendText(res, 403, 'Host header must be an IP address or localhost');
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
      serveFile(req, res, url.pathname);
    } catch (error) {
      log(`request failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    }
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_FRAME_LIMIT, perMessageDeflate: false });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://host');
    if (url.pathname !== '/api') return rejectUpgrade(socket, 404, 'Not Found', 'the API is at /api');
    const admitted = admit(req);
    if (!admitted.ok) return rejectUpgrade(socket, admitted.status, admitted.reason, admitted.message);
    wss.handleUpgrade(req, socket, head, (ws) => serveWebSocket(ws));
  });

  function serveWebSocket(ws: WebSocket): void {
    const messages = new Listeners<unknown>();
    const closed = new Listeners<string>();
    const connection: ServerConnection = {
      send(message) {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          ws.close(1008, 'client is not reading its messages');
          return;
        }
        ws.send(JSON.stringify(message));
      },
      onMessage: (listener) => messages.add(listener),
      onClose: (listener) => closed.add(listener),
      close: (reason = 'closed by host') => ws.close(1000, reason),
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        connection.send({
          kind: 'response',
          id: null,
          ...errorResult(new ApiError('bad-request', 'send JSON text frames, not binary frames')),
        });
        return;
      }
      const decoded = decodeMessageText(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8'));
      if (!decoded.ok) connection.send(decoded.response);
      else messages.emit(decoded.value);
    });
    ws.on('error', (error) => log(`WebSocket error: ${error.message}`));
    ws.on('close', (code, reason) => closed.emit(reason.toString() || `code ${code}`));
    serveConnection(options.api, connection);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${formatHost(listenHost)}:${port}/?token=${token}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    host: listenHost,
    port,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const client of wss.clients) client.close(1001, 'RiscStation is shutting down');
        wss.close();
        server.close(() => resolve());
        server.closeIdleConnections();
        // Give WebSockets a moment to finish their close handshake, then cut what remains.
        setTimeout(() => {
          for (const client of wss.clients) client.terminate();
          server.closeAllConnections();
        }, 500).unref();
      });
      return closing;
    },
  };
}
