/**
 * How a VM process's end is told to the host: once, to every listener, including one that
 * subscribes after the process has already ended (it hears it on a microtask). Shared by the
 * process launchers (Node's child_process, Electron's utilityProcess).
 */
import type { VmProcessExit } from './process.js';

export class ExitNotifier {
  private exit: VmProcessExit | null = null;
  private readonly listeners = new Set<(exit: VmProcessExit) => void>();

  /** How the process ended, null while it runs. */
  get ended(): VmProcessExit | null {
    return this.exit;
  }

  /** VmProcessHandle.onExit. */
  onExit(listener: (exit: VmProcessExit) => void): () => void {
    const exit = this.exit;
    if (exit) {
      void Promise.resolve().then(() => listener(exit));
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records the end and tells the listeners; later calls change nothing. */
  end(exit: VmProcessExit): void {
    if (this.exit) return;
    this.exit = exit;
    for (const listener of this.listeners) listener(exit);
    this.listeners.clear();
  }
}
