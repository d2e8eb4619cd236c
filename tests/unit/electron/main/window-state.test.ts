import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isVisible, loadWindowState, saveWindowState, windowStatePath } from '../../../../electron/main/window-state.js';

const root = mkdtempSync(join(tmpdir(), 'rs-window-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const freshDir = () => mkdtempSync(join(root, 'd-'));

const DISPLAY = [{ x: 0, y: 0, width: 1920, height: 1080 }];
const TWO_DISPLAYS = [...DISPLAY, { x: 1920, y: 0, width: 2560, height: 1440 }];

function logger() {
  const lines: string[] = [];
  return { lines, log: (line: string) => lines.push(line) };
}

describe('window state', () => {
  it('round-trips size, position, maximized and the last VM; written atomically, owner-only', () => {
    const dir = freshDir();
    const file = windowStatePath(dir);
    const { lines, log } = logger();
    saveWindowState(file, { bounds: { x: 2000, y: 100, width: 1400, height: 900 }, maximized: true, lastVmId: 'alpine' }, log);
    expect(readdirSync(dir)).toEqual(['window-state.json']); // no temp file left behind
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadWindowState(file, TWO_DISPLAYS, log)).toEqual({
      bounds: { x: 2000, y: 100, width: 1400, height: 900 },
      maximized: true,
      lastVmId: 'alpine',
    });
    expect(lines).toEqual([]);
  });

  it('no file: defaults, silently', () => {
    const { lines, log } = logger();
    expect(loadWindowState(join(freshDir(), 'window-state.json'), DISPLAY, log)).toBeNull();
    expect(lines).toEqual([]);
  });

  it('a corrupt or foreign file is ignored with a log line, never thrown', () => {
    const cases: [string, RegExp][] = [
      ['{"version":1,"bounds":', /not JSON/],
      ['[]', /ignored/],
      ['{"version":2,"bounds":{"x":0,"y":0,"width":800,"height":600},"maximized":false,"lastVmId":null}', /version/],
      ['{"version":1,"bounds":{"x":0,"y":0,"width":-5,"height":600},"maximized":false,"lastVmId":null}', /bounds\.width/],
      ['{"version":1,"bounds":{"x":0,"y":0,"width":800,"height":600},"maximized":"yes","lastVmId":null}', /maximized/],
      ['{"version":1,"bounds":{"x":0,"y":0,"width":800,"height":600},"maximized":false,"lastVmId":"../../etc"}', /lastVmId/],
    ];
    for (const [content, reason] of cases) {
      const file = join(freshDir(), 'window-state.json');
      writeFileSync(file, content);
      const { lines, log } = logger();
      expect(loadWindowState(file, DISPLAY, log)).toBeNull();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(reason);
    }
  });

  it('a position on no display now (a monitor unplugged) is dropped; the size is kept', () => {
    const file = windowStatePath(freshDir());
    const { lines, log } = logger();
    saveWindowState(file, { bounds: { x: 2500, y: 200, width: 1200, height: 800 }, maximized: false, lastVmId: null }, log);
    expect(loadWindowState(file, DISPLAY, log)).toEqual({ bounds: { width: 1200, height: 800 }, maximized: false, lastVmId: null });
    expect(lines).toEqual(['window state: the saved position (2500, 200) is on no display now; keeping only the size']);
  });

  it('visible means a strip of the title bar lies on a display', () => {
    const at = (x: number, y: number) => isVisible({ x, y, width: 1000, height: 700 }, DISPLAY);
    expect(at(100, 100)).toBe(true);
    expect(at(-900, 100)).toBe(true); // 100 px still on screen
    expect(at(-950, 100)).toBe(false);
    expect(at(100, -30)).toBe(false); // title bar above the top
    expect(at(100, 1050)).toBe(false); // title bar below the bottom
    expect(at(3000, 100)).toBe(false);
  });

  it('a write that fails (folder gone) is logged, not thrown', () => {
    const { lines, log } = logger();
    saveWindowState(join(root, 'missing', 'window-state.json'), { bounds: { x: 0, y: 0, width: 800, height: 600 }, maximized: false, lastVmId: null }, log);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/cannot write/);
    expect(() => readFileSync(join(root, 'missing', 'window-state.json'))).toThrow();
  });
});
