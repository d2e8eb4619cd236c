import { nextTick, ref } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import type { DesktopBridge, DesktopCommand } from '../../../../core/api/desktop.js';
import { useDesktopMenu } from '../../../../renderer/services/desktop.js';

describe('the native menu in the page', () => {
  it('outside the desktop app it does nothing', () => {
    expect(useDesktopMenu({} as Window, { selectedId: () => null, select: vi.fn(), newVm: vi.fn(), preferences: vi.fn() })).toBeNull();
  });

  it('reports the selection now and on every change, and runs the menu commands until disconnected', async () => {
    let command: ((c: DesktopCommand) => void) | null = null;
    const desktop: DesktopBridge = {
      openConsole: vi.fn(),
      reportSelection: vi.fn(),
      onCommand: vi.fn((listener) => {
        command = listener;
        return () => (command = null);
      }),
    };
    const selected = ref<string | null>(null);
    const handlers = { selectedId: () => selected.value, select: vi.fn((id: string) => (selected.value = id)), newVm: vi.fn(), preferences: vi.fn() };
    const stop = useDesktopMenu({ riscstationDesktop: desktop } as unknown as Window, handlers)!;
    command!({ type: 'select', vmId: 'alpine' });
    await nextTick();
    command!({ type: 'newVm' });
    command!({ type: 'preferences' });
    expect(vi.mocked(desktop.reportSelection).mock.calls).toEqual([[{ vmId: null }], [{ vmId: 'alpine' }]]);
    expect([handlers.newVm.mock.calls.length, handlers.preferences.mock.calls.length]).toEqual([1, 1]);
    stop();
    expect(command).toBeNull();
    selected.value = 'beta';
    await nextTick();
    expect(desktop.reportSelection).toHaveBeenCalledTimes(2);
  });
});
