import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostInfoSchema } from '../../../../core/api/index.js';
import { ApiServer } from '../../../../core/host/api-server.js';
import { FakeBrowserWindow, FakeWebContents } from '../fake-electron.js';

const fake = await vi.hoisted(async () => (await import('../fake-electron.js')).createFakeElectron());
vi.mock('electron', () => fake.module);

const { started } = await import('../../../../electron/main/main.js');
const { forwardEvents } = await import('../../../../electron/main/ipc.js');
const { serveAppRequest, DESKTOP_CSP } = await import('../../../../electron/main/app-protocol.js');

function trustedEvent(window: FakeBrowserWindow, url = 'app://riscstation/index.html') {
  return { sender: window.webContents, senderFrame: { url, parent: null } };
}

describe('Electron main', () => {
  let window: FakeBrowserWindow;
  let call: (event: unknown, payload: unknown) => Promise<unknown>;

  beforeAll(async () => {
    await started;
    window = FakeBrowserWindow.instances[0];
    call = fake.ipcHandlers.get('riscstation:call') as typeof call;
  });

  it('opens one sandboxed, context-isolated window without Node, on our own page', () => {
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    const prefs = window.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(String(prefs.preload)).toMatch(/[/\\]preload[/\\]preload\.cjs$/);
    expect(window.loadedUrl).toBe('app://riscstation/index.html');
    expect(fake.module.app.enableSandbox).toHaveBeenCalled();
    expect(fake.module.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
  });

  it('serves the hypervisor: vm.list reads the (empty) library in userData', async () => {
    expect(await call(trustedEvent(window), { type: 'vm.list' })).toEqual({ ok: true, result: [] });
  });

  it('refuses every permission the page might ask for', () => {
    const request = fake.module.session.defaultSession.setPermissionRequestHandler.mock.calls[0][0] as (
      contents: unknown,
      permission: string,
      callback: (granted: boolean) => void,
    ) => void;
    const answers: boolean[] = [];
    request(window.webContents, 'media', (granted) => answers.push(granted));
    const check = fake.module.session.defaultSession.setPermissionCheckHandler.mock.calls[0][0] as () => boolean;
    expect([answers, check()]).toEqual([[false], false]);
  });

  it('registers exactly one IPC handler, the API call channel', () => {
    expect([...fake.ipcHandlers.keys()]).toEqual(['riscstation:call']);
  });

  it('answers a valid host.info call from our page through the ApiServer', async () => {
    const result = (await call(trustedEvent(window), { type: 'host.info' })) as { ok: boolean; result: unknown };
    expect(result.ok).toBe(true);
    const info = hostInfoSchema.parse(result.result);
    expect(info.frontEnd).toBe('electron');
    expect(info.dataDir).toBe(join(fake.pathsRoot, 'userData'));
  });

  it('answers a payload that fails the schema with bad-request, without reaching the API', async () => {
    for (const payload of [undefined, 'host.info', { type: 'vm.create', config: { name: 'x', harts: 99 } }, { type: 'rm -rf' }]) {
      expect(await call(trustedEvent(window), payload)).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
  });

  it('refuses calls from a foreign sender: another webContents, a subframe, another URL, a destroyed frame', async () => {
    const other = new FakeWebContents();
    const foreign = [
      { sender: other, senderFrame: { url: 'app://riscstation/index.html', parent: null } },
      { sender: window.webContents, senderFrame: { url: 'app://riscstation/index.html', parent: {} } },
      { sender: window.webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: window.webContents, senderFrame: { url: 'file:///etc/passwd', parent: null } },
      { sender: window.webContents, senderFrame: null },
    ];
    for (const event of foreign) await expect(call(event, { type: 'host.info' })).rejects.toThrow(/refused riscstation:call/);
  });

  it('keeps the window on our page: no new windows, no navigation elsewhere, no webviews', () => {
    const contents = window.webContents;
    expect(contents.openHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const navigate = (url: string) => {
      const event = { preventDefault: vi.fn() };
      contents.emit('will-navigate', event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('https://evil.example/')).toBe(true);
    expect(navigate('app://riscstation/index.html#/vms')).toBe(false);
    const attach = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', attach);
    expect(attach.preventDefault).toHaveBeenCalled();
  });

  it('forwards host events and the window session’s own events on the event channel, until the window closes', () => {
    const api = new ApiServer({ productVersion: '0', dataDir: '/d', frontEnd: 'electron' });
    const target = new FakeBrowserWindow({});
    const session = forwardEvents(api, target as never);
    api.emit({ type: 'vm.removed', id: 'alpine' });
    session.emit({ type: 'console.output', vmId: 'alpine', console: 'serial', offset: 0, data: '' });
    expect(target.webContents.sent).toEqual([
      ['riscstation:event', { type: 'vm.removed', id: 'alpine' }],
      ['riscstation:event', { type: 'console.output', vmId: 'alpine', console: 'serial', offset: 0, data: '' }],
    ]);
    let ended = false;
    session.onClose(() => (ended = true));
    for (const listener of target.listeners.get('closed') ?? []) listener();
    api.emit({ type: 'vm.removed', id: 'beta' });
    expect(ended).toBe(true);
    expect(target.webContents.sent).toHaveLength(2);
  });
  it('quitting tells the window, powers the VMs off, then exits', async () => {
    const event = { preventDefault: vi.fn() };
    for (const listener of fake.appListeners.get('before-quit') ?? []) listener(event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(window.webContents.sent).toContainEqual(['riscstation:event', { type: 'host.shuttingDown', reason: 'RiscStation is quitting' }]);
    await vi.waitFor(() => expect(fake.module.app.exit).toHaveBeenCalledWith(0));
  });
});

describe('app:// protocol', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'riscstation-app-'));
    mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>RiscStation</title>');
    writeFileSync(join(dir, 'renderer', 'assets', 'app.js'), 'export {};');
    writeFileSync(join(dir, 'secret.txt'), 'TOP SECRET');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(fake.pathsRoot, { recursive: true, force: true });
  });

  it('serves the page with the strict CSP header and assets with their MIME types', async () => {
    const page = await serveAppRequest(join(dir, 'renderer'), 'app://riscstation/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
    expect(DESKTOP_CSP).toContain("script-src 'self'");
    expect(DESKTOP_CSP).not.toContain('unsafe-inline');
    const script = await serveAppRequest(join(dir, 'renderer'), 'app://riscstation/assets/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('serves nothing outside the renderer folder or for another host', async () => {
    for (const url of ['app://riscstation/../secret.txt', 'app://riscstation/..%2fsecret.txt', 'app://other/index.html', 'app://riscstation/missing.js']) {
      const response = await serveAppRequest(join(dir, 'renderer'), url);
      expect([url, response.status]).toEqual([url, 404]);
    }
  });
});

