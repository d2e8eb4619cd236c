/**
 * How CLI commands reach the running host (`riscstation serve`): its control file
 * (<data>/host.json: pid, URL, token; mode 0600) names the WebSocket API. `vm start` may start a
 * host in the background when none runs; other commands say how to start one.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ApiError, apiWebSocketUrl, createApiClient, createWebSocketTransport, type ApiClient, type WebSocketLike } from '../../api/index.js';
import { readControlFile, type HostControlFile } from '../../platform/node/host-setup.js';
import { packageInfo } from '../../platform/node/package-info.js';
import { defaultDataDir } from '../../platform/node/paths.js';

export interface HostConnection {
  readonly api: ApiClient;
  readonly host: HostControlFile;
  /** True when this command started the host. */
  readonly started: boolean;
  close(): void;
}

const START_TIMEOUT_MS = 15_000;

/** Starts `riscstation serve` detached (its output goes to <data>/host.log) and waits for its control file. */
async function startHostInBackground(dataDir: string): Promise<HostControlFile> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = openSync(join(dataDir, 'host.log'), 'a', 0o600);
  let exited: string | null = null;
  try {
    const child = spawn(process.execPath, [join(packageInfo().root, 'dist', 'core', 'host', 'cli', 'main.js'), 'serve'], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, RISCSTATION_HOME: dataDir },
    });
    child.once('exit', (code) => (exited = `exited with code ${code}`));
    child.unref();
  } finally {
    closeSync(log);
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const info = readControlFile(dataDir);
    if (info) return info;
    if (exited) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new ApiError(
    'disconnected',
    `could not start a RiscStation host in the background (${exited ?? 'it did not come up in time'}); see ${join(dataDir, 'host.log')}`,
  );
}

/** Connects to the host serving this data folder. */
export async function connectHost(options: { autostart?: boolean } = {}): Promise<HostConnection> {
  const dataDir = defaultDataDir();
  let info = readControlFile(dataDir);
  let started = false;
  if (!info) {
    if (!options.autostart) {
      throw new ApiError('disconnected', `no RiscStation host is running for ${dataDir}: start one with 'riscstation serve' (or 'riscstation vm start ID', which starts one)`);
    }
    info = await startHostInBackground(dataDir);
    started = true;
  }
  const page = new URL(info.url);
  const socket = new WebSocket(apiWebSocketUrl(page, info.token));
  const api = createApiClient(createWebSocketTransport(socket as unknown as WebSocketLike));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', (error) => reject(new ApiError('disconnected', `cannot reach the RiscStation host at ${page.host} (pid ${info.pid}): ${error.message}`)));
    socket.once('unexpected-response', (_req, res) =>
      reject(new ApiError('disconnected', `the RiscStation host at ${page.host} refused the connection (HTTP ${res.statusCode})`)),
    );
  });
  return { api, host: info, started, close: () => api.close() };
}
