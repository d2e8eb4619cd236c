/**
 * `utilityProcess.fork` whose "child" runs in this thread: the real VM-process side of the desktop
 * app (electron/vm-process/parent-port.ts's adapter around the real VM runtime, inline scheduler)
 * behind a FakeUtilityProcess. Only Electron's process boundary is played; messages are copied
 * with structuredClone and delivered asynchronously, ports are handed over as they are.
 */
import { readFileSync } from 'node:fs';
import { vi } from 'vitest';
import { runVmProcess } from '../../../core/vm/process-runtime.js';
import type { VmProcessEnv } from '../../../core/vm/process.js';
import { adaptParentPort, type ConsolePortLike, type ParentPortLike, type ConsolePorts } from '../../../electron/vm-process/parent-port.js';
import { FakeUtilityProcess } from './fake-electron.js';

export interface InProcessChild {
  readonly child: FakeUtilityProcess;
  readonly consoles: ConsolePorts;
}

export function inProcessUtility() {
  const children: InProcessChild[] = [];
  let nextPid = 50_000;
  const fork = vi.fn((modulePath: string, args: string[] = [], options: Record<string, unknown> = {}) => {
    void modulePath;
    void args;
    void options;
    const child = new FakeUtilityProcess(nextPid++);
    let exited = false;
    const timers = new Set<() => void>();
    const parentListeners: ((event: { data: unknown; ports: readonly ConsolePortLike[] }) => void)[] = [];
    const parent: ParentPortLike = {
      on: (_event, listener) => parentListeners.push(listener),
      postMessage: (message) => {
        const copy = structuredClone(message);
        queueMicrotask(() => {
          if (!exited) child.emit('message', copy);
        });
      },
    };
    child.postMessage = (message: unknown, transfer: unknown[] = []) => {
      child.posted.push([message, transfer]);
      const copy = structuredClone(message);
      queueMicrotask(() => {
        if (!exited) for (const l of parentListeners) l({ data: copy, ports: transfer as ConsolePortLike[] });
      });
    };
    const end = (code: number) => {
      if (exited) return;
      exited = true;
      for (const cancel of timers) cancel();
      consoles.closeAll();
      queueMicrotask(() => child.exit(code));
    };
    child.kill = () => {
      child.killCalls++;
      end(0);
      return true;
    };
    const env: VmProcessEnv = {
      readFile: (path) => new Uint8Array(readFileSync(path)),
      now: () => performance.now(),
      after(ms, fn) {
        if (exited) return () => {};
        const handle = ms <= 0 ? setImmediate(() => run()) : setTimeout(() => run(), ms);
        const cancel = () => {
          timers.delete(cancel);
          if (ms <= 0) clearImmediate(handle as NodeJS.Immediate);
          else clearTimeout(handle as NodeJS.Timeout);
        };
        const run = () => {
          timers.delete(cancel);
          if (!exited) fn();
        };
        timers.add(cancel);
        return cancel;
      },
      cpuMicros: () => 0,
      rssBytes: () => 0,
      exit: (code) => end(code),
    };
    const { port, consoles } = adaptParentPort(parent);
    runVmProcess(port, env);
    children.push({ child, consoles });
    return child;
  });
  return { fork, children };
}
