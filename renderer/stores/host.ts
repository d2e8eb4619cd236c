/**
 * The connection to the host and what the host says about itself (host.info). Other stores use
 * `client` from here; it changes when the connection is re-opened.
 */
import { defineStore } from 'pinia';
import { computed, inject, ref, shallowRef } from 'vue';
import { ApiError, createApiClient, type ApiClient, type HostInfo } from '../../core/api/index.js';
import { ConnectError, connectorKey, windowConnector, type Connector, type TransportKind } from '../services/transport.js';

export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'failed';

/** Why the connection is not up, for the status bar: an i18n key under `errors.` plus detail. */
export interface ConnectionProblem {
  kind: 'noToken' | 'refused' | 'lost' | 'generic';
  detail: string;
}

export const useHostStore = defineStore('host', () => {
  const connector: Connector = inject(connectorKey, null) ?? windowConnector(window);

  const status = ref<ConnectionStatus>('idle');
  const via = ref<TransportKind | null>(null);
  const info = ref<HostInfo | null>(null);
  const problem = ref<ConnectionProblem | null>(null);
  const client = shallowRef<ApiClient | null>(null);

  const connected = computed(() => status.value === 'connected');

  function fail(kind: ConnectionProblem['kind'], detail: string, next: ConnectionStatus): void {
    status.value = next;
    problem.value = { kind, detail };
  }

  /** (Re)connects and fetches host info. Resolves when connected or failed; never rejects. */
  async function connect(): Promise<void> {
    client.value?.close();
    client.value = null;
    status.value = 'connecting';
    problem.value = null;

    let api: ApiClient;
    try {
      const opened = connector();
      via.value = opened.kind;
      api = createApiClient(opened.transport);
    } catch (error) {
      if (error instanceof ConnectError) fail('noToken', error.message, 'failed');
      else fail('generic', String(error), 'failed');
      return;
    }
    client.value = api;
    api.onClose((reason) => {
      if (client.value !== api) return; // an older connection we replaced
      // Closing before host.info answered means we never got in (refused token, host gone).
      if (status.value === 'connecting') fail('refused', reason, 'failed');
      else fail('lost', reason, 'disconnected');
    });
    api.onEvent((event) => {
      if (event.type === 'host.shuttingDown' && client.value === api) fail('lost', event.reason, 'disconnected');
    });

    try {
      const hostInfo = await api.hostInfo();
      if (client.value !== api) return;
      info.value = hostInfo;
      status.value = 'connected';
    } catch (error) {
      if (client.value !== api) return;
      const message = error instanceof ApiError ? error.message : String(error);
      if (status.value !== 'connecting') return; // onClose already said why
      if (error instanceof ApiError && error.code === 'disconnected') fail('refused', message, 'failed');
      else fail('generic', message, 'failed');
    }
  }

  /** Fetches host.info again (free memory changes). */
  async function refreshInfo(): Promise<void> {
    const api = client.value;
    if (!api || status.value !== 'connected') return;
    info.value = await api.hostInfo();
  }

  function disconnect(): void {
    const api = client.value;
    client.value = null;
    api?.close();
    status.value = 'idle';
  }

  return { status, via, info, problem, client, connected, connect, refreshInfo, disconnect };
});
