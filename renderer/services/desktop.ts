/**
 * The desktop app's extras in the page (absent in a browser): console streams over MessagePorts
 * (desktop-console.ts), and the native menu, which acts on the VM the window shows and sends New VM,
 * Preferences and the restored selection here.
 */
import { watch } from 'vue';
import type { RiscstationBridge, VmId } from '../../core/api/index.js';
import type { DesktopBridge, DesktopCommand } from '../../core/api/desktop.js';
import { setConsoleOpener } from './console.js';
import { desktopConsoleOpener } from './desktop-console.js';

declare global {
  interface Window {
    /** Present only in the desktop app (electron/preload). */
    riscstationDesktop?: DesktopBridge;
  }
}

/** Call once at start-up: in the desktop app, consoles use MessagePorts from the VM processes. */
export function installDesktopConsoles(win: Window): boolean {
  const desktop = win.riscstationDesktop;
  const api: RiscstationBridge | undefined = win.riscstation;
  if (!desktop || !api) return false;
  setConsoleOpener(desktopConsoleOpener({ win, desktop, api }));
  return true;
}

export interface DesktopMenuHandlers {
  /** The VM the window shows (reported to main whenever it changes). */
  selectedId(): VmId | null;
  select(id: VmId): void;
  newVm(): void;
  preferences(): void;
}

/**
 * Connects the native menu to the page (call in a component's setup). Returns the disconnect
 * function, or null outside the desktop app.
 */
export function useDesktopMenu(win: Window, handlers: DesktopMenuHandlers): (() => void) | null {
  const desktop = win.riscstationDesktop;
  if (!desktop) return null;
  const stopWatch = watch(handlers.selectedId, (vmId) => desktop.reportSelection({ vmId }), { immediate: true });
  const stopCommands = desktop.onCommand((command: DesktopCommand) => {
    if (command.type === 'newVm') handlers.newVm();
    else if (command.type === 'preferences') handlers.preferences();
    else handlers.select(command.vmId);
  });
  return () => {
    stopWatch();
    stopCommands();
  };
}
