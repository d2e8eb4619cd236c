/**
 * `riscstation serve` as a user runs it: the built CLI in its own process (npm run build:core
 * first; npm test does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { hostInfoSchema, serverMessageSchema } from '../../core/api/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = join(root, 'dist', 'core', 'host', 'cli', 'main.js');

function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /http:\/\/\S+\/\?token=\S+/.exec(out);
      if (match) resolve(match[0]);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('exit', (code) => reject(new Error(`riscstation serve exited with ${code} before printing a URL:\n${out}${err}`)));
  });
}

function openSocket(url: string): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

function exchange(ws: WebSocket, data: string): Promise<unknown> {
  return new Promise((resolve) => {
    ws.once('message', (message) => resolve(JSON.parse(message.toString())));
    ws.send(data);
  });
}

describe('riscstation serve (the built CLI)', () => {
  let child: ChildProcess;
  let url: URL;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run npm run build:core first`);
    dir = mkdtempSync(join(tmpdir(), 'riscstation-serve-'));
    const renderer = join(dir, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>RiscStation test page</title>');
    child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--renderer', renderer], {
      env: { ...process.env, RISCSTATION_HOME: join(dir, 'home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = new URL(await waitForUrl(child));
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL with the real port and a token', () => {
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).toBeGreaterThan(0);
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves the page with the CSP header', async () => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('RiscStation test page');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://${url.host}`);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('refuses a WebSocket without the token with 401', async () => {
    expect(await openSocket(`ws://${url.host}/api`)).toBe(401);
  });

  it('answers host.info over the WebSocket with the token, matching the schema', async () => {
    const ws = (await openSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`)) as WebSocket;
    const reply = (await exchange(ws, JSON.stringify({ kind: 'request', id: 1, command: { type: 'host.info' } }))) as {
      id: number;
      ok: boolean;
      result: unknown;
    };
    expect(serverMessageSchema.parse(reply)).toMatchObject({ kind: 'response', id: 1, ok: true });
    const info = hostInfoSchema.parse(reply.result);
    expect(info.frontEnd).toBe('web');
    expect(info.dataDir).toBe(join(dir, 'home'));
    ws.close();
  });

  it('answers a malformed message with an error and keeps serving', async () => {
    const ws = (await openSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`)) as WebSocket;
    expect(await exchange(ws, '{"kind":"request",')).toMatchObject({ kind: 'response', id: null, ok: false, error: { code: 'bad-request' } });
    expect(await exchange(ws, JSON.stringify({ kind: 'request', id: 2, command: { type: 'vm.list' } }))).toEqual({
      kind: 'response',
      id: 2,
      ok: true,
      result: [],
    });
    ws.close();
    expect(child.exitCode).toBeNull();
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
