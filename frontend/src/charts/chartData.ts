// Turns the API's points into the column arrays uPlot draws: x in epoch seconds, one column per
// series, null where there is nothing to draw (uPlot leaves a gap).
import type { Figures, SeriesPoint } from '../api';

export type Column = (number | null)[];
export type Columns = [number[], ...Column[]];

export function epochSeconds(points: readonly { t: string }[]): number[] {
  return points.map((p) => Date.parse(p.t) / 1000);
}

/** x plus one column per picker, in the order given. */
export function columns(points: readonly SeriesPoint[], pickers: readonly ((p: SeriesPoint) => number | null)[]): Columns {
  return [epochSeconds(points), ...pickers.map((pick) => points.map(pick))];
}

/** An error rate in percent, or null for a step without calls (no calls is not 0 % errors). */
export function errorPercent(p: Figures, which: '4xx' | '5xx'): number | null {
  if (p.calls === 0) return null;
  return (which === '4xx' ? p.errorRate4xx : p.errorRate5xx) * 100;
}

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'other' | 'none';

export interface StatusLayer {
  label: string;
  statusClass: StatusClass;
  /** Calls per second of this layer at each point. */
  raw: number[];
  /** The layer's top edge: this layer plus every layer below it. */
  stacked: number[];
}

export function statusClassOf(code: number): StatusClass {
  if (code >= 100 && code < 600) return `${Math.floor(code / 100)}xx` as StatusClass;
  return 'other';
}

/**
 * The status-code breakdown as stacked layers, bottom first, in calls per second: one layer per
 * code in ascending order (2xx at the bottom), codes past `maxCodes` (the rarest) merged into one
 * "other codes" layer, and a "no response" layer on top when any request got none.
 */
export function statusBreakdown(points: readonly SeriesPoint[], stepSeconds: number, maxCodes = 8): StatusLayer[] {
  const totals = new Map<number, number>();
  for (const p of points) {
    for (const [code, n] of Object.entries(p.byStatusCode ?? {})) {
      const c = Number(code);
      if (Number.isInteger(c)) totals.set(c, (totals.get(c) ?? 0) + n);
    }
  }
  const byTraffic = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const overflow = byTraffic.length > maxCodes;
  const kept = new Set(byTraffic.slice(0, overflow ? maxCodes - 1 : maxCodes).map(([c]) => c));
  const codes = [...kept].sort((a, b) => a - b);
  const perSecond = (n: number) => (stepSeconds > 0 ? n / stepSeconds : 0);

  const layers: { label: string; statusClass: StatusClass; raw: number[] }[] = codes.map((code) => ({
    label: String(code),
    statusClass: statusClassOf(code),
    raw: points.map((p) => perSecond(p.byStatusCode?.[String(code)] ?? 0)),
  }));
  if (overflow) {
    layers.push({
      label: 'other codes',
      statusClass: 'other',
      raw: points.map((p) =>
        perSecond(
          Object.entries(p.byStatusCode ?? {})
            .filter(([c]) => !kept.has(Number(c)))
            .reduce((sum, [, n]) => sum + n, 0),
        ),
      ),
    });
  }
  if (points.some((p) => p.status.noResponse > 0)) {
    layers.push({
      label: 'no response',
      statusClass: 'none',
      raw: points.map((p) => perSecond(p.status.noResponse)),
    });
  }

  const running = points.map(() => 0);
  return layers.map((layer) => {
    const stacked = layer.raw.map((v, i) => (running[i] += v));
    return { ...layer, stacked };
  });
}

/**
 * An SVG path through the values scaled into width x height (y grows downwards), broken where a
 * value is null; a lone value between gaps becomes a short flat stroke so it stays visible.
 */
export function sparklinePath(values: readonly (number | null)[], width: number, height: number): string {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return '';
  const max = Math.max(...present);
  const min = Math.min(0, ...present);
  const span = max - min || 1;
  const dx = values.length > 1 ? width / (values.length - 1) : 0;
  const round = (n: number) => Math.round(n * 10) / 10;
  const parts: string[] = [];
  let penDown = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      penDown = false;
      return;
    }
    const x = round(i * dx);
    const y = round(height - ((v - min) / span) * height);
    const next = values[i + 1];
    if (!penDown && (next === null || next === undefined)) {
      parts.push(`M${round(Math.max(0, x - 2))} ${y}L${round(Math.min(width, x + 2))} ${y}`);
      return;
    }
    parts.push(`${penDown ? 'L' : 'M'}${x} ${y}`);
    penDown = true;
  });
  return parts.join('');
}

/**
 * Indices of values with no value on either side: a line cannot show them, so they are drawn as
 * dots (a single busy minute in an hour would otherwise leave the chart empty).
 */
export function isolatedIndices(column: readonly (number | null | undefined)[]): number[] {
  const present = (i: number) => i >= 0 && i < column.length && column[i] !== null && column[i] !== undefined;
  const out: number[] = [];
  for (let i = 0; i < column.length; i++) {
    if (present(i) && !present(i - 1) && !present(i + 1)) out.push(i);
  }
  return out;
}
