/**
 * What a scheduler (core/vm: inline or threaded) needs from a board and its harts. Declared here,
 * beside the board, because core/machine may not import core/vm.
 */

/** What the scheduler needs from a hart. */
export interface SchedulableHart {
  /** Runs up to `budget` instructions; returns how many retired. Returns early on WFI. */
  run(budget: number): number;
  /** True while the hart sits in WFI with no enabled interrupt pending (nothing to run). */
  isIdle(): boolean;
  /** True when the hart could ever wake: some interrupt is enabled in mie. */
  canWake(): boolean;
}

/** What the scheduler needs from a machine. */
export interface SchedulableMachine {
  readonly hartRunners: readonly SchedulableHart[];
  /** Re-evaluates time-driven devices (timers, alarms). */
  updateDevices(): void;
  /** Next mtime (ticks) after now at which a timer will raise an interrupt (Infinity when none). */
  nextDeadline(): number;
  /** Checks mailboxes and power requests; non-null stops the run. */
  pollStop(): StopReason | null;
}

/** Why a machine stopped for good. */
export type StopReason =
  | { readonly kind: 'poweroff'; readonly code: number; readonly failed: boolean }
  | { readonly kind: 'reboot' }
  | { readonly kind: 'htif-exit'; readonly code: number }
  | { readonly kind: 'hang'; readonly reason: string }
  | { readonly kind: 'error'; readonly error: Error };

