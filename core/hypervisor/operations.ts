/**
 * Long operations the host runs for a client (copying a template's disk when a VM is created):
 * the client names each with an id, follows `operation.progress` events carrying it, and may
 * cancel it with `operation.cancel`. The operation checks `cancelled` between steps and cleans up.
 */
import { ApiError } from '../api/index.js';

export interface Operation {
  readonly id: string;
  /** True once `operation.cancel` named this operation. */
  readonly cancelled: boolean;
  /** Reports progress (events are throttled; the first and the last always go out). */
  progress(what: string, doneBytes: number, totalBytes: number): void;
}

/** Progress events at most this often per operation (plus the first and the final one). */
const PROGRESS_INTERVAL_MS = 100;

export class Operations {
  private readonly running = new Map<string, { cancelled: boolean }>();

  constructor(
    private readonly now: () => number,
    private readonly emit: (operationId: string, what: string, doneBytes: number, totalBytes: number) => void,
  ) {}

  /** Starts an operation under the client's id (a fresh one when it gave none); `end` must follow. */
  begin(id: string | undefined): Operation {
    const opId = id ?? `op-${Math.floor(this.now()).toString(36)}-${this.running.size}`;
    if (this.running.has(opId)) throw new ApiError('conflict', `an operation with id '${opId}' is already running`);
    const state = { cancelled: false };
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
        this.emit(opId, what, done, total);
      },
    };
  }

  end(op: Operation): void {
    this.running.delete(op.id);
  }

  /** Asks an operation to stop; false when none runs under that id. */
  cancel(id: string): boolean {
    const state = this.running.get(id);
    if (!state) return false;
    state.cancelled = true;
    return true;
  }
}
