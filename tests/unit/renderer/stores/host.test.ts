import { cpus, totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { useHostStore } from '../../../../renderer/stores/host.js';
import { createHarness, noTokenConnector, settle } from './harness.js';

describe('useHostStore', () => {
  it('connects and holds the host info the API server reports', async () => {
    createHarness();
    const host = useHostStore();
    expect(host.status).toBe('idle');
    const connecting = host.connect();
    expect(host.status).toBe('connecting');
    await connecting;
    expect(host.status).toBe('connected');
    expect(host.via).toBe('websocket');
    expect(host.info?.cpuCount).toBe(cpus().length);
    expect(host.info?.totalMemoryBytes).toBe(totalmem());
    expect(host.info?.product).toEqual({ name: 'RiscStation', version: '0.1.0-test' });
    expect(host.problem).toBeNull();
  });

  it('reports a lost connection when the host closes it', async () => {
    const { connections } = createHarness();
    const host = useHostStore();
    await host.connect();
    connections[0].close('host stopped');
    await settle();
    expect(host.status).toBe('disconnected');
    expect(host.problem).toEqual({ kind: 'lost', detail: 'host stopped' });
  });

  it('marks the connection lost when the host announces it is shutting down', async () => {
    const { server } = createHarness();
    const host = useHostStore();
    await host.connect();
    server.emit({ type: 'host.shuttingDown', reason: 'Ctrl+C' });
    await settle();
    expect(host.status).toBe('disconnected');
    expect(host.problem?.detail).toBe('Ctrl+C');
  });

  it('reconnects on a fresh connection after a loss', async () => {
    const { connections } = createHarness();
    const host = useHostStore();
    await host.connect();
    connections[0].close('gone');
    await settle();
    await host.connect();
    expect(connections).toHaveLength(2);
    expect(host.status).toBe('connected');
    expect(host.problem).toBeNull();
  });

  it('fails with a no-token problem when the page has no access token', async () => {
    createHarness({ connector: noTokenConnector });
    const host = useHostStore();
    await host.connect();
    expect(host.status).toBe('failed');
    expect(host.problem?.kind).toBe('noToken');
    expect(host.client).toBeNull();
  });
});
