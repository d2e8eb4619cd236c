import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  base64ToBytes,
  ConsoleFollower,
  createApiClient,
  createWebSocketTransport,
  textToBase64,
  type ApiClient,
  type ApiEvent,
  type WebSocketLike,
} from '../../../../core/api/index.js';
import { hypervisorHandlers } from '../../../../core/hypervisor/api-handlers.js';
import { ApiServer } from '../../../../core/host/api-server.js';
import { startWebHost, type WebHost } from '../../../../core/host/web-host.js';
import { buildHypervisorGuest, gcc } from '../../../integration/hypervisor-guests.js';
import { checkFloodLines } from '../../../helpers/console-flood.js';
import { tempHost, waitForConsole } from './test-host.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function served() {
  const { hv, dataDir } = tempHost();
  cleanups.push(() => hv.shutdown());
  const api = new ApiServer({ productVersion: '0', dataDir, frontEnd: 'web', handlers: hypervisorHandlers(hv, { pid: process.pid, requestStop: () => {} }) });
  hv.subscribe((e) => api.emit(e));
  const rendererDir = join(dataDir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
  const web: WebHost = await startWebHost({ api, rendererDir, port: 0 });
  cleanups.push(() => web.close());
  const client = async (): Promise<{ api: ApiClient; events: ApiEvent[] }> => {
    const ws = new WebSocket(`ws://127.0.0.1:${web.port}/api?token=${web.token}`);
    const c = createApiClient(createWebSocketTransport(ws as unknown as WebSocketLike));
    cleanups.push(() => c.close());
    const events: ApiEvent[] = [];
    c.onEvent((e) => events.push(e));
    await c.hostInfo();
    return { api: c, events };
  };
  return { hv, client };
}

const outputOf = (events: ApiEvent[], console = 'serial') =>
  events
    .filter((e) => e.type === 'console.output' && e.console === console)
    .map((e) => (e.type === 'console.output' ? new TextDecoder().decode(base64ToBytes(e.data)) : ''))
    .join('');

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!gcc.available)('console commands over WebSocket (real VM runtime, in-memory process)', () => {
  it('sends console output only to the connection attached to that VM and console, until it detaches', async () => {
    const { hv, client } = await served();
    const attached = await client();
    const other = await client();
    const vm = await attached.api.vmCreate({ name: 'echo', firmware: { kind: 'none' }, kernel: buildHypervisorGuest('idle-echo'), memoryMiB: 32 });
    await attached.api.vmStart(vm.id);
    await waitForConsole(hv, vm.id, 'idle-echo ready');

    const answer = await attached.api.consoleAttach(vm.id);
    expect(new TextDecoder().decode(base64ToBytes(answer.scrollback ?? ''))).toContain('idle-echo ready');
    const shown: Uint8Array[] = [];
    const follower = new ConsoleFollower((b) => shown.push(b));
    follower.attached(base64ToBytes(answer.scrollback ?? ''), answer.offset ?? 0);
    attached.api.onEvent((e) => {
      if (e.type === 'console.output') follower.output(e.offset, base64ToBytes(e.data));
    });
    // The other connection types too (input needs no attach), but never sees output.
    await other.api.consoleInput(vm.id, textToBase64('one\r'));
    await until(() => outputOf(attached.events).includes('one\r\n'), 'the echo on the attached connection');
    // hvc0 is attached to this VM but nobody follows it: nothing arrives for it.
    expect(outputOf(attached.events, 'hvc0')).toBe('');
    await attached.api.consoleDetach(vm.id);
    await other.api.consoleInput(vm.id, textToBase64('two\r'));
    await waitForConsole(hv, vm.id, 'two\r\n');
    await attached.api.vmList(); // a round trip: any event sent before its answer has arrived
    expect(outputOf(attached.events)).toBe('one\r\n');
    expect(other.events.some((e) => e.type === 'console.output')).toBe(false);
    expect(other.events.some((e) => e.type === 'vm.stateChanged')).toBe(true);
    const all = new TextDecoder().decode(hv.consoleAttach(vm.id));
    expect(all.endsWith('one\r\ntwo\r\n')).toBe(true);
    expect(new TextDecoder().decode(Buffer.concat(shown))).toBe(all.slice(0, all.length - 'two\r\n'.length));
  });

  it('two attaches from one connection give one event stream, ended by two detaches; hvc0 has its own scrollback; break only on serial', async () => {
    const { hv, client } = await served();
    const c = await client();
    const vm = await c.api.vmCreate({ name: 'echo', firmware: { kind: 'none' }, kernel: buildHypervisorGuest('idle-echo'), memoryMiB: 32 });
    await c.api.vmStart(vm.id);
    await waitForConsole(hv, vm.id, 'idle-echo ready');
    await c.api.consoleAttach(vm.id, 'serial');
    await c.api.consoleAttach(vm.id, 'serial');
    await c.api.consoleInput(vm.id, textToBase64('x\r'));
    await until(() => outputOf(c.events).includes('x\r\n'), 'the echo');
    await c.api.vmList();
    expect(outputOf(c.events)).toBe('x\r\n');
    await c.api.consoleDetach(vm.id);
    await c.api.consoleInput(vm.id, textToBase64('y\r'));
    await until(() => outputOf(c.events).includes('y\r\n'), 'the echo after one detach');
    await c.api.consoleDetach(vm.id);
    await c.api.consoleInput(vm.id, textToBase64('z\r'));
    await waitForConsole(hv, vm.id, 'z\r\n');
    await c.api.vmList();
    expect(outputOf(c.events)).toBe('x\r\ny\r\n');

    const hvc = await c.api.consoleScrollback(vm.id, 'hvc0');
    expect(hvc).toEqual({ vmId: vm.id, console: 'hvc0', scrollback: '', offset: 0 });
    await expect(c.api.consoleBreak(vm.id, 'hvc0')).rejects.toThrow(/no break signal/);
    await expect(c.api.consoleBreak(vm.id)).resolves.toEqual({ vmId: vm.id, console: 'serial' });
    await expect(c.api.call({ type: 'console.attach', vmId: vm.id, console: 'serial0' as 'serial' })).rejects.toThrow(/consoles are serial and hvc0/);
  });
});

describe.skipIf(!gcc.available)('console subscriptions and the VM library', () => {
  it('a VM deleted and created again under the same id streams to a connection that attached to the old one', async () => {
    const { hv, client } = await served();
    const c = await client();
    const kernel = buildHypervisorGuest('idle-echo');
    const first = await c.api.vmCreate({ name: 'echo', firmware: { kind: 'none' }, kernel, memoryMiB: 32 });
    await c.api.vmStart(first.id);
    await c.api.consoleAttach(first.id);
    await waitForConsole(hv, first.id, 'idle-echo ready');
    const oldStream = hv.consoleStream(first.id, 'serial');
    const listening = oldStream.clients;
    await c.api.vmHardStop(first.id);
    await c.api.vmDelete(first.id);
    // Deleting the VM dropped the connection's subscription to its (now unreachable) stream.
    expect(oldStream.clients).toBe(listening - 1);
    const again = await c.api.vmCreate({ name: 'echo', firmware: { kind: 'none' }, kernel, memoryMiB: 32 });
    expect(again.id).toBe(first.id);
    c.events.length = 0;
    await c.api.consoleAttach(again.id);
    await c.api.vmStart(again.id);
    await until(() => outputOf(c.events).includes('idle-echo ready'), 'the new VM\'s output');
  });
});

describe.skipIf(!gcc.available)('a console flood over WebSocket', () => {
  it('reaches the attached client whole and in order, with typed bytes and a break echoed in between', async () => {
    const { hv, client } = await served();
    const c = await client();
    const vm = await c.api.vmCreate({ name: 'flood', firmware: { kind: 'none' }, kernel: buildHypervisorGuest('console-flood', { LINES: 1500, RATE: 262144 }), memoryMiB: 32 });
    await c.api.vmStart(vm.id);
    await waitForConsole(hv, vm.id, 'console-flood ready');
    const shown: Uint8Array[] = [];
    const follower = new ConsoleFollower((b) => shown.push(b.slice()));
    c.api.onEvent((e) => {
      if (e.type === 'console.output' && e.vmId === vm.id) follower.output(e.offset, base64ToBytes(e.data));
    });
    const answer = await c.api.consoleAttach(vm.id);
    follower.attached(base64ToBytes(answer.scrollback ?? ''), answer.offset ?? 0);
    await c.api.consoleInput(vm.id, textToBase64('f'));
    await until(() => Buffer.concat(shown).includes('F000300'), 'the flood');
    await c.api.consoleInput(vm.id, textToBase64('hi'));
    await c.api.consoleBreak(vm.id);
    await until(() => Buffer.concat(shown).includes('FLOOD DONE'), 'the end of the flood', 60_000);
    const result = checkFloodLines(Buffer.concat(shown).toString('latin1'));
    expect(result).toEqual({ lines: 1500, echoes: ['66', '68', '69'], breaks: 1 });
    expect(follower.lost).toBe(0);
  });
});
