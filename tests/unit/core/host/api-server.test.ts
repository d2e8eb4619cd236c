import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../core/api/index.js';
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
    expect(await server.call({ type: 'console.attach', vmId: 'a' })).toEqual({ ok: true, result: { vmId: 'a', console: 'serial0' } });
    expect(seen).toEqual([{ type: 'console.attach', vmId: 'a', console: 'serial0' }]);
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
});
