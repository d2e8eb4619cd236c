import { describe, expect, it } from 'vitest';
import {
  ApiError,
  createApiClient,
  createInMemoryTransportPair,
  serveConnection,
  type ApiEvent,
} from '../../../../core/api/index.js';
import { ApiServer } from '../../../../core/host/api-server.js';

const options = { productVersion: '0.0.1', dataDir: '/d', frontEnd: 'web' as const };

describe('ApiServer', () => {
  it('never throws: an invalid command comes back as bad-request', async () => {
    const server = new ApiServer(options);
    for (const input of [undefined, null, 'host.info', { type: 'host.info', extra: 1 }, { type: 'vm.get' }]) {
      const result = await server.call(input);
      expect(result).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
  });

  it('routes a command to its handler with defaults filled in', async () => {
    const seen: unknown[] = [];
    const server = new ApiServer({
      ...options,
      handlers: {
        'console.attach': (command) => {
          seen.push(command);
          return { vmId: command.vmId, console: command.console };
        },
      },
    });
    expect(await server.call({ type: 'console.attach', vmId: 'a' })).toEqual({ ok: true, result: { vmId: 'a', console: 'serial' } });
    expect(seen).toEqual([{ type: 'console.attach', vmId: 'a', console: 'serial' }]);
  });

  it('passes a handler’s ApiError through and hides other failures behind internal', async () => {
    const logged: string[] = [];
    const server = new ApiServer({
      ...options,
      logError: (message) => logged.push(message),
      handlers: {
        'vm.start': () => {
          throw new ApiError('invalid-state', "VM 'a' is running");
        },
        'vm.stop': () => {
          throw new TypeError('oops');
        },
      },
    });
    expect(await server.call({ type: 'vm.start', id: 'a' })).toEqual({ ok: false, error: { code: 'invalid-state', message: "VM 'a' is running" } });
    expect(await server.call({ type: 'vm.stop', id: 'a' })).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(logged).toEqual(['vm.stop failed']);
  });

  it('gives handlers the session of the connection a command came from, for events to it alone', async () => {
    const server = new ApiServer({
      ...options,
      handlers: {
        'console.attach': (command, session) => {
          session.emit({ type: 'console.output', vmId: command.vmId, console: command.console, offset: 0, data: 'aGk=' });
          session.onClose(() => closed.push(session.id));
          return { vmId: command.vmId, console: command.console };
        },
      },
    });
    const closed: string[] = [];
    const a = createInMemoryTransportPair();
    const b = createInMemoryTransportPair();
    serveConnection(server, a.server);
    serveConnection(server, b.server);
    const clientA = createApiClient(a.client);
    const clientB = createApiClient(b.client);
    const seenA: ApiEvent[] = [];
    const seenB: ApiEvent[] = [];
    clientA.onEvent((event) => seenA.push(event));
    clientB.onEvent((event) => seenB.push(event));
    await clientA.consoleAttach('vm1');
    await clientB.vmList();
    expect(seenA).toEqual([{ type: 'console.output', vmId: 'vm1', console: 'serial', offset: 0, data: 'aGk=' }]);
    expect(seenB).toEqual([]);
    clientA.close();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatch(/^connection-\d+$/);
  });
});
