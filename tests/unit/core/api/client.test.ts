import { describe, expect, it } from 'vitest';
import {
  ApiError,
  createApiClient,
  createInMemoryTransportPair,
  hostInfoSchema,
  serveConnection,
  type ApiEvent,
  type CommandInput,
} from '../../../../core/api/index.js';
import { ApiServer } from '../../../../core/host/api-server.js';

function connect() {
  const server = new ApiServer({ productVersion: '9.8.7', dataDir: '/data/rs', frontEnd: 'cli' });
  const pair = createInMemoryTransportPair();
  serveConnection(server, pair.server);
  const client = createApiClient(pair.client);
  return { server, client, pair };
}

describe('ApiClient over the in-memory transport pair', () => {
  it('host.info answers with facts matching the schema', async () => {
    const { client } = connect();
    const info = await client.hostInfo();
    expect(hostInfoSchema.parse(info)).toEqual(info);
    expect(info.product).toEqual({ name: 'RiscStation', version: '9.8.7' });
    expect(info.dataDir).toBe('/data/rs');
    expect(info.frontEnd).toBe('cli');
    expect(info.electronVersion).toBeNull();
    expect(info.nodeVersion).toBe(process.versions.node);
    expect(info.cpuCount).toBeGreaterThanOrEqual(1);
    expect(info.totalMemoryBytes).toBeGreaterThan(info.freeMemoryBytes);
  });

  it('vm.list is empty until the hypervisor lands', async () => {
    expect(await connect().client.vmList()).toEqual([]);
  });

  it('VM commands are refused with not-implemented and a message naming the command', async () => {
    const { client } = connect();
    const error = await client.vmStart('alpine').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'not-implemented' });
    expect((error as ApiError).message).toContain('vm.start');
  });

  it('a command that fails its schema is refused with bad-request before reaching the host', async () => {
    const { client } = connect();
    const error = (await client.vmCreate({ name: 'big', harts: 9 }).catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('bad-request');
    expect(error.message).toContain('harts');
    expect(error.message).toContain('at most 8 harts');
  });

  it('host events reach every connected client', async () => {
    const { server, client } = connect();
    const received: ApiEvent[] = [];
    client.onEvent((event) => received.push(event));
    server.emit({ type: 'vm.stateChanged', id: 'alpine', state: 'running', previous: 'created' });
    await client.vmList(); // a round trip: the event was sent before the response
    expect(received).toEqual([{ type: 'vm.stateChanged', id: 'alpine', state: 'running', previous: 'created' }]);
  });

  it('pending calls reject with disconnected when the transport closes, and later calls too', async () => {
    const pair = createInMemoryTransportPair();
    const client = createApiClient(pair.client); // nobody serves the other end
    const pending = client.hostInfo();
    pair.server.close('host went away');
    await expect(pending).rejects.toMatchObject({ code: 'disconnected' });
    await expect(client.vmList()).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('an answer that does not match the contract rejects with bad-response', async () => {
    const pair = createInMemoryTransportPair();
    // A host of another version: answers host.info with the wrong shape.
    pair.server.onMessage((message) => {
      const id = (message as { id: number }).id;
      pair.server.send({ kind: 'response', id, ok: true, result: { product: 'old' } });
    });
    const client = createApiClient(pair.client);
    await expect(client.hostInfo()).rejects.toMatchObject({ code: 'bad-response' });
  });

  it('every command in the contract gets an answer: host.info and vm.list work, the rest are not implemented yet', async () => {
    const { client } = connect();
    const outcomes: Record<string, string> = {};
    const commands: CommandInput[] = [
      { type: 'host.info' },
      { type: 'vm.list' },
      { type: 'vm.get', id: 'a' },
      { type: 'vm.create', config: { name: 'a' } },
      { type: 'vm.update', id: 'a', patch: { notes: 'n' } },
      { type: 'vm.delete', id: 'a' },
      { type: 'vm.start', id: 'a' },
      { type: 'vm.stop', id: 'a' },
      { type: 'vm.hardStop', id: 'a' },
      { type: 'vm.reset', id: 'a' },
      { type: 'vm.pause', id: 'a' },
      { type: 'vm.resume', id: 'a' },
      { type: 'console.attach', vmId: 'a' },
      { type: 'console.detach', vmId: 'a' },
      { type: 'console.input', vmId: 'a', data: 'bHM=' },
    ];
    for (const command of commands) {
      outcomes[command.type] = await client.call(command).then(
        () => 'ok',
        (e: ApiError) => e.code,
      );
    }
    const expected = Object.fromEntries(commands.map(({ type }) => [type, 'not-implemented']));
    expect(outcomes).toEqual({ ...expected, 'host.info': 'ok', 'vm.list': 'ok' });
  });
});
