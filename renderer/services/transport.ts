/**
 * Picks how this window talks to the host:
 *  - desktop app: Electron's preload exposes `window.riscstation` (a RiscstationBridge);
 *  - browser: a WebSocket to `/api` on the page's own host, with the access token that
 *    `riscstation serve` put in the page URL (`?token=`). The token is then removed from the
 *    address bar (history.replaceState) so it does not linger in bookmarks or screenshots; it is
 *    kept for this page's lifetime so a reconnect can use it.
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

/**
 * The connector for a real window: the preload bridge when present, else the page's WebSocket.
 * Call once at start-up (it consumes the token in the address bar).
 */
export function windowConnector(win: Window): Connector {
  const bridge = win.riscstation;
  if (bridge) return () => ({ transport: createBridgeTransport(bridge), kind: 'preload' });

  const { token, cleanUrl } = takeToken(win.location.href);
  if (token !== null) win.history.replaceState(win.history.state, '', cleanUrl);
  const page = { protocol: win.location.protocol, host: win.location.host };
  return () => {
    if (token === null) {
      throw new ConnectError('no-token', 'the page address has no ?token= (open the address printed by riscstation serve)');
    }
    const socket = new win.WebSocket(apiWebSocketUrl(page, token));
    return { transport: createWebSocketTransport(socket), kind: 'websocket' };
  };
}
