import { rmSync } from 'node:fs';
import type { MessageBoxOptions } from 'electron';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { QuitFlow, quitDialogOptions } from '../../../../electron/main/quit.js';
import { desktopStrings } from '../../../../electron/main/strings.js';
import { buildHypervisorGuest, gcc } from '../../../integration/hypervisor-guests.js';
import { tempHost, waitForConsole } from '../../core/hypervisor/test-host.js';

/** Resolves `ask` by hand: the test clicks a button when it wants to. */
function dialog() {
  const asked: MessageBoxOptions[] = [];
  let answer: ((button: number) => void) | null = null;
  return {
    asked,
    ask: (options: MessageBoxOptions) =>
      new Promise<number>((resolve) => {
        asked.push(options);
        answer = resolve;
      }),
    click: (button: number) => answer?.(button),
  };
}

const quitEvent = () => ({ preventDefault: vi.fn() });

describe('quit confirmation', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('with no VM running, quits at once without asking', async () => {
    const d = dialog();
    const exit = vi.fn();
    const shutdown = vi.fn(() => Promise.resolve());
    const flow = new QuitFlow({ listVms: () => [], ask: d.ask, shutdown, exit, log: vi.fn() });
    const event = quitEvent();
    flow.beforeQuit(event);
    expect(event.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(d.asked).toEqual([]);
  });

  it('asks in Japanese on a Japanese system, naming every running VM', () => {
    const options = quitDialogOptions([{ name: 'alpine' }, { name: 'uboot' }], desktopStrings('ja-JP'));
    expect(options).toMatchObject({ message: '2 台の VM が実行中です。', buttons: ['VM をパワーオフして終了', 'キャンセル'], cancelId: 1 });
    expect(options.detail).toMatch(/^• alpine\n• uboot\n\n終了すると/);
  });

  it('a failed power-off still exits, with code 1', async () => {
    const exit = vi.fn();
    const log = vi.fn();
    const flow = new QuitFlow({ listVms: () => [], ask: vi.fn(), shutdown: () => Promise.reject(new Error('disk full')), exit, log });
    flow.beforeQuit(quitEvent());
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1));
    expect(log).toHaveBeenCalledWith('shutting the VMs down failed', expect.any(Error));
  });

  describe.skipIf(!gcc.available)('with a running VM (real hypervisor and VM runtime)', () => {
    it('asks; Cancel keeps the VM running; a second quit asks again; confirming powers it off, then exits', async () => {
      const { hv, dataDir } = tempHost();
      dirs.push(dataDir);
      const elf = buildHypervisorGuest('idle-echo');
      const vm = hv.create({ name: 'echo', firmware: { kind: 'none' }, kernel: elf, memoryMiB: 32 });
      await hv.start(vm.id);
      await waitForConsole(hv, vm.id, 'idle-echo ready');

      const d = dialog();
      const exit = vi.fn();
      const order: string[] = [];
      const flow = new QuitFlow({
        listVms: () => hv.list(),
        ask: d.ask,
        shutdown: async () => {
          await hv.shutdown();
          order.push(`shutdown: ${hv.get(vm.id).state}`);
        },
        exit: (code) => {
          order.push(`exit ${code}`);
          exit(code);
        },
        log: vi.fn(),
      });

      flow.beforeQuit(quitEvent());
      expect(flow.state).toBe('asking');
      expect(d.asked[0]).toMatchObject({ buttons: ['Power off VMs and quit', 'Cancel'], cancelId: 1, defaultId: 1, message: "The VM 'echo' is running." });
      flow.beforeQuit(quitEvent()); // Cmd+Q again while the dialog is up: no second dialog
      expect(d.asked).toHaveLength(1);
      d.click(1); // Cancel
      await vi.waitFor(() => expect(flow.state).toBe('idle'));
      expect(hv.get(vm.id).state).toBe('running');
      expect(exit).not.toHaveBeenCalled();
      hv.consoleInput(vm.id, new TextEncoder().encode('x')); // still answering
      await waitForConsole(hv, vm.id, 'idle-echo ready\r\nx');

      flow.beforeQuit(quitEvent());
      expect(d.asked).toHaveLength(2);
      d.click(0); // Power off VMs and quit
      await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0), { timeout: 10_000 });
      expect(order).toEqual(['shutdown: stopped', 'exit 0']);
    }, 60_000);
  });
});
