/**
 * Quitting while VMs run asks first: "Power off VMs and quit" or "Cancel" (suspending them is a
 * later feature). Powering off is the hypervisor's stop for each running VM (the guest is asked,
 * then the plug pulled after the stop timeout); the app exits once every VM has stopped.
 */
import type { MessageBoxOptions } from 'electron';
import type { VmSummary } from '../../core/api/index.js';
import { desktopStrings, type DesktopStrings } from './strings.js';

/**
 * The question for `running` VMs: button 0 powers off and quits, button 1 (the default, and
 * Escape) cancels.
 */
export function quitDialogOptions(running: readonly Pick<VmSummary, 'name'>[], strings: DesktopStrings = desktopStrings('en')): MessageBoxOptions {
  const names = running.map((vm) => `• ${vm.name}`).join('\n');
  return {
    type: 'warning',
    title: strings.quitTitle,
    message: running.length === 1 ? strings.quitOne(running[0]!.name) : strings.quitMany(running.length),
    detail: `${names}\n\n${strings.quitDetail}`,
    buttons: [...strings.quitButtons],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
}

/** VMs that quitting would power off. */
export function activeVms(vms: readonly VmSummary[]): VmSummary[] {
  return vms.filter((vm) => vm.state === 'starting' || vm.state === 'running' || vm.state === 'paused' || vm.state === 'stopping');
}

export interface QuitFlowOptions {
  /** The library's VMs now. */
  listVms(): VmSummary[];
  /** Shows the question; resolves with the index of the button chosen. */
  ask(options: MessageBoxOptions): Promise<number>;
  /** Tells the window, powers every VM off and releases the library; resolves when done. */
  shutdown(): Promise<void>;
  /** Ends the app (app.exit). */
  exit(code: number): void;
  log(message: string, error?: unknown): void;
  /** The language of the question (default English). */
  readonly strings?: DesktopStrings;
}

/**
 * The app's `before-quit` handler as a small state machine: idle → asking (the dialog is up; more
 * quit requests wait for it) → closing (VMs powering off; more quit requests are ignored) → exit.
 * Cancel goes back to idle with every VM still running.
 */
export class QuitFlow {
  private phase: 'idle' | 'asking' | 'closing' = 'idle';

  constructor(private readonly options: QuitFlowOptions) {}

  get state(): 'idle' | 'asking' | 'closing' {
    return this.phase;
  }

  /** For app.on('before-quit'): always prevents the default quit; this flow exits by itself. */
  readonly beforeQuit = (event: { preventDefault(): void }): void => {
    event.preventDefault();
    if (this.phase !== 'idle') return;
    const running = activeVms(this.options.listVms());
    if (running.length === 0) {
      this.close();
      return;
    }
    this.phase = 'asking';
    this.options.ask(quitDialogOptions(running, this.options.strings)).then(
      (button) => {
        if (button === 0) this.close();
        else this.phase = 'idle';
      },
      (error: unknown) => {
        this.options.log('the quit dialog failed; not quitting', error);
        this.phase = 'idle';
      },
    );
  };

  private close(): void {
    this.phase = 'closing';
    this.options.shutdown().then(
      () => this.options.exit(0),
      (error: unknown) => {
        this.options.log('shutting the VMs down failed', error);
        this.options.exit(1);
      },
    );
  }
}
