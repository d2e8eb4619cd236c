/**
 * Picks how this window talks to the host:
 *  - desktop app: Electron's preload exposes `window.riscstation` (a RiscstationBridge);
 *  - browser: a WebSocket to `/api` on the page's own host, with the access token that
 *    `riscstation serve` put in the page URL (`?token=`). The token is then removed from the
 *    address bar (history.replaceState) so it does not linger in bookmarks, history or
 *    screenshots. It is kept in sessionStorage (this tab only, gone when the tab closes) so a reload
 *    or a reconnect still works.
 */
import type { InjectionKey } from 'vue';
import {
  apiWebSocketUrl,
  createBridgeTransport,
  createWebSocketTransport,
  type RiscstationBridge,
  type Transport,
} from '../../core/api/index.js';

export type TransportKind = 'preload' | 'websocket';

export interface OpenedTransport {
  transport: Transport;
  kind: TransportKind;
}

/** Opens a fresh transport to the host; throws ConnectError when none can be opened. */
export type Connector = () => OpenedTransport;

export const connectorKey: InjectionKey<Connector> = Symbol('riscstation.connector');

/** Why no transport could be opened: `no-token` means the page URL carries no access token. */
export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  constructor(
    readonly reason: 'no-token',
    message: string,
  ) {
    super(message);
  }
}

declare global {
  interface Window {
    /** Present only in the desktop app (electron/preload). */
    riscstation?: RiscstationBridge;
  }
}

/** Reads `?token=` from a page URL and returns the URL without it (other parameters and the hash kept). */
export function takeToken(href: string): { token: string | null; cleanUrl: string } {
  const url = new URL(href);
  const token = url.searchParams.get('token');
  url.searchParams.delete('token');
  return { token: token || null, cleanUrl: url.pathname + url.search + url.hash };
}

/** sessionStorage key holding this tab's access token after it left the address bar. */
export const TOKEN_SESSION_KEY = 'riscstation.token';

/**
 * The connector for a real window: the preload bridge when present, else the page's WebSocket.
 * Call once at start-up (it consumes the token in the address bar).
 */
export function windowConnector(win: Window & typeof globalThis): Connector {
  const bridge = win.riscstation;
  if (bridge) return () => ({ transport: createBridgeTransport(bridge), kind: 'preload' });

  const fromUrl = takeToken(win.location.href);
  let token = fromUrl.token;
  let session: Storage | null = null;
  try {
    session = win.sessionStorage;
  } catch {
    // Storage disabled: a reload will need the printed address again.
  }
  if (token !== null) {
    win.history.replaceState(win.history.state, '', fromUrl.cleanUrl);
    session?.setItem(TOKEN_SESSION_KEY, token);
  } else {
    token = session?.getItem(TOKEN_SESSION_KEY) ?? null;
  }
  const page = { protocol: win.location.protocol, host: win.location.host };
  return () => {
    if (token === null) {
      throw new ConnectError('no-token', 'the page address has no ?token= (open the address printed by riscstation serve)');
    }
    const socket = new win.WebSocket(apiWebSocketUrl(page, token));
    return { transport: createWebSocketTransport(socket), kind: 'websocket' };
  };
}
