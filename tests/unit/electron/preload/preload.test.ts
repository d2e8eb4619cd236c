import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ApiEvent, RiscstationBridge } from '../../../../core/api/index.js';

const fake = await vi.hoisted(async () => (await import('../fake-electron.js')).createFakeElectron());
vi.mock('electron', () => fake.module);

await import('../../../../electron/preload/preload.js');
afterAll(() => rmSync(fake.pathsRoot, { recursive: true, force: true }));

describe('preload', () => {
  it('exposes only window.riscstation, with only call and onEvent', () => {
    expect(fake.exposed.map(([key]) => key)).toEqual(['riscstation']);
    expect(Object.keys(fake.exposed[0][1] as object).sort()).toEqual(['call', 'onEvent']);
  });

  it('call() invokes the call channel with the command', async () => {
    const bridge = fake.exposed[0][1] as RiscstationBridge;
    await bridge.call({ type: 'host.info' });
    expect(fake.module.ipcRenderer.invoke).toHaveBeenCalledWith('riscstation:call', { type: 'host.info' });
  });

  it('onEvent() delivers the payload only (never the IPC event) until unsubscribed', () => {
    const bridge = fake.exposed[0][1] as RiscstationBridge;
    const received: unknown[][] = [];
    const stop = bridge.onEvent((...args) => received.push(args));
    const event: ApiEvent = { type: 'vm.removed', id: 'alpine' };
    const deliver = () => {
      for (const listener of fake.rendererListeners.get('riscstation:event') ?? []) listener({ sender: 'ipc internals' }, event);
    };
    deliver();
    stop();
    deliver();
    expect(received).toEqual([[event]]);
    expect([...fake.rendererListeners.keys()]).toEqual(['riscstation:event']);
  });
});
