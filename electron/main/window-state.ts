/**
 * The window's size, position, maximized flag and last selected VM, kept in userData/window-state.json.
 * Written atomically (temp + fsync + rename); read with a schema: a corrupt or foreign file is
 * ignored with a log line and the defaults are used, never a crash. A position that would put the
 * window off every display (a monitor since unplugged) is dropped and only the size kept.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rectangle } from 'electron';
import { z } from 'zod';
import { vmIdSchema } from '../../core/api/index.js';
import { writeFileAtomic } from '../../core/platform/node/files.js';

export const WINDOW_STATE_FILE = 'window-state.json';

const size = z.number().int().min(100).max(100_000);
const coordinate = z.number().int().min(-100_000).max(100_000);

export const windowStateSchema = z.object({
  version: z.literal(1),
  bounds: z.object({ x: coordinate, y: coordinate, width: size, height: size }),
  maximized: z.boolean(),
  lastVmId: vmIdSchema.nullable(),
});

export type WindowState = z.infer<typeof windowStateSchema>;

/** The part of the window's saved state used to open it. */
export interface RestoredWindow {
  /** Size always; x/y only when the saved position is on a display now. */
  readonly bounds: { width: number; height: number; x?: number; y?: number };
  readonly maximized: boolean;
  readonly lastVmId: string | null;
}

/** How much of the title bar must be on a display for a position to count as visible. */
const MIN_VISIBLE = { width: 100, height: 40 };

/** True when at least a strip of the window's top (the title bar) lies inside one of `workAreas`. */
export function isVisible(bounds: Rectangle, workAreas: readonly Rectangle[]): boolean {
  return workAreas.some((area) => {
    const left = Math.max(bounds.x, area.x);
    const right = Math.min(bounds.x + bounds.width, area.x + area.width);
    const top = Math.max(bounds.y, area.y);
    const bottom = Math.min(bounds.y + MIN_VISIBLE.height, area.y + area.height);
    return right - left >= MIN_VISIBLE.width && bottom - top >= MIN_VISIBLE.height;
  });
}

export function windowStatePath(userData: string): string {
  return join(userData, WINDOW_STATE_FILE);
}

/**
 * Reads the saved state; null when there is none or it is unusable (logged). `workAreas` are the
 * displays' work areas now (screen.getAllDisplays()).
 */
export function loadWindowState(file: string, workAreas: readonly Rectangle[], log: (message: string) => void): RestoredWindow | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log(`window state: cannot read ${file}: ${(error as Error).message}`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    log(`window state: ignored ${file}, it is not JSON (${(error as Error).message})`);
    return null;
  }
  const parsed = windowStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    log(`window state: ignored ${file}: ${issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'invalid'}`);
    return null;
  }
  const { bounds, maximized, lastVmId } = parsed.data;
  if (isVisible(bounds, workAreas)) return { bounds, maximized, lastVmId };
  log(`window state: the saved position (${bounds.x}, ${bounds.y}) is on no display now; keeping only the size`);
  return { bounds: { width: bounds.width, height: bounds.height }, maximized, lastVmId };
}

/** Writes the state atomically (owner-only: it names the user's VMs). Errors are logged, not thrown. */
export function saveWindowState(file: string, state: Omit<WindowState, 'version'>, log: (message: string) => void): void {
  const full: WindowState = { version: 1, ...state };
  try {
    writeFileAtomic(file, JSON.stringify(full, null, 2) + '\n', 0o600);
  } catch (error) {
    log(`window state: cannot write ${file}: ${(error as Error).message}`);
  }
}
