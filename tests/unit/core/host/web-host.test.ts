import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  MAX_MESSAGE_CHARS,
  createApiClient,
  createWebSocketTransport,
  hostInfoSchema,
  serverMessageSchema,
} from '../../../../core/api/index.js';
import { ApiServer } from '../../../../core/host/api-server.js';
import { isAllowedHostHeader, startWebHost, type WebHost } from '../../../../core/host/web-host.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so tests control every header (fetch would normalise Host and paths). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket; resolves with it when open, or with the HTTP status that refused it. */
function openSocket(url: string, options: { origin?: string; headers?: Record<string, string> } = {}): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** Sends one text frame and waits for the next message. */
function exchange(ws: WebSocket, data: string | Buffer): Promise<unknown> {
  return new Promise((resolve) => {
    ws.once('message', (message) => resolve(JSON.parse(message.toString())));
    ws.send(data);
  });
}

describe('web host', () => {
  let dir: string;
  let host: WebHost;
  let api: ApiServer;
  let base: string;
  let wsUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'riscstation-webhost-'));
    const root = join(dir, 'renderer');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'secret.txt'), 'TOP SECRET');
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>RiscStation</title><script type="module" src="./assets/app.js"></script>');
    writeFileSync(join(root, 'assets', 'app.js'), 'export {};');
    writeFileSync(join(root, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(root, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(root, 'assets', 'font.woff2'), 'wOF2');
    writeFileSync(join(root, 'assets', 'engine.wasm'), '\0asm');
    api = new ApiServer({ productVersion: '1.2.3', dataDir: dir, frontEnd: 'web' });
    host = await startWebHost({ api, rendererDir: root, port: 0 });
    base = `http://127.0.0.1:${host.port}`;
    wsUrl = `ws://127.0.0.1:${host.port}/api?token=${host.token}`;
  });

  afterAll(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL carrying a 32-byte token', () => {
    expect(host.url).toBe(`${base}/?token=${host.token}`);
    expect(Buffer.from(host.token, 'base64url')).toHaveLength(32);
  });

  it('serves index.html with a strict CSP: no inline code, WebSocket to itself, never framed', async () => {
    const reply = await get(host.port, '/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.body).toContain('<title>RiscStation</title>');
    const csp = String(reply.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves assets with their MIME types', async () => {
    const types: Record<string, string> = {
      '/assets/app.js': 'text/javascript; charset=utf-8',
      '/assets/app.css': 'text/css; charset=utf-8',
      '/assets/logo.svg': 'image/svg+xml',
      '/assets/font.woff2': 'font/woff2',
      '/assets/engine.wasm': 'application/wasm',
    };
    for (const [path, type] of Object.entries(types)) {
      const reply = await get(host.port, path);
      expect([path, reply.status, reply.headers['content-type']]).toEqual([path, 200, type]);
    }
  });

  it('answers 404 for a missing asset and the page for a client-side route', async () => {
    expect((await get(host.port, '/assets/missing.js')).status).toBe(404);
    const route = await get(host.port, '/vms/alpine');
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>RiscStation</title>');
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00']) {
      const reply = await get(host.port, path);
      expect([path, reply.body.includes('TOP SECRET')]).toEqual([path, false]);
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get(host.port, '/', {}, 'POST')).status).toBe(405);
    const head = await get(host.port, '/', {}, 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it('refuses a Host header that is a domain name (DNS rebinding)', async () => {
    expect((await get(host.port, '/', { Host: `evil.example:${host.port}` })).status).toBe(403);
    expect((await get(host.port, '/', { Host: `localhost:${host.port}` })).status).toBe(200);
    expect((await get(host.port, '/', { Host: 'evil.example' })).status).toBe(403);
    expect(isAllowedHostHeader(`[::1]:${host.port}`)).toBe(true);
    expect(isAllowedHostHeader('127.0.0.1')).toBe(true);
    expect(isAllowedHostHeader('192.168.1.20:8080')).toBe(true);
    expect(isAllowedHostHeader('127.0.0.1.nip.io:8080')).toBe(false);
    expect(isAllowedHostHeader(undefined)).toBe(false);
  });

  it('guards /api over HTTP with the token too', async () => {
    expect((await get(host.port, '/api')).status).toBe(401);
    expect((await get(host.port, '/api?token=wrong')).status).toBe(401);
    expect((await get(host.port, `/api?token=${host.token}`)).status).toBe(426);
    expect((await get(host.port, '/api/anything', { Authorization: `Bearer ${host.token}` })).status).toBe(426);
  });

  it('refuses a WebSocket without the token, with a wrong one, or from a foreign origin', async () => {
    expect(await openSocket(`ws://127.0.0.1:${host.port}/api`)).toBe(401);
    expect(await openSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}x`)).toBe(401);
    expect(await openSocket(`ws://127.0.0.1:${host.port}/elsewhere?token=${host.token}`)).toBe(404);
    expect(await openSocket(wsUrl, { origin: 'http://evil.example' })).toBe(403);
    expect(await openSocket(wsUrl, { headers: { Host: `rebound.example:${host.port}` } })).toBe(403);
    const ws = await openSocket(wsUrl, { origin: `http://127.0.0.1:${host.port}` });
    expect(ws).toBeInstanceOf(WebSocket);
    (ws as WebSocket).close();
  });

  it('serves the typed client over a WebSocket with the token', async () => {
    const ws = (await openSocket(wsUrl)) as WebSocket;
    const client = createApiClient(createWebSocketTransport(ws));
    const info = await client.hostInfo();
    expect(hostInfoSchema.parse(info).frontEnd).toBe('web');
    expect(await client.vmList()).toEqual([]);
    await expect(client.vmPause('alpine')).rejects.toMatchObject({ code: 'not-implemented' });
    client.close();
  });

  it('queues calls made while the WebSocket is still connecting', async () => {
    const ws = new WebSocket(wsUrl);
    const client = createApiClient(createWebSocketTransport(ws));
    const [info, list] = await Promise.all([client.hostInfo(), client.vmList()]);
    expect([info.product.version, list]).toEqual(['1.2.3', []]);
    client.close();
  });

  it('answers malformed messages with a clear error and keeps serving the connection', async () => {
    const ws = (await openSocket(wsUrl)) as WebSocket;
    const cases: [string | Buffer, unknown][] = [
      ['not json', { kind: 'response', id: null, ok: false, error: { code: 'bad-request' } }],
      ['[1,2]', { kind: 'response', id: null, ok: false, error: { code: 'bad-request' } }],
      [JSON.stringify({ kind: 'request', id: 5, command: { type: 'vm.nuke' } }), { id: 5, ok: false, error: { code: 'bad-request' } }],
      [JSON.stringify({ kind: 'request', id: 6, command: { type: 'vm.get', id: '../../etc' } }), { id: 6, ok: false, error: { code: 'bad-request' } }],
      [JSON.stringify({ kind: 'request', id: -1, command: { type: 'host.info' } }), { id: null, ok: false, error: { code: 'bad-request' } }],
      [Buffer.from([1, 2, 3]), { id: null, ok: false, error: { code: 'bad-request', message: 'send JSON text frames, not binary frames' } }],
      ['x'.repeat(MAX_MESSAGE_CHARS + 1), { id: null, ok: false, error: { code: 'message-too-large' } }],
    ];
    for (const [data, expected] of cases) {
      const reply = await exchange(ws, data);
      expect(serverMessageSchema.safeParse(reply).success).toBe(true);
      expect(reply).toMatchObject(expected as object);
    }
    const ok = await exchange(ws, JSON.stringify({ kind: 'request', id: 7, command: { type: 'vm.list' } }));
    expect(ok).toEqual({ kind: 'response', id: 7, ok: true, result: [] });
    ws.close();
  });

  it('sends host events to connected clients and closes them with 1001 on shutdown', async () => {
    const api2 = new ApiServer({ productVersion: '1.2.3', dataDir: dir, frontEnd: 'web' });
    const host2 = await startWebHost({ api: api2, rendererDir: join(dir, 'renderer') });
    const ws = (await openSocket(`ws://127.0.0.1:${host2.port}/api?token=${host2.token}`)) as WebSocket;
    const event = new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
    const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    api2.emit({ type: 'host.shuttingDown', reason: 'test' });
    expect(await event).toEqual({ kind: 'event', event: { type: 'host.shuttingDown', reason: 'test' } });
    await host2.close();
    expect(await closed).toBe(1001);
  });
});
