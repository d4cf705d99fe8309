import type { EndpointRow } from './api';
import type { SortDir, SortKey } from './urlState';

/** The value a column sorts by; null (nothing measured) always sorts last. */
function sortValue(row: EndpointRow, key: SortKey): string | number | null {
  switch (key) {
    case 'method':
      return row.method;
    case 'path':
      return row.path;
    case 'spec':
      return row.spec ?? row.host ?? '';
    case 'calls':
      return row.calls;
    case 'rate':
      return row.callsPerSecond;
    case 'err4xx':
      return row.calls ? row.errorRate4xx : null;
    case 'err5xx':
      return row.calls ? row.errorRate5xx : null;
    case 'p50':
      return row.latencyMs.p50;
    case 'p95':
      return row.latencyMs.p95;
    case 'p99':
      return row.latencyMs.p99;
  }
}

/** Text columns start at A, figures at the largest: what one looks for first on a first click. */
export function defaultDir(key: SortKey): SortDir {
  return key === 'method' || key === 'path' || key === 'spec' ? 'asc' : 'desc';
}

/**
 * Rows sorted by a column; ties keep the path then method order so the table does not shuffle on
 * refresh. Rows with nothing measured in that column go last in either direction.
 */
export function sortRows(rows: readonly EndpointRow[], key: SortKey, dir: SortDir): EndpointRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      if (c !== 0) return sign * c;
    }
    return a.path.localeCompare(b.path) || a.method.localeCompare(b.method) || a.id - b.id;
  });
}

/**
 * Rows whose text (method, path, operationId, summary, spec, host) contains every word of the
 * query, case-insensitively. Spec and host are filtered by the service.
 */
export function filterRows(rows: readonly EndpointRow[], q: string | undefined): EndpointRow[] {
  const words = (q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((row) => {
    const text = [row.method, row.path, row.operationId, row.summary, row.spec, row.host]
      .filter((s): s is string => typeof s === 'string')
      .join(' ')
      .toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The busiest operations: most calls first, only those with calls. */
export function busiest(rows: readonly EndpointRow[], n: number): EndpointRow[] {
  return sortRows(
    rows.filter((r) => r.calls > 0),
    'calls',
    'desc',
  ).slice(0, n);
}

/** The slowest operations by p95 latency, only those with a measured latency. */
export function slowest(rows: readonly EndpointRow[], n: number): EndpointRow[] {
  return sortRows(
    rows.filter((r) => r.latencyMs.p95 !== null),
    'p95',
    'desc',
  ).slice(0, n);
}
