/**
 * A VM's lifecycle as a state machine (Firecracker's vCPU state machine in spirit):
 *
 *   created ─start→ starting ─booted→ running ⇄ paused
 *   running|paused ─stop→ stopping ─exited→ stopped
 *   starting|running|paused|stopping ─crash→ crashed
 *   stopped|crashed ─start→ starting
 *
 * `check(action)` says whether a user action is allowed now and, when not, why, in words a user
 * can act on; the hypervisor refuses with that reason instead of ignoring the command.
 */
import type { VmState } from '../api/vm-config.js';

/** What a user (API command) can ask for. */
export type VmAction = 'start' | 'stop' | 'hardStop' | 'reset' | 'pause' | 'resume' | 'delete' | 'configure' | 'consoleInput';

/** What happens to a VM, from user actions and from its process. */
export type VmEvent =
  | { readonly type: 'start' }
  | { readonly type: 'booted' }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'stop' }
  /** The process ended (guest power-off, hard stop): the VM is stopped. */
  | { readonly type: 'exited'; readonly reason: string }
  | { readonly type: 'crash'; readonly reason: string };

/** The states each action is allowed in. */
export const ALLOWED: Readonly<Record<VmAction, readonly VmState[]>> = {
  start: ['created', 'stopped', 'crashed'],
  stop: ['running', 'paused'],
  hardStop: ['starting', 'running', 'paused', 'stopping'],
  reset: ['running', 'paused'],
  pause: ['running'],
  resume: ['paused'],
  delete: ['created', 'stopped', 'crashed'],
  configure: ['created', 'stopped', 'crashed'],
  consoleInput: ['running', 'paused'],
};

const TRANSITIONS: Readonly<Record<VmEvent['type'], Partial<Record<VmState, VmState>>>> = {
  start: { created: 'starting', stopped: 'starting', crashed: 'starting' },
  booted: { starting: 'running' },
  pause: { running: 'paused' },
  resume: { paused: 'running' },
  stop: { running: 'stopping', paused: 'stopping', starting: 'stopping' },
  exited: { starting: 'stopped', running: 'stopped', paused: 'stopped', stopping: 'stopped' },
  crash: { starting: 'crashed', running: 'crashed', paused: 'crashed', stopping: 'crashed' },
};

const ACTION_WORDS: Readonly<Record<VmAction, string>> = {
  start: 'start it',
  stop: 'stop it',
  hardStop: 'hard-stop it',
  reset: 'reset it',
  pause: 'pause it',
  resume: 'resume it',
  delete: 'delete it',
  configure: 'change its hardware',
  consoleInput: 'type into its console',
};

const ADVICE: Partial<Record<VmState, string>> = {
  running: 'stop it first',
  paused: 'resume or stop it first',
  starting: 'wait until it has started',
  stopping: 'wait until it has stopped',
  created: 'start it first',
  stopped: 'start it first',
  crashed: 'start it again first',
};

/** Why `action` is not allowed in `state` (null when it is). */
export function refusal(name: string, state: VmState, action: VmAction): string | null {
  if (ALLOWED[action].includes(state)) return null;
  const advice = ADVICE[state];
  const already =
    (action === 'pause' && state === 'paused') || (action === 'resume' && state === 'running') || (action === 'start' && state === 'running')
      ? ` (it already is ${state})`
      : '';
  return `VM '${name}' is ${state}: cannot ${ACTION_WORDS[action]}${already}` + (advice && !already ? `; ${advice}` : '') +
    ` (allowed when ${ALLOWED[action].join(', ')})`;
}

/** One VM's state plus the crash reason, with every change checked against the table. */
export class VmLifecycle {
  private current: VmState;
  /** Why the VM crashed (state `crashed`), else null. */
  crashReason: string | null = null;

  constructor(
    initial: VmState = 'created',
    private readonly onChange: (state: VmState, previous: VmState, reason: string | undefined) => void = () => {},
  ) {
    this.current = initial;
  }

  get state(): VmState {
    return this.current;
  }

  /** Applies an event; returns false (and changes nothing) when the event does not apply in this state. */
  apply(event: VmEvent): boolean {
    const next = TRANSITIONS[event.type][this.current];
    if (next === undefined) return false;
    const previous = this.current;
    this.current = next;
    let reason: string | undefined;
    if (event.type === 'crash') {
      this.crashReason = event.reason;
      reason = `crashed: ${event.reason}`;
    } else if (event.type === 'exited') {
      reason = event.reason;
    }
    if (event.type === 'start') this.crashReason = null;
    if (next !== previous) this.onChange(next, previous, reason);
    return true;
  }
}
