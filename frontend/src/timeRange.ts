import type { RangeParams } from './api';
import type { PresetRange, TimeRange } from './urlState';

const PRESET_LABELS: Record<PresetRange, string> = {
  '15m': 'Last 15 min',
  '1h': 'Last 1 h',
  '24h': 'Last 24 h',
  '7d': 'Last 7 d',
};

export function presetLabel(preset: PresetRange): string {
  return PRESET_LABELS[preset];
}

/**
 * The from/to query parameters for a range. Presets go as the service's relative times
 * (`now-15m`), so every refresh moves the window with the clock without the browser's clock
 * having to agree with the service's.
 */
export function rangeParams(range: TimeRange): RangeParams {
  if (range.kind === 'custom') {
    return { from: range.from, to: range.to };
  }
  return { from: `now-${range.preset}`, to: 'now' };
}

/** The value of a datetime-local input (local time, minutes) for an ISO instant. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The ISO instant for a datetime-local input value, or undefined when it is empty or invalid. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
