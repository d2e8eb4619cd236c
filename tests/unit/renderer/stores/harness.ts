/**
 * Runs renderer stores in Node against the real host API: an ApiServer (core/host) served over
 * core/api's in-memory transport pair, which copies every message through JSON as a wire would.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { createApp, type App } from 'vue';
import { createInMemoryTransportPair, serveConnection, type ServerConnection } from '../../../../core/api/index.js';
import { ApiServer, type CommandHandlers } from '../../../../core/host/api-server.js';
import { uiEnvironmentKey, type UiEnvironment } from '../../../../renderer/services/environment.js';
import { ConnectError, connectorKey, type Connector } from '../../../../renderer/services/transport.js';

export interface Harness {
  app: App;
  pinia: Pinia;
  server: ApiServer;
  /** Host ends of every connection the stores opened, newest last. */
  connections: ServerConnection[];
}

export function createHarness(options: { environment?: UiEnvironment; connector?: Connector; handlers?: CommandHandlers } = {}): Harness {
  const server = new ApiServer({
    productVersion: '0.1.0-test',
    dataDir: mkdtempSync(join(tmpdir(), 'riscstation-renderer-')),
    frontEnd: 'web',
    handlers: options.handlers,
  });
  const connections: ServerConnection[] = [];
  const connector: Connector =
    options.connector ??
    (() => {
      const pair = createInMemoryTransportPair();
      serveConnection(server, pair.server);
      connections.push(pair.server);
      return { transport: pair.client, kind: 'websocket' };
    });
  const app = createApp({ render: () => null });
  app.provide(connectorKey, connector);
  app.provide(uiEnvironmentKey, options.environment ?? memoryEnvironment());
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return { app, pinia, server, connections };
}

/** A connector for a page opened without ?token= (what windowConnector returns then). */
export const noTokenConnector: Connector = () => {
  throw new ConnectError('no-token', 'the page address has no ?token=');
};

/** A UiEnvironment whose storage lives in a Map and whose OS preferences the test changes. */
export function memoryEnvironment(init: { languages?: string[]; dark?: boolean; stored?: Record<string, string> } = {}) {
  const items = new Map(Object.entries(init.stored ?? {}));
  let languages = init.languages ?? ['en-US'];
  let dark = init.dark ?? false;
  const languageListeners = new Set<() => void>();
  const darkListeners = new Set<() => void>();
  const environment: UiEnvironment & {
    items: Map<string, string>;
    setLanguages(list: string[]): void;
    setDark(value: boolean): void;
  } = {
    items,
    storage: { getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, String(value)) },
    languages: () => languages,
    onLanguagesChange: (listener) => (languageListeners.add(listener), () => languageListeners.delete(listener)),
    prefersDark: () => dark,
    onPrefersDarkChange: (listener) => (darkListeners.add(listener), () => darkListeners.delete(listener)),
    setLanguages(list) {
      languages = list;
      for (const l of languageListeners) l();
    },
    setDark(value) {
      dark = value;
      for (const l of darkListeners) l();
    },
  };
  return environment;
}

/** Lets queued promise callbacks and the in-memory transport's deliveries run. */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}
