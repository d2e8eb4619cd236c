/**
 * One OS process per VM: the `ProcessLauncher` hides how it is made (Node: child_process.fork in
 * core/platform/node/vm-launcher.ts; Electron: utilityProcess.fork), and `createInMemoryLauncher`
 * runs the same VM runtime in this thread for unit tests of the host side.
 */
import type { HostToVm } from './protocol.js';
import type { StartHartThread } from './threaded.js';
import type { BlockBackend } from '../storage/block-backend.js';

/** How a VM process ended. */
export interface VmProcessExit {
  /** Exit code, null when a signal ended it. */
  readonly code: number | null;
  /** Signal name ('SIGKILL'...), null for a normal exit. */
  readonly signal: string | null;
}

/** The host's handle on one running VM process. */
export interface VmProcessHandle {
  /** OS process id (null for an in-memory VM). */
  readonly pid: number | null;
  send(message: HostToVm): void;
  /** Raw messages from the VM process (validate with parseVmMessage). Returns an unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Called once when the process has ended, however it ended. */
  onExit(listener: (exit: VmProcessExit) => void): () => void;
  /** Ends the process at once (SIGKILL). */
  kill(): void;
}

export interface LaunchOptions {
  /** For diagnostics (process title, messages). */
  readonly vmId: string;
  /** Where the VM process's own stderr goes (vms/<id>/logs/process.log); null: inherit. */
  readonly stderrLog: string | null;
}

export interface ProcessLauncher {
  /** Starts a VM process; it waits for a `boot` message. Throws when the OS refuses. */
  launch(options: LaunchOptions): VmProcessHandle;
}

/** The VM process's side of the channel (process.send/on('message'), utilityProcess parentPort, in-memory). */
export interface VmParentPort {
  send(message: unknown): void;
  onMessage(listener: (message: HostToVm) => void): void;
}

/** What the VM runtime needs from the OS it runs on. */
export interface VmProcessEnv {
  /** Starts a hart thread (worker); absent: harts run inline on the device thread. */
  readonly startHartThread?: StartHartThread;
  /** Milliseconds on a clock every thread of the process shares (timeOrigin + performance.now()). */
  wallMs?(): number;
  /** Opens a raw disk image (virtio-blk backend); absent: the VM gets no disks. */
  openDisk?(path: string, readOnly: boolean): Promise<BlockBackend>;
  /** Reads a whole file (boot images). */
  readFile(path: string): Uint8Array;
  /** The host's wall clock in ns since the Unix epoch, for the guest's RTC; absent: the RTC counts from 1970. */
  epochNs?(): bigint;
  /** Fills `bytes` from the host's CSPRNG (virtio-rng, the guest's /dev/hwrng); absent: no virtio-rng. */
  random?(bytes: Uint8Array): void;
  /** Monotonic milliseconds. */
  now(): number;
  /** Calls `fn` after `ms` (0: as soon as pending messages were handled); returns a canceller. */
  after(ms: number, fn: () => void): () => void;
  /** CPU time used by this process so far, microseconds (user + system). */
  cpuMicros(): number;
  rssBytes(): number;
  /** Ends the process (the in-memory pair reports it as an exit). */
  exit(code: number): void;
}

/** The VM runtime's entry: what each VM process (or in-memory VM) runs. */
export type VmMain = (port: VmParentPort, env: VmProcessEnv) => void;
