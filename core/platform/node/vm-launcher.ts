/**
 * Node's `ProcessLauncher`: each VM is `child_process.fork` of the built VM-process entry
 * (dist/core/platform/node/vm-process-main.js) with structured-clone IPC. The child's stderr goes
 * to the VM's process log so a crash's stack trace is kept even when it could not send a message.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitNotifier } from '../../vm/process-exit.js';
import type { LaunchOptions, ProcessLauncher, VmProcessExit, VmProcessHandle } from '../../vm/process.js';
import type { HostToVm } from '../../vm/protocol.js';
import { packageInfo } from './package-info.js';

/** The compiled VM-process entry (from dist/ this module's sibling; from sources, the build in dist/). */
export function vmProcessEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'vm-process-main.js');
  if (existsSync(sibling)) return sibling;
  const built = join(packageInfo().root, 'dist', 'core', 'platform', 'node', 'vm-process-main.js');
  if (existsSync(built)) return built;
  throw new Error(`the VM process entry is not built (${built} is missing): run 'npm run build:core'`);
}

class ForkedVmProcess implements VmProcessHandle {
  readonly pid: number | null;
  private readonly exit = new ExitNotifier();

  constructor(private readonly child: ChildProcess) {
    this.pid = child.pid ?? null;
    child.on('exit', (code, signal) => this.ended({ code, signal }));
    child.on('error', () => {
      // spawn failure or IPC error: 'exit' follows (or the process never ran)
      if (child.pid === undefined) this.ended({ code: null, signal: null });
    });
  }

  send(message: HostToVm): void {
    if (this.exit.ended || !this.child.connected) return;
    this.child.send(message, (error) => {
      void error; // the process is going away: its exit is reported separately
    });
  }

  onMessage(listener: (message: unknown) => void): () => void {
    this.child.on('message', listener);
    return () => this.child.off('message', listener);
  }

  onExit(listener: (exit: VmProcessExit) => void): () => void {
    return this.exit.onExit(listener);
  }

  kill(): void {
    if (!this.exit.ended) this.child.kill('SIGKILL');
  }

  private ended(exit: VmProcessExit): void {
    this.exit.end(exit);
  }
}

export class NodeVmLauncher implements ProcessLauncher {
  constructor(private readonly entry: string = vmProcessEntry()) {}

  launch(options: LaunchOptions): VmProcessHandle {
    let stderr: number | 'inherit' = 'inherit';
    if (options.stderrLog !== null) stderr = openSync(options.stderrLog, 'a', 0o600);
    try {
      const child = fork(this.entry, ['--vm', options.vmId], {
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', stderr, 'ipc'],
        execArgv: [],
        env: { ...process.env, RISCSTATION_VM_ID: options.vmId },
      });
      return new ForkedVmProcess(child);
    } finally {
      if (typeof stderr === 'number') closeSync(stderr);
    }
  }
}
