/**
 * A VM "process" in this thread: the real VM runtime behind the same `VmProcessHandle` the host
 * uses for OS processes, with messages delivered asynchronously (never re-entrantly) as IPC would.
 * For unit tests of the host side; it has no crash containment, so it is never used in products.
 */
import type { LaunchOptions, ProcessLauncher, VmMain, VmProcessEnv, VmProcessExit, VmProcessHandle } from './process.js';
import type { HostToVm } from './protocol.js';

const later = (fn: () => void): void => {
  void Promise.resolve().then(fn);
};

/** A deep copy of plain data (what structured clone would deliver): the two sides share no buffers. */
function clone<T>(value: T): T {
  if (value instanceof Uint8Array) return value.slice() as T;
  if (Array.isArray(value)) return value.map(clone) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = clone(v);
    return out as T;
  }
  return value;
}

class InMemoryVmProcess implements VmProcessHandle {
  readonly pid = null;
  private readonly hostListeners = new Set<(message: unknown) => void>();
  private readonly exitListeners = new Set<(exit: VmProcessExit) => void>();
  private vmListener: ((message: HostToVm) => void) | null = null;
  private exited = false;
  private readonly cancels = new Set<() => void>();

  constructor(main: VmMain, env: VmProcessEnv) {
    const childEnv: VmProcessEnv = {
      ...env,
      after: (ms, fn) => {
        if (this.exited) return () => {};
        let cancel: () => void = () => {};
        cancel = env.after(ms, () => {
          this.cancels.delete(cancel);
          if (!this.exited) fn();
        });
        this.cancels.add(cancel);
        return () => {
          this.cancels.delete(cancel);
          cancel();
        };
      },
      exit: (code) => this.end({ code, signal: null }),
    };
    main(
      {
        send: (message) => {
          // Structured clone semantics: the host never shares the VM's buffers.
          const copy = clone(message);
          later(() => {
            if (!this.exited) for (const l of this.hostListeners) l(copy);
          });
        },
        onMessage: (listener) => {
          this.vmListener = listener;
        },
      },
      childEnv,
    );
  }

  send(message: HostToVm): void {
    if (this.exited) throw new Error('the VM process has exited');
    const copy = clone(message);
    later(() => {
      if (!this.exited) this.vmListener?.(copy);
    });
  }

  onMessage(listener: (message: unknown) => void): () => void {
    this.hostListeners.add(listener);
    return () => this.hostListeners.delete(listener);
  }

  onExit(listener: (exit: VmProcessExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  kill(): void {
    this.end({ code: null, signal: 'SIGKILL' });
  }

  private end(exit: VmProcessExit): void {
    if (this.exited) return;
    this.exited = true;
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    later(() => {
      for (const l of this.exitListeners) l(exit);
    });
  }
}

/** A launcher whose VMs run `main` in this thread. `env` supplies timers and counters. */
export function createInMemoryLauncher(main: VmMain, env: VmProcessEnv): ProcessLauncher & { launched: VmProcessHandle[] } {
  const launched: VmProcessHandle[] = [];
  return {
    launched,
    launch(_options: LaunchOptions) {
      const handle = new InMemoryVmProcess(main, env);
      launched.push(handle);
      return handle;
    },
  };
}
