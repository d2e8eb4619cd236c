import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import type { VmState } from '../../../../core/api/index.js';
import { ACCELERATORS, buildMenuTemplate, type MenuActions, type MenuSelection } from '../../../../electron/main/menu.js';
import { desktopStrings } from '../../../../electron/main/strings.js';

function actions() {
  return {
    newVm: vi.fn<MenuActions['newVm']>(),
    preferences: vi.fn<MenuActions['preferences']>(),
    power: vi.fn<MenuActions['power']>(),
    quit: vi.fn<MenuActions['quit']>(),
  };
}

/** Every item of the template, depth first. */
function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
}

function byId(template: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  const found = items(template).find((item) => item.id === id);
  if (!found) throw new Error(`no menu item ${id}`);
  return found;
}

const click = (item: MenuItemConstructorOptions) => (item.click as () => void)();

const vm = (state: VmState): MenuSelection => ({ id: 'alpine', name: 'Alpine', state });

/** Which VM items are enabled for a selection. */
function enabled(selection: MenuSelection | null): Record<string, boolean> {
  const template = buildMenuTemplate(selection, actions(), 'linux');
  const out: Record<string, boolean> = {};
  for (const item of items(template)) if (item.id?.startsWith('vm.') && item.id !== 'vm.new') out[item.id] = item.enabled !== false;
  return out;
}

describe('application menu', () => {
  it('has the usual accelerators', () => {
    const template = buildMenuTemplate(vm('running'), actions(), 'linux');
    expect({
      newVm: byId(template, 'vm.new').accelerator,
      start: byId(template, 'vm.start').accelerator,
      stop: byId(template, 'vm.stop').accelerator,
      pause: byId(template, 'vm.pause').accelerator,
      reset: byId(template, 'vm.reset').accelerator,
      preferences: byId(template, 'app.preferences').accelerator,
      quit: byId(template, 'app.quit').accelerator,
    }).toEqual({
      newVm: 'CmdOrCtrl+N',
      start: 'CmdOrCtrl+Shift+B',
      stop: 'CmdOrCtrl+Shift+E',
      pause: 'CmdOrCtrl+Shift+P',
      reset: 'CmdOrCtrl+Shift+R',
      preferences: 'CmdOrCtrl+,',
      quit: 'CmdOrCtrl+Q',
    });
    // None of them is a bare Ctrl+letter a shell in the console needs.
    for (const key of Object.values(ACCELERATORS).filter((a) => a !== ACCELERATORS.newVm && a !== ACCELERATORS.quit)) {
      expect(key).toMatch(/Shift|,/);
    }
  });

  it('enables the power items from the selected VM’s state (the lifecycle’s allowed actions)', () => {
    const off = { 'vm.start': false, 'vm.stop': false, 'vm.hardStop': false, 'vm.pause': false, 'vm.reset': false, 'vm.ctrlAltDel': false };
    expect(enabled(null)).toEqual(off);
    expect(enabled(vm('stopped'))).toEqual({ ...off, 'vm.start': true });
    expect(enabled(vm('created'))).toEqual({ ...off, 'vm.start': true });
    expect(enabled(vm('crashed'))).toEqual({ ...off, 'vm.start': true });
    const on = { 'vm.start': false, 'vm.stop': true, 'vm.hardStop': true, 'vm.reset': true, 'vm.ctrlAltDel': true };
    expect(enabled(vm('running'))).toEqual({ ...on, 'vm.pause': true });
    expect(enabled(vm('paused'))).toEqual({ ...on, 'vm.resume': true });
    // A VM that hangs while starting or shutting down can still have its plug pulled.
    expect(enabled(vm('starting'))).toEqual({ ...off, 'vm.hardStop': true });
    expect(enabled(vm('stopping'))).toEqual({ ...off, 'vm.hardStop': true });
  });

  it('a paused VM gets Resume on the Pause key', () => {
    const resume = byId(buildMenuTemplate(vm('paused'), actions(), 'linux'), 'vm.resume');
    expect([resume.label, resume.accelerator]).toEqual(['Resume', 'CmdOrCtrl+Shift+P']);
  });

  it('power items act on the selected VM; New VM, Preferences and Quit call their actions', () => {
    const a = actions();
    const template = buildMenuTemplate(vm('running'), a, 'linux');
    click(byId(template, 'vm.pause'));
    click(byId(template, 'vm.stop'));
    click(byId(template, 'vm.hardStop'));
    click(byId(template, 'vm.ctrlAltDel'));
    click(byId(template, 'vm.start')); // disabled: a click that slips through does nothing
    click(byId(template, 'vm.new'));
    click(byId(template, 'app.preferences'));
    click(byId(template, 'app.quit'));
    expect(a.power.mock.calls).toEqual([
      ['pause', 'alpine'],
      ['stop', 'alpine'],
      ['hardStop', 'alpine'],
      ['ctrlAltDel', 'alpine'],
    ]);
    expect([a.newVm.mock.calls.length, a.preferences.mock.calls.length, a.quit.mock.calls.length]).toEqual([1, 1, 1]);
  });

  it('on macOS Settings and Quit sit in the app menu; elsewhere in File', () => {
    const mac = buildMenuTemplate(null, actions(), 'darwin');
    const linux = buildMenuTemplate(null, actions(), 'linux');
    const holder = (template: MenuItemConstructorOptions[], id: string) =>
      template.find((top) => Array.isArray(top.submenu) && top.submenu.some((item) => item.id === id))?.label;
    expect([holder(mac, 'app.preferences'), holder(mac, 'app.quit'), byId(mac, 'app.preferences').label]).toEqual(['RiscStation', 'RiscStation', 'Settings…']);
    expect([holder(linux, 'app.preferences'), holder(linux, 'app.quit'), byId(linux, 'app.preferences').label]).toEqual(['&File', '&File', 'Preferences…']);
  });

  it('speaks Japanese on a Japanese system (the page’s terms; no access-key ampersands on Japanese labels)', () => {
    const template = buildMenuTemplate(vm('running'), actions(), 'linux', desktopStrings('ja'));
    expect(template.map((top) => top.label ?? top.role)).toEqual(['ファイル', '編集', '&VM', '表示', 'windowMenu']);
    expect([byId(template, 'vm.start').label, byId(template, 'vm.stop').label, byId(template, 'vm.hardStop').label, byId(template, 'vm.pause').label, byId(template, 'app.quit').label]).toEqual([
      'パワーオン',
      'ゲストをシャットダウン',
      'パワーオフ',
      '一時停止',
      'RiscStation を終了',
    ]);
  });
});
