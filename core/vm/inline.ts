/**
 * The inline scheduler: every hart and device of a machine on one thread. Harts run round-robin in
 * slices; between rounds the scheduler polls time-driven devices (CLINT, RTC), Spike's HTIF
 * `tohost` mailbox and power requests from the syscon.
 *
 * Time comes in two flavours:
 *  - 'instructions' (deterministic): mtime advances by `slice / instructionsPerTick` ticks per round,
 *    and when every hart waits for an interrupt the clock jumps straight to the next timer deadline.
 *  - 'host': mtime is the host's monotonic clock; when every hart waits, `run()` returns 'idle' with
 *    the deadline so the caller can sleep (and feed input) until then.
 */
import type { TimeSource } from '../common/clock.js';
import type { SchedulableMachine, StopReason } from '../machine/schedulable.js';

export type { SchedulableHart, SchedulableMachine, StopReason } from '../machine/schedulable.js';

/** What one `run()` call ended with. */
export type RunResult =
  | { readonly kind: 'stopped'; readonly reason: StopReason }
  /** The instruction budget is used up; call run() again. */
  | { readonly kind: 'budget' }
  /** Host time: every hart waits for an interrupt; nothing happens before mtime `until` (or input). */
  | { readonly kind: 'idle'; readonly until: number };

/** mtime counted in instructions (deterministic time). */
export class InstructionClock implements TimeSource {
  ticks = 0;
  now(): number {
    return this.ticks;
  }
}

export interface InlineOptions {
  readonly time: 'instructions' | 'host';
  /** Instructions a hart runs before the next hart gets its turn (default 10 000). */
  readonly slice?: number;
  /** Instruction-count time: instructions per 100 ns mtime tick (default 1: 10 MIPS of guest time). */
  readonly instructionsPerTick?: number;
  /** The clock mtime reads: an InstructionClock for 'instructions', the host clock for 'host'. */
  readonly clock: TimeSource;
}

export class InlineScheduler {
  readonly machine: SchedulableMachine;
  readonly slice: number;
  private readonly time: 'instructions' | 'host';
  private readonly instructionsPerTick: number;
  private readonly clock: TimeSource;
  private fraction = 0;
  /** Instructions retired by all harts since creation. */
  retired = 0;

  constructor(machine: SchedulableMachine, options: InlineOptions) {
    this.machine = machine;
    this.time = options.time;
    this.slice = options.slice ?? 10_000;
    this.instructionsPerTick = options.instructionsPerTick ?? 1;
    this.clock = options.clock;
    if (this.time === 'instructions' && !(this.clock instanceof InstructionClock)) {
      throw new Error('instruction-count time needs an InstructionClock');
    }
  }

  /**
   * Runs rounds until about `budget` instructions have retired, the machine stops, or (host time)
   * every hart is idle.
   */
  run(budget: number): RunResult {
    const { machine } = this;
    const harts = machine.hartRunners;
    let executed = 0;
    try {
      while (executed < budget) {
        let ran = 0;
        let active = 0;
        for (let i = 0; i < harts.length; i++) {
          const hart = harts[i];
          if (hart.isIdle()) continue;
          active++;
          ran += hart.run(this.slice);
        }
        executed += ran;
        this.retired += ran;
        if (this.time === 'instructions') this.advance(active > 0 ? this.slice : 0);
        machine.updateDevices();
        const stop = machine.pollStop();
        if (stop) return { kind: 'stopped', reason: stop };
        if (active === 0 || this.allIdle()) {
          const r = this.whenIdle();
          if (r) return r;
        }
      }
    } catch (error) {
      return { kind: 'stopped', reason: { kind: 'error', error: error instanceof Error ? error : new Error(String(error)) } };
    }
    return { kind: 'budget' };
  }

  private allIdle(): boolean {
    for (const hart of this.machine.hartRunners) if (!hart.isIdle()) return false;
    return true;
  }

  /** Every hart waits: jump time forward (instruction time) or tell the caller to sleep (host time). */
  private whenIdle(): RunResult | null {
    const { machine } = this;
    const deadline = machine.nextDeadline();
    if (deadline === Infinity) {
      let wakeable = false;
      for (const hart of machine.hartRunners) if (hart.canWake()) wakeable = true;
      if (!wakeable) return { kind: 'stopped', reason: { kind: 'hang', reason: 'every hart waits for an interrupt with all interrupts disabled' } };
    }
    if (this.time === 'host') return { kind: 'idle', until: deadline };
    if (deadline === Infinity) return { kind: 'idle', until: deadline }; // only external input can wake it
    const clock = this.clock as InstructionClock;
    if (deadline > clock.ticks) clock.ticks = deadline;
    machine.updateDevices();
    return null;
  }

  private advance(instructions: number): void {
    const clock = this.clock as InstructionClock;
    this.fraction += instructions;
    const ticks = Math.floor(this.fraction / this.instructionsPerTick);
    this.fraction -= ticks * this.instructionsPerTick;
    clock.ticks += ticks;
  }
}
