/**
 * The typed messages between the host (core/hypervisor) and one VM process (core/vm/process-runtime.ts).
 * They travel over child_process IPC with `serialization: 'advanced'` (Node) or utilityProcess
 * postMessage (Electron): both structured-clone, so console bytes stay `Uint8Array`s.
 *
 * The host trusts its own VM processes less than itself: what comes back is validated
 * (`parseVmMessage`, by hand: cheap on the per-chunk console path) before it changes any state, because a
 * corrupted VM process must end up Crashed, never confuse the host.
 */
import { CONSOLE_NAMES, type ConsoleName, type KeyCombo } from '../api/commands.js';

/** What the VM process boots: the resolved, validated configuration (files as host paths). */
export interface BootSpec {
  readonly vmId: string;
  readonly harts: number;
  readonly memoryMiB: number;
  /** M-mode firmware loaded at 0x8000_0000; null: boot the kernel directly in M-mode. */
  readonly bios: string | null;
  readonly kernel: string | null;
  readonly initrd: string | null;
  readonly cmdline: string;
  /** Raw disk images for the virtio-mmio slots, in order (slot 0 is the guest's vda). */
  readonly disks?: readonly { readonly path: string; readonly readOnly: boolean }[];
  /** Share of one host core the VM's hart loop may use, 1..100 (threaded: each hart thread). */
  readonly cpuCapPercent: number;
  /**
   * 'threaded': a thread per hart over the shared memory (when the platform can start threads);
   * 'inline': every hart on the device thread. Default 'threaded'.
   */
  readonly scheduler?: 'threaded' | 'inline';
}

/** Host → VM process. */
export type HostToVm =
  /** Build the board and run it. Only once, first. */
  | { readonly type: 'boot'; readonly spec: BootSpec }
  /** Freeze the harts and the guest's clock. Answered by `paused`. */
  | { readonly type: 'pause' }
  /** Continue after `pause`. Answered by `resumed`. */
  | { readonly type: 'resume' }
  /** Reset button: harts and devices to reset state, images reloaded. Answered by `reset`. */
  | { readonly type: 'reset' }
  /**
   * Ask the guest to power off: press the power button (virtio-input KEY_POWER). Answered by
   * `powerButton`; a guest without a driver for it is hard-stopped by the host after its timeout.
   */
  | { readonly type: 'powerRequest' }
  /** Press a key combination on the VM's virtio-input device. Answered by `keysSent`. */
  | { readonly type: 'keys'; readonly keys: KeyCombo }
  /** Bytes typed on a console ('serial': the UART; 'hvc0': the virtio-console). */
  | { readonly type: 'input'; readonly stream: ConsoleName; readonly data: Uint8Array }
  /** A break condition on the serial line (UART LSR.BI with a zero byte). */
  | { readonly type: 'break' }
  /** Asks for counters; answered by `stats` with the same id. */
  | { readonly type: 'stats'; readonly requestId: number }
  /** Leave now (hard stop that still lets the process flush its log). */
  | { readonly type: 'exit' };

/** Counters the VM process reports; the host turns them into rates. */
export interface VmCounters {
  /** Instructions retired by all harts since boot. */
  readonly retired: number;
  /** CPU time used by the whole VM process (user + system), microseconds. */
  readonly cpuMicros: number;
  /** Resident set size of the VM process. */
  readonly rssBytes: number;
  /** Milliseconds since boot (monotonic, pauses included). */
  readonly uptimeMs: number;
}

/** How a guest ended on its own. */
export type GuestStop =
  | { readonly kind: 'poweroff'; readonly code: number; readonly failed: boolean }
  | { readonly kind: 'htif-exit'; readonly code: number }
  | { readonly kind: 'hang'; readonly reason: string };

/** VM process → host. */
export type VmMessage =
  /** The board is built and the harts run. */
  | { readonly type: 'booted'; readonly harts: number; readonly scheduler: 'threaded' | 'inline' }
  | { readonly type: 'paused' }
  | { readonly type: 'resumed' }
  | { readonly type: 'reset' }
  /** One console's output since the last message for it. */
  | { readonly type: 'output'; readonly stream: ConsoleName; readonly data: Uint8Array }
  | { readonly type: 'stats'; readonly requestId: number; readonly counters: VmCounters }
  /** The guest stopped by itself (poweroff via syscon, HTIF exit, or hung with interrupts off). */
  | { readonly type: 'stopped'; readonly stop: GuestStop }
  /** The VM hit an error it cannot continue from (bad image, internal error in a hart): it crashes. */
  | { readonly type: 'fatal'; readonly message: string; readonly detail: string }
  /** A line for vms/<id>/logs/vm.log. */
  | { readonly type: 'log'; readonly line: string }
  /** Answer to `powerRequest`: whether a guest driver took the power-button press. */
  | { readonly type: 'powerButton'; readonly pressed: boolean }
  /** Answer to `keys`: whether a guest driver had the input device set up to take them. */
  | { readonly type: 'keysSent'; readonly delivered: boolean };

type Checker = (m: Record<string, unknown>) => boolean;
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';
const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isCounters(v: unknown): boolean {
  return obj(v) && num(v.retired) && num(v.cpuMicros) && num(v.rssBytes) && num(v.uptimeMs);
}

function isGuestStop(v: unknown): boolean {
  if (!obj(v)) return false;
  switch (v.kind) {
    case 'poweroff':
      return num(v.code) && typeof v.failed === 'boolean';
    case 'htif-exit':
      return num(v.code);
    case 'hang':
      return str(v.reason);
    default:
      return false;
  }
}

const CHECKS: Record<VmMessage['type'], Checker> = {
  booted: (m) => num(m.harts) && (m.scheduler === 'threaded' || m.scheduler === 'inline'),
  paused: () => true,
  resumed: () => true,
  reset: () => true,
  output: (m) => (CONSOLE_NAMES as readonly unknown[]).includes(m.stream) && m.data instanceof Uint8Array,
  stats: (m) => num(m.requestId) && isCounters(m.counters),
  stopped: (m) => isGuestStop(m.stop),
  fatal: (m) => str(m.message) && str(m.detail),
  log: (m) => str(m.line),
  powerButton: (m) => typeof m.pressed === 'boolean',
  keysSent: (m) => typeof m.delivered === 'boolean',
};

/** Validates a message from a VM process; null when it is not one (the host then treats the VM as crashed). */
export function parseVmMessage(raw: unknown): VmMessage | null {
  if (!obj(raw) || !str(raw.type) || !Object.hasOwn(CHECKS, raw.type)) return null;
  return CHECKS[raw.type as VmMessage['type']](raw) ? (raw as unknown as VmMessage) : null;
}

/** Exit code of a VM process that stopped because of a fatal error. */
export const EXIT_FATAL = 70;
