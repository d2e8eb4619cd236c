import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ApiEvent, RiscstationBridge } from '../../../../core/api/index.js';
import type { DesktopBridge, DesktopCommand } from '../../../../core/api/desktop.js';

const fake = await vi.hoisted(async () => (await import('../fake-electron.js')).createFakeElectron());
vi.mock('electron', () => fake.module);

// The page's window as the sandboxed preload sees it.
const pagePosts: [unknown, string, unknown[]][] = [];
vi.stubGlobal('location', { origin: 'app://riscstation' });
vi.stubGlobal('postMessage', (message: unknown, origin: string, transfer: unknown[]) => pagePosts.push([message, origin, transfer]));

await import('../../../../electron/preload/preload.js');
afterAll(() => {
  vi.unstubAllGlobals();
  rmSync(fake.pathsRoot, { recursive: true, force: true });
});

const exposed = (key: string) => fake.exposed.find(([k]) => k === key)?.[1];
const deliver = (channel: string, event: unknown, payload: unknown) => {
  for (const listener of fake.rendererListeners.get(channel) ?? []) listener(event, payload);
};

describe('preload', () => {
  it('exposes only window.riscstation (call, onEvent) and window.riscstationDesktop (openConsole, reportSelection, onCommand)', () => {
    expect(fake.exposed.map(([key]) => key)).toEqual(['riscstation', 'riscstationDesktop']);
    expect(Object.keys(exposed('riscstation') as object).sort()).toEqual(['call', 'onEvent']);
    expect(Object.keys(exposed('riscstationDesktop') as object).sort()).toEqual(['onCommand', 'openConsole', 'reportSelection']);
  });

  it('call() invokes the call channel with the command', async () => {
    const bridge = exposed('riscstation') as RiscstationBridge;
    await bridge.call({ type: 'host.info' });
    expect(fake.module.ipcRenderer.invoke).toHaveBeenCalledWith('riscstation:call', { type: 'host.info' });
  });

  it('onEvent() delivers the payload only (never the IPC event) until unsubscribed', () => {
    const bridge = exposed('riscstation') as RiscstationBridge;
    const received: unknown[][] = [];
    const stop = bridge.onEvent((...args) => received.push(args));
    const event: ApiEvent = { type: 'vm.removed', id: 'alpine' };
    deliver('riscstation:event', { sender: 'ipc internals' }, event);
    stop();
    deliver('riscstation:event', { sender: 'ipc internals' }, event);
    expect(received).toEqual([[event]]);
  });

  it('openConsole() and reportSelection() send only the known fields on their channels', async () => {
    const desktop = exposed('riscstationDesktop') as DesktopBridge;
    await desktop.openConsole({ vmId: 'alpine', stream: 'hvc0', requestId: 3, sneaky: 'x' } as never);
    expect(fake.module.ipcRenderer.invoke).toHaveBeenLastCalledWith('riscstation:console-open', { vmId: 'alpine', stream: 'hvc0', requestId: 3 });
    desktop.reportSelection({ vmId: 'alpine', also: 1 } as never);
    desktop.reportSelection({ vmId: null });
    expect(fake.module.ipcRenderer.send.mock.calls).toEqual([
      ['riscstation:selection', { vmId: 'alpine' }],
      ['riscstation:selection', { vmId: null }],
    ]);
  });

  it('onCommand() passes well-formed commands only, until unsubscribed', () => {
    const desktop = exposed('riscstationDesktop') as DesktopBridge;
    const received: DesktopCommand[] = [];
    const stop = desktop.onCommand((c) => received.push(c));
    for (const payload of [{ type: 'newVm' }, { type: 'rm -rf' }, { type: 'select' }, { type: 'newVm', x: 1 }, null, { type: 'select', vmId: 'alpine' }]) {
      deliver('riscstation:command', {}, payload);
    }
    stop();
    deliver('riscstation:command', {}, { type: 'preferences' });
    expect(received).toEqual([{ type: 'newVm' }, { type: 'select', vmId: 'alpine' }]);
  });

  it("a granted console port goes on to the page by postMessage to our own origin, with just the grant's fields", () => {
    const port = { postMessage: vi.fn() };
    deliver('riscstation:console-port', { ports: [port] }, { vmId: 'alpine', stream: 'serial', requestId: 9, extra: 'dropped' });
    deliver('riscstation:console-port', { ports: [] }, { vmId: 'alpine', stream: 'serial', requestId: 10 }); // no port: nothing
    expect(pagePosts).toEqual([[{ 'riscstation:console-port': { vmId: 'alpine', stream: 'serial', requestId: 9 } }, 'app://riscstation', [port]]]);
  });

  it('listens on exactly the channels main sends on', () => {
    expect([...fake.rendererListeners.keys()].sort()).toEqual(['riscstation:command', 'riscstation:console-port', 'riscstation:event']);
  });
});
