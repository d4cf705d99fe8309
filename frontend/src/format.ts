// Numbers as the dashboard shows them: fixed en-US grouping so a figure reads the same in every
// browser, and units always written out.

const threeSignificant = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const NO_VALUE = '–';

function missing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || !Number.isFinite(v);
}

/** A duration in milliseconds, 3 significant digits: `0.0123 ms`, `12.3 ms`, `1,230 ms`. */
export function formatMs(ms: number | null | undefined): string {
  if (missing(ms)) return NO_VALUE;
  return `${threeSignificant.format(ms)} ms`;
}

/** A rate of calls, 3 significant digits: `0.117 req/s`. */
export function formatRate(perSecond: number | null | undefined): string {
  if (missing(perSecond)) return NO_VALUE;
  return `${threeSignificant.format(perSecond)} req/s`;
}

/** A rate of TLS handshakes, 3 significant digits: `0.117 hs/s`. */
export function formatHandshakeRate(perSecond: number | null | undefined): string {
  if (missing(perSecond)) return NO_VALUE;
  return `${threeSignificant.format(perSecond)} hs/s`;
}

/** A fraction 0..1 as a percentage, 3 significant digits: 0.05234 → `5.23 %`. */
export function formatPercent(fraction: number | null | undefined): string {
  if (missing(fraction)) return NO_VALUE;
  return `${threeSignificant.format(fraction * 100)} %`;
}

/** A count with grouping: `12,345`. */
export function formatCount(n: number | null | undefined): string {
  if (missing(n)) return NO_VALUE;
  return whole.format(n);
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A size in bytes, binary units, 3 significant digits: `1.5 MiB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (missing(bytes) || bytes < 0) return NO_VALUE;
  let v = bytes;
  let unit = 0;
  while (v >= 1024 && unit < BYTE_UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${threeSignificant.format(v)} ${BYTE_UNITS[unit]}`;
}

/** An instant as local date and time to the second, or `–`. */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return NO_VALUE;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return NO_VALUE;
  return d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
}

/** A count and its noun: `1 spec`, `2 specs`, `1,024 operations`. */
export function plural(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}
