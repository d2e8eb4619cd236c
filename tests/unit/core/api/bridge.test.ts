import { describe, expect, it } from 'vitest';
import {
  createApiClient,
  createBridgeTransport,
  isIpcChannel,
  IPC_CHANNELS,
  type ApiEvent,
  type RiscstationBridge,
} from '../../../../core/api/index.js';
import { ApiServer } from '../../../../core/host/api-server.js';

/** What Electron's preload + main amount to, minus the IPC hop: call → ApiServer.call, events → subscribe. */
function inProcessBridge(server: ApiServer): RiscstationBridge {
  return {
    call: (command) => server.call(JSON.parse(JSON.stringify(command))),
    onEvent: (listener) => server.subscribe(listener),
  };
}

describe('createBridgeTransport (window.riscstation in the desktop app)', () => {
  it('carries typed calls, API errors and events like the WebSocket does', async () => {
    const server = new ApiServer({ productVersion: '1.0.0', dataDir: '/d', frontEnd: 'electron' });
    const client = createApiClient(createBridgeTransport(inProcessBridge(server)));
    expect((await client.hostInfo()).frontEnd).toBe('electron');
    await expect(client.vmGet('nope')).rejects.toMatchObject({ code: 'not-implemented' });
    await expect(client.call({ type: 'vm.get', id: 'Bad Id' })).rejects.toMatchObject({ code: 'bad-request' });
    const events: ApiEvent[] = [];
    client.onEvent((event) => events.push(event));
    server.emit({ type: 'vm.removed', id: 'x' });
    expect(events).toEqual([{ type: 'vm.removed', id: 'x' }]);
  });

  it('a bridge that throws becomes an internal error, and closing stops events and calls', async () => {
    const server = new ApiServer({ productVersion: '1.0.0', dataDir: '/d', frontEnd: 'electron' });
    const client = createApiClient(
      createBridgeTransport({ call: () => Promise.reject(new Error('IPC broke')), onEvent: (l) => server.subscribe(l) }),
    );
    await expect(client.hostInfo()).rejects.toMatchObject({ code: 'internal', message: 'IPC broke' });
    const events: ApiEvent[] = [];
    client.onEvent((event) => events.push(event));
    client.close();
    server.emit({ type: 'vm.removed', id: 'x' });
    expect(events).toEqual([]);
    await expect(client.vmList()).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('knows exactly two IPC channels', () => {
    expect(Object.values(IPC_CHANNELS)).toEqual(['riscstation:call', 'riscstation:event']);
    expect(['riscstation:call', 'riscstation:event', 'riscstation:other', 'call', 42].map(isIpcChannel)).toEqual([true, true, false, false, false]);
  });
});
