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
