/**
 * SiFive PLIC as on QEMU's virt board: sources 1..ndev, priorities at 0x0, pending bits at 0x1000,
 * enable bits at 0x2000 + 0x80*ctx, threshold/claim at 0x200000 + 0x1000*ctx. Two contexts per hart:
 * ctx = 2*hart is M-mode (drives MEIP), 2*hart+1 is S-mode (drives SEIP).
 *
 * Sources are level-triggered (PLIC spec §5 "gateways"): a high level makes the source pending unless
 * it is being serviced; claim clears pending, complete ends service and re-arms from the level.
 *
 * The registers live in a DeviceStore (shared-state.ts) behind one lock: the threaded scheduler gives
 * each hart thread its own Plic over the same bytes (claim, complete, priority, enable and threshold
 * are served in the hart thread), while the device thread's devices raise sources on its Plic. Every
 * operation, and the recomputation of every context's output line that ends it, runs under the lock,
 * so a source rising while a hart claims is seen either before the claim or after it, never half.
 * The last level driven on each output line is shared too, so each line changes only on an edge.
 */
import type { IrqLine, MmioDevice } from '../memory/mmio.js';
import { align8, lock, privateStore, unlock, type DeviceStore } from './shared-state.js';

export const PLIC_SIZE = 0x60_0000;
export const PLIC_PRIORITY = 0x0;
export const PLIC_PENDING = 0x1000;
export const PLIC_ENABLE = 0x2000;
export const PLIC_ENABLE_STRIDE = 0x80;
export const PLIC_CONTEXT = 0x20_0000;
export const PLIC_CONTEXT_STRIDE = 0x1000;
/** Priority registers hold 3 bits on QEMU's virt board (VIRT_IRQCHIP_NUM_PRIO_BITS). */
export const PLIC_PRIORITY_MASK = 7;

export interface PlicState {
  readonly kind: 'plic';
  readonly version: 1;
  readonly ndev: number;
  readonly priority: number[];
  readonly level: number[];
  readonly pending: number[];
  readonly claimed: number[];
  readonly enable: number[][];
  readonly threshold: number[];
}

/** Bytes of shared state a PLIC with `ndev` sources and `contexts` contexts needs. */
export function plicStateBytes(ndev: number, contexts: number): number {
  const words = (ndev + 32) >> 5;
  return align8((1 + ndev + 1 + 3 * words + words * contexts + 2 * contexts) * 4);
}

export class Plic implements MmioDevice {
  /** Number of sources (highest valid source id). */
  readonly ndev: number;
  readonly contexts: number;
  private readonly words: number;
  private readonly lockWord: Int32Array;
  private readonly priority: Int32Array;
  private readonly level: Int32Array;
  private readonly pending: Int32Array;
  private readonly claimed: Int32Array;
  private readonly enable: Int32Array;
  private readonly threshold: Int32Array;
  private readonly outLevel: Int32Array;
  private readonly outputs: readonly IrqLine[];
  private readonly sources: IrqLine[] = [];

  /**
   * @param ndev number of interrupt sources (1..ndev)
   * @param outputs one line per context: [hart0 M (MEIP), hart0 S (SEIP), hart1 M, ...]
   */
  constructor(ndev: number, outputs: readonly IrqLine[], store: DeviceStore = privateStore(plicStateBytes(ndev, outputs.length))) {
    this.ndev = ndev;
    this.outputs = outputs;
    this.contexts = outputs.length;
    this.words = (ndev + 32) >> 5;
    let at = store.offset;
    const take = (n: number): Int32Array => {
      const a = new Int32Array(store.buffer, at, n);
      at += n * 4;
      return a;
    };
    this.lockWord = take(1);
    this.priority = take(ndev + 1);
    this.level = take(this.words);
    this.pending = take(this.words);
    this.claimed = take(this.words);
    this.enable = take(this.words * this.contexts);
    this.threshold = take(this.contexts);
    this.outLevel = take(this.contexts);
    if (!store.attach) new Int32Array(store.buffer, store.offset, (at - store.offset) / 4).fill(0);
    for (let i = 0; i <= ndev; i++) {
      const id = i;
      this.sources.push({ set: (level: boolean) => this.setLevel(id, level) });
    }
  }

  /** The wire a device raises for interrupt source `id` (1..ndev). */
  source(id: number): IrqLine {
    if (id < 1 || id > this.ndev) throw new Error(`PLIC: no interrupt source ${id} (valid: 1..${this.ndev})`);
    return this.sources[id];
  }

  /** Drives source `id`'s level (what an IrqLine from `source(id)` does). */
  setLevel(id: number, high: boolean): void {
    const w = id >> 5;
    const bit = 1 << (id & 31);
    // Unlocked peek: a line that already has this level changes nothing (UART updates are frequent).
    if (((Atomics.load(this.level, w) & bit) !== 0) === high) return;
    lock(this.lockWord, 0);
    if (high) {
      if (!(this.level[w] & bit)) {
        Atomics.or(this.level, w, bit);
        if (!(this.claimed[w] & bit)) this.pending[w] |= bit;
        this.updateLocked();
      }
    } else if (this.level[w] & bit) {
      Atomics.and(this.level, w, ~bit);
      this.pending[w] &= ~bit;
      this.updateLocked();
    }
    unlock(this.lockWord, 0);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (size !== 4 || (offset & 3) !== 0) return 0;
    lock(this.lockWord, 0);
    const v = this.readLocked(offset);
    unlock(this.lockWord, 0);
    return v;
  }

  private readLocked(offset: number): number {
    if (offset < PLIC_PENDING) {
      const id = offset >> 2;
      return id <= this.ndev ? this.priority[id] : 0;
    }
    if (offset < PLIC_ENABLE) {
      const w = (offset - PLIC_PENDING) >> 2;
      return w < this.words ? this.pending[w] >>> 0 : 0;
    }
    if (offset < PLIC_CONTEXT) {
      const rel = offset - PLIC_ENABLE;
      const ctx = Math.floor(rel / PLIC_ENABLE_STRIDE);
      const w = (rel % PLIC_ENABLE_STRIDE) >> 2;
      if (ctx < this.contexts && w < this.words) return this.enable[ctx * this.words + w] >>> 0;
      return 0;
    }
    const rel = offset - PLIC_CONTEXT;
    const ctx = Math.floor(rel / PLIC_CONTEXT_STRIDE);
    if (ctx >= this.contexts) return 0;
    const reg = rel % PLIC_CONTEXT_STRIDE;
    if (reg === 0) return this.threshold[ctx];
    if (reg === 4) return this.claimLocked(ctx);
    return 0;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4 || (offset & 3) !== 0) return;
    lock(this.lockWord, 0);
    this.writeLocked(offset, value);
    unlock(this.lockWord, 0);
  }

  private writeLocked(offset: number, value: number): void {
    if (offset < PLIC_PENDING) {
      const id = offset >> 2;
      if (id >= 1 && id <= this.ndev) {
        this.priority[id] = value & PLIC_PRIORITY_MASK;
        this.updateLocked();
      }
      return;
    }
    if (offset < PLIC_ENABLE) return; // pending bits are read-only
    if (offset < PLIC_CONTEXT) {
      const rel = offset - PLIC_ENABLE;
      const ctx = Math.floor(rel / PLIC_ENABLE_STRIDE);
      const w = (rel % PLIC_ENABLE_STRIDE) >> 2;
      if (ctx < this.contexts && w < this.words) {
        // Source 0 does not exist; its enable bit is hardwired to 0.
        this.enable[ctx * this.words + w] = w === 0 ? value & ~1 : value;
        this.updateLocked();
      }
      return;
    }
    const rel = offset - PLIC_CONTEXT;
    const ctx = Math.floor(rel / PLIC_CONTEXT_STRIDE);
    if (ctx >= this.contexts) return;
    const reg = rel % PLIC_CONTEXT_STRIDE;
    if (reg === 0) {
      this.threshold[ctx] = value & PLIC_PRIORITY_MASK;
      this.updateLocked();
    } else if (reg === 4) {
      this.completeLocked(ctx, value >>> 0);
    }
  }

  /** Claims the highest-priority pending enabled source for a context (0 when none). */
  claim(ctx: number): number {
    lock(this.lockWord, 0);
    const id = this.claimLocked(ctx);
    unlock(this.lockWord, 0);
    return id;
  }

  private claimLocked(ctx: number): number {
    const id = this.best(ctx);
    if (id !== 0) {
      const w = id >> 5;
      const bit = 1 << (id & 31);
      this.pending[w] &= ~bit;
      this.claimed[w] |= bit;
      this.updateLocked();
    }
    return id;
  }

  /** Completes service of source `id`; a source whose level is still high becomes pending again. */
  complete(ctx: number, id: number): void {
    lock(this.lockWord, 0);
    this.completeLocked(ctx, id);
    unlock(this.lockWord, 0);
  }

  private completeLocked(ctx: number, id: number): void {
    if (id < 1 || id > this.ndev) return;
    const w = id >> 5;
    const bit = 1 << (id & 31);
    // PLIC spec §9: completion for a source not enabled for this context is ignored.
    if (!(this.enable[ctx * this.words + w] & bit)) return;
    this.claimed[w] &= ~bit;
    if (this.level[w] & bit) this.pending[w] |= bit;
    this.updateLocked();
  }

  /** Recomputes each context's output line (MEIP/SEIP). */
  update(): void {
    lock(this.lockWord, 0);
    this.updateLocked();
    unlock(this.lockWord, 0);
  }

  /**
   * Drives the output lines of contexts [first, first + count) again from the registers (a hart
   * thread that just took over its state block, whose lines may have been set before it existed).
   */
  resyncContexts(first: number, count: number): void {
    lock(this.lockWord, 0);
    for (let ctx = first; ctx < first + count && ctx < this.contexts; ctx++) this.outputs[ctx].set(this.outLevel[ctx] === 1);
    unlock(this.lockWord, 0);
  }

  private updateLocked(): void {
    for (let ctx = 0; ctx < this.contexts; ctx++) {
      const level = this.best(ctx) !== 0 ? 1 : 0;
      if (level !== this.outLevel[ctx]) {
        this.outLevel[ctx] = level;
        this.outputs[ctx].set(level === 1);
      }
    }
  }

  private best(ctx: number): number {
    const base = ctx * this.words;
    const threshold = this.threshold[ctx];
    let bestId = 0;
    let bestPrio = 0;
    for (let w = 0; w < this.words; w++) {
      let bits = this.pending[w] & this.enable[base + w];
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const id = (w << 5) | b;
        const prio = this.priority[id];
        if (prio > threshold && prio > bestPrio) {
          bestPrio = prio;
          bestId = id;
        }
      }
    }
    return bestId;
  }

  save(): PlicState {
    const u = (a: Int32Array): number[] => Array.from(a, (v) => v >>> 0);
    lock(this.lockWord, 0);
    const enable: number[][] = [];
    for (let c = 0; c < this.contexts; c++) {
      enable.push(u(this.enable.subarray(c * this.words, (c + 1) * this.words)));
    }
    const state: PlicState = {
      kind: 'plic',
      version: 1,
      ndev: this.ndev,
      priority: u(this.priority),
      level: u(this.level),
      pending: u(this.pending),
      claimed: u(this.claimed),
      enable,
      threshold: u(this.threshold),
    };
    unlock(this.lockWord, 0);
    return state;
  }

  restore(state: PlicState): void {
    if (state.kind !== 'plic' || state.version !== 1) throw new Error(`PLIC: cannot restore state ${state.kind} v${state.version}`);
    if (state.ndev !== this.ndev || state.enable.length !== this.contexts) {
      throw new Error(`PLIC: state has ${state.ndev} sources/${state.enable.length} contexts, machine has ${this.ndev}/${this.contexts}`);
    }
    lock(this.lockWord, 0);
    this.priority.set(state.priority);
    this.level.set(state.level);
    this.pending.set(state.pending);
    this.claimed.set(state.claimed);
    for (let c = 0; c < this.contexts; c++) this.enable.set(state.enable[c], c * this.words);
    this.threshold.set(state.threshold);
    this.outLevel.fill(2);
    this.updateLocked();
    unlock(this.lockWord, 0);
  }
}
