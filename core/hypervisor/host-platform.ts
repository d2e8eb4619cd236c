/**
 * What the hypervisor needs from the host OS, as interfaces: core/hypervisor has no `node:*`.
 * core/platform/node implements them for Node (`riscstation serve`, the CLI, tests); Electron main
 * uses the same Node adapters plus its own `ProcessLauncher` (utilityProcess).
 */
import type { ProcessLauncher } from '../vm/process.js';

/** A file's kind and size, or null when the path does not exist. */
export interface FileInfo {
  readonly kind: 'file' | 'directory' | 'other';
  readonly size: number;
}

/** Files as the library uses them. Paths use '/' (accepted on every OS). */
export interface LibraryFiles {
  /** Reads a UTF-8 file; throws with `code: 'ENOENT'` when missing. */
  readText(path: string): string;
  /** Reads the first `length` bytes of a file (fewer when it is shorter). */
  readHead(path: string, length: number): Uint8Array;
  /**
   * Replaces a file atomically: write a temporary file beside it, fsync it, rename it over the
   * old one, fsync the folder. A crash at any moment leaves either the old or the new content.
   */
  writeAtomic(path: string, text: string): void;
  /** Appends to a log file (created when missing). */
  append(path: string, text: string): void;
  /** Creates a folder and its parents. */
  mkdirp(path: string): void;
  /** Names in a folder ([] when it does not exist). */
  list(path: string): string[];
  /** Removes a folder and everything in it. */
  removeTree(path: string): void;
  stat(path: string): FileInfo | null;
  /** The path with every symbolic link resolved; the path itself when it does not exist. */
  realPath(path: string): string;
  /** Moves a file or folder within one file system (atomic); the target must not exist. */
  rename(from: string, to: string): void;
  /**
   * Copies a (large) file to a new path, reporting progress; holes (all-zero blocks) stay holes.
   * Resolves 'cancelled' (and leaves no target behind) once `control.cancelled()` answers true;
   * throws when the copy fails (the target is removed then too). The target is fsynced when done.
   */
  copyFile(from: string, to: string, control: CopyControl): Promise<'done' | 'cancelled'>;
}

/** How a long copy reports progress and learns that it is cancelled. */
export interface CopyControl {
  onProgress(doneBytes: number, totalBytes: number): void;
  cancelled(): boolean;
}

/** Timers without `setTimeout` in core. */
export interface Timers {
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
  /** Milliseconds on a monotonic clock. */
  now(): number;
}

/** Everything the hypervisor gets from its host. */
export interface HostPlatform {
  readonly files: LibraryFiles;
  readonly timers: Timers;
  readonly launcher: ProcessLauncher;
  /** Physical memory of the host in bytes (admission control). */
  totalMemoryBytes(): number;
  /** Wall-clock time for log lines, ISO 8601. */
  isoTime(): string;
}

/** Joins path parts with '/', collapsing duplicate separators. */
export function joinPath(...parts: string[]): string {
  return parts.join('/').replace(/\/{2,}/g, '/');
}
