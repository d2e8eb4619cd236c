import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONSOLE_INPUT_MAX } from '../../../../core/api/desktop.js';
import { runVmProcess } from '../../../../core/vm/process-runtime.js';
import type { VmProcessEnv } from '../../../../core/vm/process.js';
import type { HostToVm, VmMessage } from '../../../../core/vm/protocol.js';
import { adaptParentPort, type ConsolePortLike, type ParentPortLike } from '../../../../electron/vm-process/parent-port.js';
import { buildHypervisorGuest, gcc } from '../../../integration/hypervisor-guests.js';
import { FakeMessageChannelMain, type FakeMessagePort } from '../fake-electron.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

/** A parent port the test plays main on: `deliver` is a message from main, `sent` what the VM side posted. */
function fakeParent() {
  const listeners: ((event: { data: unknown; ports: readonly ConsolePortLike[] }) => void)[] = [];
  const sent: unknown[] = [];
  const parent: ParentPortLike = {
    on: (_event, listener) => listeners.push(listener),
    postMessage: (message) => sent.push(message),
  };
  const deliver = (data: unknown, ports: ConsolePortLike[] = []) => {
    for (const l of listeners) l({ data, ports });
  };
  return { parent, sent, deliver };
}

/** A channel whose port1 goes to the VM process; the test is the page on port2. */
function pagePort() {
  const { port1, port2 } = new FakeMessageChannelMain();
  const page: unknown[] = [];
  port2.on('message', (event: { data: unknown }) => page.push(event.data));
  return { vmEnd: port1 as FakeMessagePort & ConsolePortLike, page: port2, received: page };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('the VM process parent port (Electron)', () => {
  it("passes the host's messages to the runtime, but keeps console attaches to itself", () => {
    const { parent, deliver } = fakeParent();
    const { port } = adaptParentPort(parent);
    const got: HostToVm[] = [];
    port.onMessage((m) => got.push(m));
    deliver({ type: 'pause' });
    deliver({ type: 'consoleAttach', stream: 'serial' }, [pagePort().vmEnd]);
    expect(got).toEqual([{ type: 'pause' }]);
  });

  it('sends the scrollback first, then live output of that stream only; the host still gets every message', async () => {
    const { parent, sent, deliver } = fakeParent();
    const { port, consoles } = adaptParentPort(parent);
    port.send({ type: 'output', stream: 'serial', data: bytes('before ') } satisfies VmMessage);
    const serial = pagePort();
    const hvc = pagePort();
    deliver({ type: 'consoleAttach', stream: 'serial' }, [serial.vmEnd]);
    deliver({ type: 'consoleAttach', stream: 'hvc0' }, [hvc.vmEnd]);
    port.send({ type: 'output', stream: 'serial', data: bytes('after') });
    port.send({ type: 'output', stream: 'hvc0', data: bytes('virtio') });
    port.send({ type: 'paused' });
    await flush();
    expect(serial.received).toEqual([
      { type: 'scrollback', data: bytes('before ') },
      { type: 'output', data: bytes('after') },
    ]);
    expect(hvc.received).toEqual([
      { type: 'scrollback', data: new Uint8Array() },
      { type: 'output', data: bytes('virtio') },
    ]);
    expect(sent.map((m) => (m as { type: string }).type)).toEqual(['output', 'output', 'output', 'paused']);
    expect(consoles.attached).toBe(2);
    expect(serial.vmEnd.started).toBe(true);
  });

  it("turns a port's input into the runtime's input for that stream, and drops anything malformed", async () => {
    const { parent, deliver } = fakeParent();
    const { port } = adaptParentPort(parent);
    const got: HostToVm[] = [];
    port.onMessage((m) => got.push(m));
    const hvc = pagePort();
    deliver({ type: 'consoleAttach', stream: 'hvc0' }, [hvc.vmEnd]);
    for (const bad of [
      'ls\r',
      { type: 'input', data: 'ls\r' },
      { type: 'input', data: [108, 115] },
      { type: 'input', data: new Uint8Array() },
      { type: 'input', data: new Uint8Array(CONSOLE_INPUT_MAX + 1) },
      { type: 'exit' },
      null,
    ]) {
      hvc.page.postMessage(bad);
    }
    hvc.page.postMessage({ type: 'input', data: bytes('ls\r') });
    await flush();
    expect(got).toEqual([{ type: 'input', stream: 'hvc0', data: bytes('ls\r') }]);
  });

  it('a break on the serial port reaches the runtime; on hvc0 it is dropped', async () => {
    const { parent, deliver } = fakeParent();
    const { port } = adaptParentPort(parent);
    const got: HostToVm[] = [];
    port.onMessage((m) => got.push(m));
    const serial = pagePort();
    const hvc = pagePort();
    deliver({ type: 'consoleAttach', stream: 'serial' }, [serial.vmEnd]);
    deliver({ type: 'consoleAttach', stream: 'hvc0' }, [hvc.vmEnd]);
    hvc.page.postMessage({ type: 'break' });
    serial.page.postMessage({ type: 'break' });
    await flush();
    expect(got).toEqual([{ type: 'break' }]);
  });

  it('answers an attach to an unknown stream with an error and closes the port', async () => {
    const { parent, deliver } = fakeParent();
    const { consoles } = adaptParentPort(parent);
    const bad = pagePort();
    deliver({ type: 'consoleAttach', stream: 'serial0' }, [bad.vmEnd]);
    await flush();
    expect(bad.received).toEqual([{ type: 'error', message: "'serial0' is not a console stream (serial, hvc0)" }]);
    expect(bad.vmEnd.closed).toBe(true);
    expect(consoles.attached).toBe(0);
  });

  it('a closed port is detached: no more output is posted to it', async () => {
    const { parent, deliver } = fakeParent();
    const { port, consoles } = adaptParentPort(parent);
    const page = pagePort();
    deliver({ type: 'consoleAttach', stream: 'serial' }, [page.vmEnd]);
    page.page.close();
    port.send({ type: 'output', stream: 'serial', data: bytes('x') });
    await flush();
    expect(consoles.attached).toBe(0);
    expect(page.vmEnd.received).toEqual([]);
  });

  describe.skipIf(!gcc.available)('with a real VM runtime booting a guest', () => {
    it('the page sees the banner, types into the guest, sees the echo; the host gets the same output and the power-off', async () => {
      const elf = buildHypervisorGuest('idle-echo');
      const { parent, sent, deliver } = fakeParent();
      const timers = new Set<NodeJS.Timeout | NodeJS.Immediate>();
      let exitCode: number | null = null;
      const env: VmProcessEnv = {
        readFile: (path) => new Uint8Array(readFileSync(path)),
        now: () => performance.now(),
        after(ms, fn) {
          const handle = ms <= 0 ? setImmediate(fn) : setTimeout(fn, ms);
          timers.add(handle);
          return () => {
            if (ms <= 0) clearImmediate(handle as NodeJS.Immediate);
            else clearTimeout(handle as NodeJS.Timeout);
          };
        },
        cpuMicros: () => 0,
        rssBytes: () => 0,
        exit: (code) => (exitCode = code),
      };
      const { port } = adaptParentPort(parent);
      runVmProcess(port, env);
      deliver({
        type: 'boot',
        spec: { vmId: 'echo', harts: 1, memoryMiB: 32, bios: null, kernel: elf, initrd: null, cmdline: '', cpuCapPercent: 100, scheduler: 'inline' },
      });
      const page = pagePort();
      const pageText = () =>
        page.received.map((m) => text((m as { data: Uint8Array }).data)).join('');
      const hostText = () =>
        sent
          .filter((m): m is { type: 'output'; data: Uint8Array } => (m as { type: string }).type === 'output')
          .map((m) => text(m.data))
          .join('');
      try {
        await expect.poll(hostText, { timeout: 20_000 }).toContain('idle-echo ready');
        deliver({ type: 'consoleAttach', stream: 'serial' }, [page.vmEnd]);
        await expect.poll(pageText, { timeout: 5_000 }).toContain('idle-echo ready'); // from the scrollback
        page.page.postMessage({ type: 'input', data: bytes('hi\r') });
        await expect.poll(pageText, { timeout: 10_000 }).toContain('idle-echo ready\r\nhi\r\n');
        expect(hostText()).toContain('hi\r\n');
        page.page.postMessage({ type: 'input', data: bytes('Q') });
        await expect.poll(() => sent.find((m) => (m as { type: string }).type === 'stopped'), { timeout: 10_000 }).toMatchObject({
          stop: { kind: 'poweroff', failed: false },
        });
      } finally {
        deliver({ type: 'exit' });
        await expect.poll(() => exitCode, { timeout: 5_000 }).toBe(0);
      }
    }, 60_000);
  });
});
