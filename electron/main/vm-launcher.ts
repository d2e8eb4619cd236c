/**
 * Electron's `ProcessLauncher`: each VM is `utilityProcess.fork` of the built VM-process entry
 * (dist/electron/vm-process.js), a Chromium-managed child with Node and MessagePorts. Messages are
 * structured clones (console bytes stay Uint8Arrays), the child's stderr goes to the VM's process
 * log, and a window's console attaches by a MessagePort handed to the child (`attachConsole`).
 */
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ForkOptions, MessagePortMain, UtilityProcess } from 'electron';
import type { ConsoleName } from '../../core/api/commands.js';
import { packageInfo } from '../../core/platform/node/package-info.js';
import { ExitNotifier } from '../../core/vm/process-exit.js';
import type { LaunchOptions, ProcessLauncher, VmProcessExit, VmProcessHandle } from '../../core/vm/process.js';
import type { HostToVm } from '../../core/vm/protocol.js';
import type { ConsoleAttachMessage } from '../vm-process/parent-port.js';

/** `utilityProcess` of the electron module (injected so tests can stand in for it). */
export interface UtilityProcessModule {
  fork(modulePath: string, args?: string[], options?: ForkOptions): UtilityProcess;
}

/** The built VM-process entry: dist/electron/vm-process.js beside dist/electron/main/ (or in dist/ when running from sources). */
export function electronVmProcessEntry(): string {
  const sibling = join(dirname(fileURLToPath(import.meta.url)), '..', 'vm-process.js');
  if (existsSync(sibling)) return sibling;
  const built = join(packageInfo().root, 'dist', 'electron', 'vm-process.js');
  if (existsSync(built)) return built;
  throw new Error(`the VM process entry is not built (${built} is missing): run 'npm run build:core'`);
}

/** One VM's utility process. */
export class UtilityVmProcess implements VmProcessHandle {
  private readonly exit = new ExitNotifier();
  private killed = false;

  constructor(
    readonly vmId: string,
    private readonly child: UtilityProcess,
    private readonly log: WriteStream | null,
    private readonly killPid: (pid: number) => void,
  ) {
    child.on('exit', (code) => this.ended(code));
    child.on('error', (type, location, report) => {
      // A fatal V8 error: 'exit' follows; keep what Electron knows about it in the process log.
      this.log?.write(`riscstation-vm ${vmId}: ${type} at ${location}\n${report}\n`);
    });
  }

  /** Known once the process has spawned (Electron sets it after 'spawn'); null after exit. */
  get pid(): number | null {
    return this.exit.ended ? null : (this.child.pid ?? null);
  }

  get exited(): boolean {
    return this.exit.ended !== null;
  }

  send(message: HostToVm): void {
    if (!this.exited) this.child.postMessage(message);
  }

  onMessage(listener: (message: unknown) => void): () => void {
    const handler = (message: unknown) => listener(message);
    this.child.on('message', handler);
    return () => this.child.off('message', handler);
  }

  onExit(listener: (exit: VmProcessExit) => void): () => void {
    return this.exit.onExit(listener);
  }

  /**
   * Ends the process at once. utilityProcess.kill() sends SIGTERM, which a busy VM process could
   * take time to act on; SIGKILL through its pid is the hard stop the host means.
   */
  kill(): void {
    if (this.exited) return;
    this.killed = true;
    const pid = this.child.pid;
    if (pid !== undefined) {
      try {
        this.killPid(pid);
        return;
      } catch {
        // already gone, or not ours to signal: let Electron try
      }
    }
    this.child.kill();
  }

  /** Hands `port` to the VM process, attached to `stream`; false when the process has ended. */
  attachConsole(stream: ConsoleName, port: MessagePortMain): boolean {
    if (this.exited) return false;
    const message: ConsoleAttachMessage = { type: 'consoleAttach', stream };
    this.child.postMessage(message, [port]);
    return true;
  }

  /** Electron reports only an exit code; a kill we asked for is reported as SIGKILL, like Node's launcher. */
  private ended(code: number): void {
    this.exit.end(this.killed ? { code: null, signal: 'SIGKILL' } : { code, signal: null });
  }
}

export interface ElectronVmLauncherOptions {
  readonly utilityProcess: UtilityProcessModule;
  /** The VM-process entry (default: electronVmProcessEntry(), looked up at the first launch). */
  readonly entry?: string;
  /** Sends SIGKILL to a pid (default process.kill). */
  readonly killPid?: (pid: number) => void;
}

export class ElectronVmLauncher implements ProcessLauncher {
  private readonly running = new Map<string, UtilityVmProcess>();
  private entry: string | undefined;
  private readonly killPid: (pid: number) => void;

  constructor(private readonly options: ElectronVmLauncherOptions) {
    this.entry = options.entry;
    this.killPid = options.killPid ?? ((pid) => process.kill(pid, 'SIGKILL'));
  }

  launch(options: LaunchOptions): UtilityVmProcess {
    const entry = (this.entry ??= electronVmProcessEntry());
    const log = options.stderrLog === null ? null : createWriteStream(options.stderrLog, { flags: 'a', mode: 0o600 });
    log?.on('error', () => {}); // a log that cannot be written must not take main down
    let child: UtilityProcess;
    try {
      child = this.options.utilityProcess.fork(entry, ['--vm', options.vmId], {
        serviceName: `riscstation-vm ${options.vmId}`,
        stdio: ['ignore', 'ignore', log ? 'pipe' : 'inherit'],
        env: { ...process.env, RISCSTATION_VM_ID: options.vmId },
      });
    } catch (error) {
      log?.end();
      throw error;
    }
    // The log closes when the child's stderr does (after its last words), or at exit without one.
    if (log && child.stderr) child.stderr.pipe(log);
    else if (log) child.once('exit', () => log.end());
    const handle = new UtilityVmProcess(options.vmId, child, log, this.killPid);
    this.running.set(options.vmId, handle);
    handle.onExit(() => {
      if (this.running.get(options.vmId) === handle) this.running.delete(options.vmId);
    });
    return handle;
  }

  /** The live process of a VM, if it has one. */
  processOf(vmId: string): UtilityVmProcess | null {
    const handle = this.running.get(vmId);
    return handle && !handle.exited ? handle : null;
  }
}
