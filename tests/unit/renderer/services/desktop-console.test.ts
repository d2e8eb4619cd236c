import { afterEach, describe, expect, it, vi } from 'vitest';
import { bytesToBase64, type ApiEvent, type CallResult, type CommandInput } from '../../../../core/api/index.js';
import type { ConsolePortRequest, DesktopBridge } from '../../../../core/api/desktop.js';
import { desktopConsoleOpener, type PortWindow } from '../../../../renderer/services/desktop-console.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const ORIGIN = 'app://riscstation';

/**
 * The page's window, the preload and the VM process played with real MessageChannels: a granted
 * port arrives by a window message from the window itself, as Electron's preload posts it.
 */
function desktopWorld(options: { running: boolean; hostScrollback?: string }) {
  const listeners = new Set<(event: MessageEvent) => void>();
  const win: PortWindow = {
    addEventListener: (_type, l) => listeners.add(l),
    removeEventListener: (_type, l) => listeners.delete(l),
    location: { origin: ORIGIN },
  };
  const post = (data: unknown, port: MessagePort, from: { source?: unknown; origin?: string } = {}) => {
    for (const l of [...listeners]) l({ data, ports: [port], source: from.source ?? win, origin: from.origin ?? ORIGIN } as unknown as MessageEvent);
  };
  let running = options.running;
  /** The VM process's ends of every port granted, newest last. */
  const vmEnds: { port: MessagePort; received: unknown[] }[] = [];
  const requests: ConsolePortRequest[] = [];
  const desktop: DesktopBridge = {
    openConsole: vi.fn(async (request: ConsolePortRequest) => {
      requests.push(request);
      if (!running) return { ok: false as const, message: `VM '${request.vmId}' is not running` };
      const { port1, port2 } = new MessageChannel();
      const received: unknown[] = [];
      port1.onmessage = (event) => received.push(event.data);
      vmEnds.push({ port: port1, received });
      // A foreign page message and a stale grant first: both must be ignored.
      post({ 'riscstation:console-port': request }, new MessageChannel().port2, { origin: 'https://evil.example' });
      post({ 'riscstation:console-port': { ...request, requestId: request.requestId + 1000 } }, new MessageChannel().port2);
      setTimeout(() => post({ 'riscstation:console-port': { ...request } }, port2), 1);
      return { ok: true as const };
    }),
    reportSelection: vi.fn(),
    onCommand: vi.fn(() => () => {}),
  };
  const eventListeners = new Set<(event: ApiEvent) => void>();
  const calls: CommandInput[] = [];
  const api = {
    call: async (command: CommandInput): Promise<CallResult> => {
      calls.push(command);
      return { ok: true, result: { vmId: 'alpine', console: 'serial', scrollback: bytesToBase64(bytes(options.hostScrollback ?? '')), offset: 0 } };
    },
    onEvent: (l: (event: ApiEvent) => void) => {
      eventListeners.add(l);
      return () => eventListeners.delete(l);
    },
  };
  return {
    opener: desktopConsoleOpener({ win, desktop, api }),
    vmEnds,
    requests,
    calls,
    windowListeners: listeners,
    setRunning: (value: boolean) => (running = value),
    emit: (event: ApiEvent) => eventListeners.forEach((l) => l(event)),
    get eventListeners() {
      return eventListeners.size;
    },
  };
}

const opened: MessagePort[] = [];
afterEach(() => {
  for (const port of opened.splice(0)) port.close();
});

describe('desktop consoles over MessagePorts', () => {
  it('a running VM: the scrollback then live output come over the port; typing and a break go back on it', async () => {
    const world = desktopWorld({ running: true });
    const seen: string[] = [];
    const attachment = world.opener('alpine', 'serial', (b) => seen.push(text(b)))!;
    await vi.waitFor(() => expect(world.vmEnds).toHaveLength(1));
    const vm = world.vmEnds[0]!;
    opened.push(vm.port);
    vm.port.postMessage({ type: 'scrollback', data: bytes('boot log\n') });
    await attachment.ready;
    vm.port.postMessage({ type: 'output', data: bytes('$ ') });
    await vi.waitFor(() => expect(seen).toEqual(['boot log\n', '$ ']));
    await attachment.send(bytes('ls\r'));
    await attachment.sendBreak();
    await vi.waitFor(() => expect(vm.received).toEqual([{ type: 'input', data: bytes('ls\r') }, { type: 'break' }]));
    expect(world.requests).toEqual([{ vmId: 'alpine', stream: 'serial', requestId: expect.any(Number) }]);
    expect(world.windowListeners.size).toBe(0); // the grant listener is gone once the port arrived
    attachment.detach();
    expect(world.eventListeners).toBe(0);
  });

  it('hvc0 has no break', async () => {
    const world = desktopWorld({ running: true });
    const attachment = world.opener('alpine', 'hvc0', () => {})!;
    await vi.waitFor(() => expect(world.vmEnds).toHaveLength(1));
    opened.push(world.vmEnds[0]!.port);
    await expect(attachment.sendBreak()).rejects.toThrow(/serial console only/);
    attachment.detach();
  });

  it("a VM without a process shows the host's kept scrollback once; typing is refused until it runs", async () => {
    const world = desktopWorld({ running: false, hostScrollback: 'last words\n' });
    const seen: string[] = [];
    const attachment = world.opener('alpine', 'serial', (b) => seen.push(text(b)))!;
    await attachment.ready;
    expect(seen).toEqual(['last words\n']);
    expect(world.calls).toEqual([{ type: 'console.scrollback', vmId: 'alpine', console: 'serial' }]);
    await expect(attachment.send(bytes('x'))).rejects.toThrow('the VM is not running');
    attachment.detach();
  });

  it('when the VM stops and starts again, a new port on the new process carries its output', async () => {
    const world = desktopWorld({ running: true });
    const seen: string[] = [];
    const attachment = world.opener('alpine', 'serial', (b) => seen.push(text(b)))!;
    await vi.waitFor(() => expect(world.vmEnds).toHaveLength(1));
    const first = world.vmEnds[0]!;
    first.port.postMessage({ type: 'scrollback', data: bytes('first boot\n') });
    await attachment.ready;
    first.port.close(); // the VM process exited
    world.setRunning(false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(attachment.send(bytes('x'))).rejects.toThrow('the VM is not running');
    world.emit({ type: 'vm.stateChanged', id: 'other', state: 'running', previous: 'starting' }); // not ours
    world.setRunning(true);
    world.emit({ type: 'vm.stateChanged', id: 'alpine', state: 'starting', previous: 'stopped' });
    await vi.waitFor(() => expect(world.vmEnds).toHaveLength(2));
    const second = world.vmEnds[1]!;
    opened.push(second.port);
    second.port.postMessage({ type: 'scrollback', data: bytes('second boot\n') });
    await vi.waitFor(() => expect(seen).toEqual(['first boot\n', 'second boot\n']));
    await attachment.send(bytes('y'));
    await vi.waitFor(() => expect(second.received).toEqual([{ type: 'input', data: bytes('y') }]));
    attachment.detach();
  });

  it('a quick restart announced before the old port closed: the close itself opens the new port', async () => {
    const world = desktopWorld({ running: true });
    const seen: string[] = [];
    const attachment = world.opener('alpine', 'serial', (b) => seen.push(text(b)))!;
    await vi.waitFor(() => expect(world.vmEnds).toHaveLength(1));
    const first = world.vmEnds[0]!;
    first.port.postMessage({ type: 'scrollback', data: bytes('one\n') });
    await attachment.ready;
    world.emit({ type: 'vm.stateChanged', id: 'alpine', state: 'running', previous: 'starting' }); // the new process runs
    first.port.close(); // ...and only now the old port closes
    await vi.waitFor(() => expect(world.vmEnds).toHaveLength(2));
    const second = world.vmEnds[1]!;
    opened.push(second.port);
    second.port.postMessage({ type: 'output', data: bytes('two\n') });
    await vi.waitFor(() => expect(seen).toEqual(['one\n', 'two\n']));
    second.port.close(); // no new announcement: no retry
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(world.vmEnds).toHaveLength(2);
    attachment.detach();
  });

  it('an error from the VM process (unknown stream) rejects ready', async () => {
    const world = desktopWorld({ running: true });
    const attachment = world.opener('alpine', 'serial', () => {})!;
    await vi.waitFor(() => expect(world.vmEnds).toHaveLength(1));
    opened.push(world.vmEnds[0]!.port);
    world.vmEnds[0]!.port.postMessage({ type: 'error', message: "'x' is not a console stream" });
    await expect(attachment.ready).rejects.toThrow("'x' is not a console stream");
    attachment.detach();
  });
});
