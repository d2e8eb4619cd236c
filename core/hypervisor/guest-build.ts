/**
 * Building a template's guest images (the Linux guest of "Linux (busybox)") from the host: the
 * contract between the hypervisor and whatever runs the build (core/platform/node/guest-build.ts
 * runs scripts/build-guests.mjs as a child process), and the parsing of the build's
 * `--progress-json` lines into progress the hypervisor reports as `operation.progress` events.
 */
import { z } from 'zod';

/** Where a running build has got: step `step` (from 1) of `steps`, named `what`. */
export interface GuestBuildProgress {
  readonly step: number;
  readonly steps: number;
  /** The step's name ("build kernel Image"). */
  readonly what: string;
  /** What the step is doing now ("make: CC fs/ext4/inode.o (12 min so far)"), if known. */
  readonly detail?: string;
}

/** How a build ended. */
export type GuestBuildOutcome =
  | { readonly kind: 'done'; readonly upToDate: boolean; readonly dir: string | null }
  | { readonly kind: 'cancelled' }
  /** `message` says why, ending with the build's last log lines when it has no message of its own. */
  | { readonly kind: 'failed'; readonly message: string };

/** One build under way. */
export interface GuestBuildRun {
  /** Settles once the build process and all its children are gone (never rejects). */
  readonly done: Promise<GuestBuildOutcome>;
  /** Stops the build and every process it started; `done` then resolves `cancelled`. */
  cancel(): void;
}

/** Runs guest builds on this host. */
export interface GuestBuilder {
  /** Null when builds can run here, else a sentence saying why not and what to run where. */
  unavailable(): string | null;
  /** Starts a build; progress arrives through `onProgress` until `done` settles. */
  start(onProgress: (progress: GuestBuildProgress) => void): GuestBuildRun;
}

const stepFields = { step: z.number().int().positive(), steps: z.number().int().positive(), name: z.string() };

/** The lines `node scripts/build-guests.mjs --progress-json` prints (see the script's header). */
export const guestBuildLineSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('start'), ...stepFields }),
  z.object({ event: z.literal('end'), ...stepFields, seconds: z.number().nonnegative().optional() }),
  z.object({ event: z.literal('skip'), ...stepFields }),
  z.object({ event: z.literal('activity'), ...stepFields, line: z.string(), seconds: z.number().nonnegative() }),
  z.object({ event: z.literal('done'), upToDate: z.boolean(), dir: z.string() }),
  z.object({ event: z.literal('error'), message: z.string() }),
]);
export type GuestBuildLine = z.infer<typeof guestBuildLineSchema>;

/** Parses one stdout line of the build; null for the human log lines and anything malformed. */
export function parseGuestBuildLine(text: string): GuestBuildLine | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return null;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return null;
  }
  const parsed = guestBuildLineSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** "42 s", "12 min", "1 h 5 min": how long a step has run, for people. */
export function formatStepDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/**
 * The progress a build line reports, or null when it reports none (skips, the final lines).
 * A step's start says which step runs; activity lines add the command's last log line and the
 * time the step has taken so far; an end says the step finished.
 */
export function progressOfLine(line: GuestBuildLine): GuestBuildProgress | null {
  switch (line.event) {
    case 'start':
      return { step: line.step, steps: line.steps, what: line.name };
    case 'activity': {
      const now = line.line.replace(/\s+/g, ' ').trim();
      const so = `(${formatStepDuration(line.seconds)} so far)`;
      return { step: line.step, steps: line.steps, what: line.name, detail: now ? `${now} ${so}` : so };
    }
    case 'end':
      return { step: line.step, steps: line.steps, what: line.name, detail: `done${line.seconds !== undefined ? ` in ${formatStepDuration(line.seconds)}` : ''}` };
    default:
      return null;
  }
}

/**
 * Follows a build's output: feed it stdout and stderr lines, ask it how the build ended once the
 * process has exited. Keeps the last log lines for the error message of a failed build.
 */
export class GuestBuildLog {
  private readonly tail: string[] = [];
  private finished: { upToDate: boolean; dir: string } | null = null;
  private errorMessage: string | null = null;

  constructor(
    private readonly onProgress: (progress: GuestBuildProgress) => void,
    private readonly keepLines = 30,
  ) {}

  /** One line the build printed (on stdout or stderr). */
  line(text: string): void {
    const parsed = parseGuestBuildLine(text);
    if (!parsed) {
      if (text.trim() !== '') {
        this.tail.push(text.trimEnd());
        if (this.tail.length > this.keepLines) this.tail.shift();
      }
      return;
    }
    if (parsed.event === 'done') this.finished = { upToDate: parsed.upToDate, dir: parsed.dir };
    else if (parsed.event === 'error') this.errorMessage = parsed.message;
    const progress = progressOfLine(parsed);
    if (progress) this.onProgress(progress);
  }

  /** The last human log lines (newest last). */
  lastLines(): string[] {
    return [...this.tail];
  }

  /** How the build ended, given how its process exited (`signal` set when a signal ended it). */
  outcome(exitCode: number | null, signal: string | null, cancelled: boolean): GuestBuildOutcome {
    if (cancelled) return { kind: 'cancelled' };
    if (exitCode === 0 && this.finished) return { kind: 'done', upToDate: this.finished.upToDate, dir: this.finished.dir };
    if (exitCode === 0) return { kind: 'done', upToDate: false, dir: null };
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    if (this.errorMessage !== null) return { kind: 'failed', message: this.errorMessage };
    const tail = this.tail.length > 0 ? `; its last lines:\n${this.tail.join('\n')}` : '';
    return { kind: 'failed', message: `the guest build ${how}${tail}` };
  }
}
