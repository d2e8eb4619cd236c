import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hostInfoSchema } from '../../../../core/api/index.js';
import { ApiServer } from '../../../../core/host/api-server.js';
import { buildHypervisorGuest, gcc } from '../../../integration/hypervisor-guests.js';
import { FakeBrowserWindow, FakeWebContents, type FakeMessagePort } from '../fake-electron.js';
import { inProcessUtility } from '../in-process-utility.js';

const fake = await vi.hoisted(async () => {
  const created = (await import('../fake-electron.js')).createFakeElectron();
  // The app was last left maximized at this position, with the VM 'echo' selected.
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  mkdirSync(join(created.pathsRoot, 'userData'), { recursive: true });
  writeFileSync(
    join(created.pathsRoot, 'userData', 'window-state.json'),
    JSON.stringify({ version: 1, bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true, lastVmId: 'echo' }),
  );
  return created;
});
vi.mock('electron', () => fake.module);

// The launcher looks for the built VM-process entry (dist/electron/vm-process.js); the in-process
// fork below never runs it, so a package root holding a placeholder stands in for a build.
const packageRoot = await vi.hoisted(async () => {
  const { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const root = mkdtempSync(join(tmpdir(), 'rs-electron-root-'));
  mkdirSync(join(root, 'dist', 'electron'), { recursive: true });
  writeFileSync(join(root, 'dist', 'electron', 'vm-process.js'), '// placeholder\n');
  symlinkSync(new URL('../../../../resources', import.meta.url).pathname, join(root, 'resources'));
  return root;
});
vi.mock(import('../../../../core/platform/node/package-info.js'), async (original) => {
  const actual = await original();
  return { ...actual, packageInfo: () => ({ ...actual.packageInfo(), root: packageRoot }) };
});

// VM processes run in this thread (the real runtime behind a fake utility process); the launcher's
// SIGKILL reaches them through process.kill, which must never signal a real process from here.
const utility = inProcessUtility();
fake.module.utilityProcess.fork.mockImplementation(utility.fork as never);
const realKill = process.kill.bind(process);
vi.spyOn(process, 'kill').mockImplementation((pid: number, signal?: string | number) => {
  const inProcess = utility.children.find((c) => c.child.pid === pid);
  if (inProcess) return inProcess.child.kill() as true;
  if (pid === process.pid) return realKill(pid, signal);
  throw new Error(`test refused to signal pid ${pid}`);
});

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

  it('opens the window as it was left: saved position and size, maximized once shown', () => {
    expect(window.options).toMatchObject({ x: 100, y: 50, width: 1000, height: 700 });
    expect(window.isMaximized()).toBe(false);
    window.emit('ready-to-show');
    expect(window.isMaximized()).toBe(true);
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

  it('registers the API call and console-port channels (invoke) and the selection channel (send), nothing else', () => {
    expect([...fake.ipcHandlers.keys()].sort()).toEqual(['riscstation:call', 'riscstation:console-open']);
    expect([...fake.mainListeners.keys()]).toEqual(['riscstation:selection']);
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
});

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (data: Uint8Array) => new TextDecoder().decode(data);

describe('Electron main: the desktop channels, menu, window state and quit', () => {
  let window: FakeBrowserWindow;
  let call: (event: unknown, payload: unknown) => Promise<unknown>;
  let openConsole: (event: unknown, payload: unknown) => unknown;
  const select = (event: unknown, payload: unknown) => {
    for (const listener of fake.mainListeners.get('riscstation:selection') ?? []) listener(event, payload);
  };
  /** The menu last set, as id → enabled. */
  const menuState = () => {
    const menu = fake.menus.at(-1) as { template: { submenu?: { id?: string; enabled?: boolean }[] }[] };
    const out: Record<string, boolean> = {};
    for (const top of menu.template) for (const item of top.submenu ?? []) if (item.id) out[item.id] = item.enabled !== false;
    return out;
  };
  const menuClick = (id: string) => {
    const menu = fake.menus.at(-1) as { template: { submenu?: { id?: string; click?: () => void }[] }[] };
    for (const top of menu.template) for (const item of top.submenu ?? []) if (item.id === id) item.click?.();
  };
  const foreignEvents = () => [
    { sender: new FakeWebContents(), senderFrame: { url: 'app://riscstation/index.html', parent: null } },
    { sender: window.webContents, senderFrame: { url: 'app://riscstation/index.html', parent: {} } },
    { sender: window.webContents, senderFrame: { url: 'https://evil.example/', parent: null } },
    { sender: window.webContents, senderFrame: null },
  ];

  beforeAll(async () => {
    await started;
    window = FakeBrowserWindow.instances[0];
    call = fake.ipcHandlers.get('riscstation:call') as typeof call;
    openConsole = fake.ipcHandlers.get('riscstation:console-open') as typeof openConsole;
  });

  it('console port: refuses a foreign sender', () => {
    for (const event of foreignEvents()) {
      expect(() => openConsole(event, { vmId: 'alpine', stream: 'serial', requestId: 1 })).toThrow(/refused riscstation:console-open/);
    }
  });

  it('console port: a payload that fails the schema is refused without a port being made', () => {
    const made = fake.module.MessageChannelMain.instances.length;
    for (const payload of [
      undefined,
      'alpine',
      { vmId: 'alpine', stream: 'serial' },
      { vmId: 'alpine', stream: 'serial0', requestId: 1 },
      { vmId: '../etc', stream: 'serial', requestId: 1 },
      { vmId: 'alpine', stream: 'serial', requestId: 0 },
      { vmId: 'alpine', stream: 'serial', requestId: 1, extra: true },
    ]) {
      expect(openConsole(trustedEvent(window), payload)).toMatchObject({ ok: false, message: expect.stringMatching(/^bad console port request/) });
    }
    expect(fake.module.MessageChannelMain.instances.length).toBe(made);
  });

  it('console port: a VM without a running process gets no port', () => {
    expect(openConsole(trustedEvent(window), { vmId: 'nope', stream: 'serial', requestId: 1 })).toEqual({ ok: false, message: "VM 'nope' is not running" });
    const channel = fake.module.MessageChannelMain.instances.at(-1)!;
    expect([channel.port1.closed, channel.port2.closed]).toEqual([true, true]);
    expect(window.webContents.posted).toEqual([]);
  });

  it('selection: reports from a foreign sender or with a bad payload are ignored (logged)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const menus = fake.menus.length;
    for (const event of foreignEvents()) select(event, { vmId: 'alpine' });
    for (const payload of [undefined, 'alpine', { vmId: 'Bad Id' }, { vmId: 'alpine', more: 1 }, {}]) select(trustedEvent(window), payload);
    expect(fake.menus.length).toBe(menus);
    expect(warn.mock.calls.map(([line]) => String(line).replace(/ from .*| payload.*/, ''))).toEqual([
      ...foreignEvents().map(() => 'refused riscstation:selection'),
      ...Array(5).fill('ignored a malformed riscstation:selection'),
    ]);
    warn.mockRestore();
  });

  it('the menu starts with nothing selected: power items disabled, New VM and Preferences go to the page once it has loaded', () => {
    window.webContents.emit('did-finish-load');
    expect(menuState()).toMatchObject({ 'vm.new': true, 'vm.start': false, 'vm.stop': false, 'vm.pause': false, 'vm.reset': false });
    menuClick('vm.new');
    menuClick('app.preferences');
    expect(window.webContents.sent.filter(([channel]) => channel === 'riscstation:command')).toEqual([
      ['riscstation:command', { type: 'newVm' }],
      ['riscstation:command', { type: 'preferences' }],
    ]);
  });

  describe.skipIf(!gcc.available)('with a VM', () => {
    let vmId: string;

    beforeAll(async () => {
      const elf = buildHypervisorGuest('idle-echo');
      const created = (await call(trustedEvent(window), {
        type: 'vm.create',
        config: { name: 'echo', firmware: { kind: 'none' }, kernel: elf, memoryMiB: 32 },
      })) as { ok: boolean; result: { id: string } };
      expect(created.ok).toBe(true);
      vmId = created.result.id;
    });

    it('the selected VM drives the menu: Power On starts it in a utility process, then Pause/Power Off/Reset are enabled', async () => {
      select(trustedEvent(window), { vmId });
      expect(menuState()).toMatchObject({ 'vm.start': true, 'vm.stop': false, 'vm.pause': false });
      menuClick('vm.start');
      await vi.waitFor(() => expect(menuState()).toMatchObject({ 'vm.start': false, 'vm.stop': true, 'vm.pause': true, 'vm.reset': true }), {
        timeout: 20_000,
      });
      const fork = fake.module.utilityProcess.fork.mock.calls.at(-1)!;
      expect(fork[0]).toMatch(/[/\\]vm-process\.js$/);
      expect(fork[1]).toEqual(['--vm', vmId]);
    });

    it('Send Ctrl+Alt+Del reaches the VM process, which says no guest driver took it (a bare-metal program): main shows that', async () => {
      const before = fake.module.dialog.showMessageBox.mock.calls.length;
      menuClick('vm.ctrlAltDel');
      await vi.waitFor(() => expect(fake.module.dialog.showMessageBox.mock.calls.length).toBe(before + 1), { timeout: 10_000 });
      const options = fake.module.dialog.showMessageBox.mock.calls.at(-1)!.at(-1) as { message: string };
      expect(options.message).toContain('Ctrl+Alt+Del was not delivered');
      fake.module.dialog.showMessageBox.mockClear();
    });

    it('a console port goes straight to the VM process: scrollback, typed input, echo; main relays no console bytes', async () => {
      const answer = openConsole(trustedEvent(window), { vmId, stream: 'serial', requestId: 7 });
      expect(answer).toEqual({ ok: true });
      const [channel, grant, ports] = window.webContents.posted.at(-1)!;
      expect([channel, grant]).toEqual(['riscstation:console-port', { vmId, stream: 'serial', requestId: 7 }]);
      const page = ports[0] as FakeMessagePort;
      const seen: string[] = [];
      page.on('message', (event: { data: { type: string; data: Uint8Array } }) => seen.push(decode(event.data.data)));
      await vi.waitFor(() => expect(seen.join('')).toContain('idle-echo ready'), { timeout: 20_000 });
      page.postMessage({ type: 'input', data: encode('ok\r') });
      await vi.waitFor(() => expect(seen.join('')).toContain('ok\r\n'), { timeout: 10_000 });
      // The VM process got the other end; main kept neither.
      const { child } = utility.children.at(-1)!;
      expect(child.posted.at(-1)).toEqual([{ type: 'consoleAttach', stream: 'serial' }, [expect.anything()]]);
      expect(window.webContents.sent.some(([, event]) => (event as { type?: string }).type === 'console.output')).toBe(false);
    });

    it('moving the window saves its state soon after (a crash keeps it too)', async () => {
      const file = join(fake.pathsRoot, 'userData', 'window-state.json');
      (window.options as Record<string, unknown>).x = 64;
      window.emit('move');
      await vi.waitFor(() => expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ bounds: { x: 64 }, lastVmId: vmId }), { timeout: 5000 });
      (window.options as Record<string, unknown>).x = 100;
    });

    it('closing the window saves its state with the selected VM, and a reload restores the selection', async () => {
      const event = { preventDefault: vi.fn() };
      window.emit('close', event);
      const saved = JSON.parse(readFileSync(join(fake.pathsRoot, 'userData', 'window-state.json'), 'utf8')) as Record<string, unknown>;
      expect(saved).toEqual({ version: 1, bounds: { x: 100, y: 50, width: 1000, height: 700 }, maximized: true, lastVmId: vmId });
      // Closing quits (Linux): through the quit flow, so the window stays until it is answered.
      expect(event.preventDefault).toHaveBeenCalled();
      expect(fake.module.app.quit).toHaveBeenCalled();
      window.webContents.emit('did-finish-load');
      expect(window.webContents.sent.at(-1)).toEqual(['riscstation:command', { type: 'select', vmId }]);
    });

    it('quitting while the VM runs asks; Cancel keeps it running; confirming powers it off, then exits', async () => {
      fake.module.dialog.nextResponse = 1;
      const first = { preventDefault: vi.fn() };
      for (const listener of fake.appListeners.get('before-quit') ?? []) listener(first);
      expect(first.preventDefault).toHaveBeenCalled();
      await vi.waitFor(() => expect(fake.module.dialog.showMessageBox).toHaveBeenCalledTimes(1));
      const options = fake.module.dialog.showMessageBox.mock.calls[0]![1] as { buttons: string[] };
      expect(options.buttons).toEqual(['Power off VMs and quit', 'Cancel']);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(fake.module.app.exit).not.toHaveBeenCalled();
      expect(((await call(trustedEvent(window), { type: 'vm.get', id: vmId })) as { result: { state: string } }).result.state).toBe('running');

      fake.module.dialog.nextResponse = 0;
      for (const listener of fake.appListeners.get('before-quit') ?? []) listener({ preventDefault: vi.fn() });
      await vi.waitFor(() => expect(fake.module.app.exit).toHaveBeenCalledWith(0), { timeout: 15_000 });
      expect(window.webContents.sent).toContainEqual(['riscstation:event', { type: 'host.shuttingDown', reason: 'RiscStation is quitting' }]);
      expect(utility.children.at(-1)!.child.pid).toBeUndefined(); // its process has exited
    }, 30_000);
  });
  // Quitting with no VM running is quit.test.ts's (main's state is shared: the app quits once per file).
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
    rmSync(packageRoot, { recursive: true, force: true });
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

