/**
 * Long operations the host runs for a client (copying a template's disk when a VM is created,
 * building a template's guest images): the client names each with an id, follows
 * `operation.progress` events carrying it, and may cancel it with `operation.cancel`. A copy checks
 * `cancelled` between blocks; a build registers `onCancel` to stop its process at once.
 */
import { ApiError } from '../api/index.js';

/** What an `operation.progress` event says besides the id (see core/api/events.ts). */
export interface OperationProgress {
  readonly what: string;
  readonly doneBytes: number;
  readonly totalBytes: number;
  readonly step?: number;
  readonly steps?: number;
  readonly detail?: string;
}

export interface Operation {
  readonly id: string;
  /** True once `operation.cancel` named this operation. */
  readonly cancelled: boolean;
  /** Reports progress (events are throttled; the first and the last always go out). */
  progress(what: string, doneBytes: number, totalBytes: number): void;
  /** Reports step-based progress (a build): step `step` (from 1) of `steps`; never throttled. */
  stepProgress(what: string, step: number, steps: number, detail?: string): void;
  /** Calls `fn` when the operation is cancelled (at once if it already is). */
  onCancel(fn: () => void): void;
}

/** Progress events at most this often per operation (plus the first and the final one). */
const PROGRESS_INTERVAL_MS = 100;

export class Operations {
  private readonly running = new Map<string, { cancelled: boolean; onCancel: (() => void)[] }>();

  constructor(
    private readonly now: () => number,
    private readonly emit: (operationId: string, progress: OperationProgress) => void,
  ) {}

  /** Starts an operation under the client's id (a fresh one when it gave none); `end` must follow. */
  begin(id: string | undefined): Operation {
    const opId = id ?? `op-${Math.floor(this.now()).toString(36)}-${this.running.size}`;
    if (this.running.has(opId)) throw new ApiError('conflict', `an operation with id '${opId}' is already running`);
    const state = { cancelled: false, onCancel: [] as (() => void)[] };
    this.running.set(opId, state);
    let lastAt = -Infinity;
    return {
      id: opId,
      get cancelled() {
        return state.cancelled;
      },
      progress: (what, done, total) => {
        const t = this.now();
        if (done !== 0 && done < total && t - lastAt < PROGRESS_INTERVAL_MS) return;
        lastAt = t;
        this.emit(opId, { what, doneBytes: done, totalBytes: total });
      },
      // Steps change seldom (a build's steps take seconds to an hour; activity lines come every
      // few seconds), so each one goes out.
      stepProgress: (what, step, steps, detail) => {
        this.emit(opId, { what, doneBytes: 0, totalBytes: 0, step, steps, ...(detail !== undefined ? { detail } : {}) });
      },
      onCancel: (fn) => {
        if (state.cancelled) fn();
        else state.onCancel.push(fn);
      },
    };
  }

  /** The ids of the operations under way. */
  ids(): string[] {
    return [...this.running.keys()];
  }

  end(op: Operation): void {
    this.running.delete(op.id);
  }

  /** Asks an operation to stop; false when none runs under that id. */
  cancel(id: string): boolean {
    const state = this.running.get(id);
    if (!state) return false;
    if (!state.cancelled) {
      state.cancelled = true;
      for (const fn of state.onCancel.splice(0)) fn();
    }
    return true;
  }
}
