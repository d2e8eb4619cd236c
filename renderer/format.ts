/** Number formatting shared by the views (locale-aware, binary units as the VM settings use). */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `16777216000` → "15.6 GiB" (one decimal from GiB up, none below). */
export function formatBytes(bytes: number, locale: string): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit >= 3 ? 1 : 0;
  const number = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  return `${number} ${UNITS[unit]}`;
}

/** Guest memory as configured: `2048` MiB → "2 GiB", `384` → "384 MiB". */
export function formatMiB(mib: number, locale: string): string {
  if (mib >= 1024 && mib % 1024 === 0) return `${new Intl.NumberFormat(locale).format(mib / 1024)} GiB`;
  return `${new Intl.NumberFormat(locale).format(mib)} MiB`;
}

/** `3725` s → "1:02:05", `65` → "1:05" (hours only when there are some). */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** A large count in the locale's compact form: `12345678` → "12M" (en), "1235万" (ja). */
export function formatCount(value: number, locale: string): string {
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(value);
}
