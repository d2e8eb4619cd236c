/**
 * The native application menu. Its VM items act on the VM selected in the window (reported over
 * the selection channel) and are enabled only where the lifecycle allows the action
 * (core/vm/lifecycle.ts ALLOWED), so the menu never offers what the host would refuse.
 *
 * Accelerators: VMware's Ctrl+B / Ctrl+E / Ctrl+R would be taken from the console (they are the
 * shell's cursor and history keys, and a menu accelerator wins over the page), so the power keys
 * add Shift, which terminals leave alone (the console's copy/paste are Ctrl+Shift+C/V).
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { VmState } from '../../core/api/index.js';
import { ALLOWED } from '../../core/vm/lifecycle.js';
import { desktopStrings, type DesktopStrings } from './strings.js';

/** What the menu acts on. */
export interface MenuSelection {
  readonly id: string;
  readonly name: string;
  readonly state: VmState;
}

/**
 * `stop` asks the guest to power off (the power button, then a hard stop); `hardStop` pulls the
 * plug; `ctrlAltDel` presses Ctrl+Alt+Del on the VM's keyboard (allowed where console input is).
 */
export type MenuVmAction = 'start' | 'stop' | 'hardStop' | 'pause' | 'resume' | 'reset' | 'ctrlAltDel';

export interface MenuActions {
  newVm(): void;
  preferences(): void;
  /** A power action on the selected VM. */
  power(action: MenuVmAction, vmId: string): void;
  quit(): void;
}

export const ACCELERATORS = {
  newVm: 'CmdOrCtrl+N',
  start: 'CmdOrCtrl+Shift+B',
  stop: 'CmdOrCtrl+Shift+E',
  pause: 'CmdOrCtrl+Shift+P',
  reset: 'CmdOrCtrl+Shift+R',
  preferences: 'CmdOrCtrl+,',
  quit: 'CmdOrCtrl+Q',
} as const;

/** True when `action` is allowed for the selection (false with nothing selected). */
export function menuAllows(selection: MenuSelection | null, action: MenuVmAction): boolean {
  return selection !== null && ALLOWED[action === 'ctrlAltDel' ? 'consoleInput' : action].includes(selection.state);
}

/** The menu template for `platform` (macOS puts Preferences and Quit in the app menu). */
export function buildMenuTemplate(
  selection: MenuSelection | null,
  actions: MenuActions,
  platform: NodeJS.Platform,
  strings: DesktopStrings = desktopStrings('en'),
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  /** Windows and Linux underline the first letter as the menu's access key. */
  const top = (label: string) => (mac || !/^[A-Za-z]/.test(label) ? label : `&${label}`);
  const power = (id: MenuVmAction, label: string, accelerator?: string): MenuItemConstructorOptions => ({
    id: `vm.${id}`,
    label,
    ...(accelerator === undefined ? {} : { accelerator }),
    enabled: menuAllows(selection, id),
    click: () => {
      if (selection && menuAllows(selection, id)) actions.power(id, selection.id);
    },
  });
  const paused = selection?.state === 'paused';
  const preferences: MenuItemConstructorOptions = {
    id: 'app.preferences',
    label: mac ? strings.settingsMac : strings.preferences,
    accelerator: ACCELERATORS.preferences,
    click: () => actions.preferences(),
  };
  const quit: MenuItemConstructorOptions = { id: 'app.quit', label: strings.quit, accelerator: ACCELERATORS.quit, click: () => actions.quit() };
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: 'RiscStation',
      submenu: [{ role: 'about' }, { type: 'separator' }, preferences, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, quit],
    });
  }
  template.push({
    label: top(strings.file),
    submenu: [
      { id: 'vm.new', label: strings.newVm, accelerator: ACCELERATORS.newVm, click: () => actions.newVm() },
      ...(mac ? [] : [{ type: 'separator' } as const, preferences, { type: 'separator' } as const, quit]),
    ],
  });
  template.push({
    label: top(strings.edit),
    submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  });
  template.push({
    label: top(strings.vm),
    submenu: [
      power('start', strings.powerOn, ACCELERATORS.start),
      power('stop', strings.shutDown, ACCELERATORS.stop),
      power('hardStop', strings.powerOff),
      { type: 'separator' },
      paused ? power('resume', strings.resume, ACCELERATORS.pause) : power('pause', strings.pause, ACCELERATORS.pause),
      power('reset', strings.reset, ACCELERATORS.reset),
      { type: 'separator' },
      power('ctrlAltDel', strings.ctrlAltDel),
    ],
  });
  template.push({
    label: top(strings.view),
    submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
  });
  template.push({ role: 'windowMenu' });
  return template;
}
