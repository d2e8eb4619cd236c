/**
 * Icon geometry for AppIcon.vue: 24×24 outline drawings rendered with `currentColor` strokes.
 * Each icon is a list of SVG elements; keep them simple so they read at 16 px.
 */
export type IconShape =
  | { kind: 'path'; d: string }
  | { kind: 'circle'; cx: number; cy: number; r: number }
  | { kind: 'rect'; x: number; y: number; width: number; height: number; rx?: number };

const p = (d: string): IconShape => ({ kind: 'path', d });
const c = (cx: number, cy: number, r: number): IconShape => ({ kind: 'circle', cx, cy, r });
const r = (x: number, y: number, width: number, height: number, rx = 0): IconShape => ({ kind: 'rect', x, y, width, height, rx });

export const ICONS = {
  plus: [p('M12 5v14'), p('M5 12h14')],
  'vm-new': [r(3, 4, 14, 11, 2), p('M7 19h6'), p('M10 15v4'), p('M19 14v6'), p('M16 17h6')],
  play: [p('M7 4.5v15l12-7.5z')],
  pause: [r(6, 4.5, 4, 15, 1), r(14, 4.5, 4, 15, 1)],
  power: [p('M12 3v8'), p('M6.3 6.3a8 8 0 1 0 11.4 0')],
  reset: [p('M3.5 12a8.5 8.5 0 1 0 2.5-6'), p('M3.5 4v5h5')],
  settings: [
    p('M19.07 9.82 21.46 10.35v3.3l-2.39.53-.53 1.28 1.31 2.06-2.33 2.33-2.06-1.31-1.28.53-.53 2.39h-3.3l-.53-2.39-1.28-.53-2.06 1.31-2.33-2.33 1.31-2.06-.53-1.28-2.39-.53v-3.3l2.39-.53.53-1.28-1.31-2.06 2.33-2.33 2.06 1.31 1.28-.53.53-2.39h3.3l.53 2.39 1.28.53 2.06-1.31 2.33 2.33-1.31 2.06z'),
    c(12, 12, 3),
  ],
  sidebar: [r(3, 4, 18, 16, 2), p('M9 4v16')],
  search: [c(11, 11, 6.5), p('M20 20l-4.2-4.2')],
  home: [p('M3.5 11 12 4l8.5 7'), p('M6 9.5V20h4.5v-5.5h3V20H18V9.5')],
  computer: [r(3, 4, 18, 12, 2), p('M8 20h8'), p('M12 16v4')],
  vm: [r(3, 4, 18, 12, 2), p('M8 20h8'), p('M12 16v4'), p('M7 8h4'), p('M7 11h2')],
  cpu: [
    r(6, 6, 12, 12, 1.5),
    r(9.5, 9.5, 5, 5, 0.5),
    p('M9.5 2.5V6M14.5 2.5V6M9.5 18v3.5M14.5 18v3.5M2.5 9.5H6M2.5 14.5H6M18 9.5h3.5M18 14.5h3.5'),
  ],
  memory: [r(2.5, 7, 19, 9, 1.5), p('M6.5 10v3M10 10v3M14 10v3M17.5 10v3'), p('M5 16v2.5M9 16v2.5M15 16v2.5M19 16v2.5')],
  tag: [p('M3.5 12.5V4.5a1 1 0 0 1 1-1h8l8 8-9 9z'), c(8, 8, 1.3)],
  connected: [c(12, 12, 9), p('M8 12.3l2.7 2.7L16.2 9.5')],
  connecting: [p('M12 3a9 9 0 1 1-9 9')],
  disconnected: [c(12, 12, 9), p('M9 9l6 6M15 9l-6 6')],
  alert: [p('M12 3.5 21.5 20h-19z'), p('M12 10v4.5'), p('M12 17.3v.2')],
  close: [p('M6 6l12 12M18 6 6 18')],
  globe: [c(12, 12, 9), p('M3 12h18'), p('M12 3c2.6 2.5 3.8 5.5 3.8 9s-1.2 6.5-3.8 9c-2.6-2.5-3.8-5.5-3.8-9S9.4 5.5 12 3z')],
  sun: [c(12, 12, 4), p('M12 2.5v2M12 19.5v2M2.5 12h2M19.5 12h2M5.3 5.3l1.4 1.4M17.3 17.3l1.4 1.4M5.3 18.7l1.4-1.4M17.3 6.7l1.4-1.4')],
  moon: [p('M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z')],
  info: [c(12, 12, 9), p('M12 11v5.5'), p('M12 7.7v.2')],
  chevron: [p('M9 6l6 6-6 6')],
  'chevron-down': [p('M6 9l6 6 6-6')],
  copy: [r(8, 8, 12, 12, 2), p('M16 8V5a1 1 0 0 0-1-1H5a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h3')],
  paste: [r(5, 4, 14, 17, 2), p('M9 4V3h6v1'), p('M9 10h6M9 14h6M9 18h3')],
  keyboard: [r(2.5, 6, 19, 12, 2), p('M6 10h.01M9.5 10h.01M13 10h.01M16.5 10h.01M6 13.5h.01M18 13.5h.01M8.5 14.5h7')],
  eraser: [p('M8.5 20H20'), p('M4.6 15.4 14.8 5.2a1.5 1.5 0 0 1 2.1 0l3.9 3.9a1.5 1.5 0 0 1 0 2.1L12 20H8.5l-3.9-3.9a1.5 1.5 0 0 1 0-.7z'), p('M9.5 10.5l5 5')],
  trash: [p('M4 7h16'), p('M10 11v6M14 11v6'), p('M6 7l1 13h10l1-13'), p('M9 7V4h6v3')],
  pencil: [p('M4 20h4L19 9l-4-4L4 16z'), p('M13.5 6.5l4 4')],
  more: [c(5.5, 12, 1.2), c(12, 12, 1.2), c(18.5, 12, 1.2)],
  terminal: [r(3, 4, 18, 16, 2), p('M7 9l3 3-3 3'), p('M12 15h5')],
  chart: [p('M4 4v16h16'), p('M7 15l4-5 3 3 5-6')],
  clock: [c(12, 12, 9), p('M12 7v5l3 2')],
  disk: [r(3, 6, 18, 12, 2), p('M7 14h.01'), p('M11 14h6')],
  chip: [r(6, 6, 12, 12, 1.5), p('M9.5 2.5V6M14.5 2.5V6M9.5 18v3.5M14.5 18v3.5M2.5 9.5H6M2.5 14.5H6M18 9.5h3.5M18 14.5h3.5')],
  host: [r(3, 4, 18, 7, 1.5), r(3, 13, 18, 7, 1.5), p('M7 7.5h.01M7 16.5h.01')],
  stopped: [c(12, 12, 8.5), r(9, 9, 6, 6, 0.5)],
  running: [c(12, 12, 8.5), p('M10 8.5v7l5.5-3.5z')],
  paused: [c(12, 12, 8.5), p('M10 9v6M14 9v6')],
  crashed: [c(12, 12, 8.5), p('M12 7.5v5.5'), p('M12 16v.2')],
} satisfies Record<string, IconShape[]>;

export type IconName = keyof typeof ICONS;
