// The TLS views' logic, apart from rendering: version mixes as text, which versions and shares are
// highlighted as legacy, the fronts table's sorting and filtering, the JA4 table's sorting and limit,
// the versions-over-time chart columns.
import type { TlsEntry, TlsMix, TlsPoint, TlsRow } from './api';
import { formatPercent } from './format';
import type { SortDir, TlsSortKey } from './urlState';

/** TLS 1.1 and older (RFC 8996): by name, for series that carry names only. */
const LEGACY_NAMES = new Set(['TLS 1.1', 'TLS 1.0', 'SSL 3.0', 'SSL 2.0']);

export function isLegacyVersion(name: string): boolean {
  return LEGACY_NAMES.has(name);
}

/**
 * How loudly a legacy share is shown: any handshake at TLS 1.1 or older is a finding ('warn'), from
 * 5 % on it is a problem ('bad'); none is not highlighted.
 */
export function legacyTone(share: number | null | undefined, count?: number): 'bad' | 'warn' | undefined {
  if (share === null || share === undefined || !Number.isFinite(share)) return undefined;
  if (share >= 0.05) return 'bad';
  if (share > 0 || (count ?? 0) > 0) return 'warn';
  return undefined;
}

export interface MixPart {
  label: string;
  share: number;
  legacy: boolean;
}

/**
 * The first `max` values of a mix with their shares, and one "other" part for the rest (values past
 * the list and the mix's own other); a mix with a zero total has no parts.
 */
export function mixParts(mix: TlsMix, max = 3): MixPart[] {
  if (mix.total <= 0) return [];
  const shown = mix.entries.slice(0, max);
  const parts: MixPart[] = shown.map((e) => ({ label: e.name, share: e.share, legacy: e.legacy === true }));
  const rest = mix.entries.slice(max).reduce((n, e) => n + e.count, 0) + mix.other;
  if (rest > 0) {
    const legacyRest = mix.entries.slice(max).some((e) => e.legacy === true);
    parts.push({ label: 'other', share: rest / mix.total, legacy: legacyRest });
  }
  return parts;
}

/** A version mix as one line: `TLS 1.3 83.3 % · TLS 1.2 16.7 %`; `–` when nothing was negotiated. */
export function formatMix(mix: TlsMix, max = 3): string {
  const parts = mixParts(mix, max);
  if (parts.length === 0) return '–';
  return parts.map((p) => `${p.label} ${formatPercent(p.share)}`).join(' · ');
}

/** What a front is, for a heading: the SNI, the address, or the shared row past the bound. */
export function frontLabel(row: Pick<TlsRow, 'kind' | 'name'>): string {
  switch (row.kind) {
    case 'sni':
      return row.name;
    case 'address':
      return `${row.name} (no SNI)`;
    case 'other':
      return 'other fronts (past the per-minute bound)';
  }
}

export function tlsDefaultDir(key: TlsSortKey): SortDir {
  return key === 'front' ? 'asc' : 'desc';
}

function tlsSortValue(row: TlsRow, key: TlsSortKey): string | number | null {
  switch (key) {
    case 'front':
      return row.name;
    case 'handshakes':
      return row.handshakes;
    case 'rate':
      return row.handshakesPerSecond;
    case 'legacy':
      return row.versions.total > 0 ? row.legacyShare : null;
    case 'p95':
      return row.handshakeMs.p95;
  }
}

/** Fronts sorted by a column; nothing measured sorts last either way; ties by name, then kind. */
export function sortTlsRows(rows: readonly TlsRow[], key: TlsSortKey, dir: SortDir): TlsRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = tlsSortValue(a, key);
    const vb = tlsSortValue(b, key);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else if (va !== vb) {
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      if (c !== 0) return sign * c;
    }
    return a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind);
  });
}

/** Fronts whose name, kind or specs contain every word of the query, case-insensitively. */
export function filterTlsRows(rows: readonly TlsRow[], q: string | undefined): TlsRow[] {
  const words = (q ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((row) => {
    const text = [row.name, row.kind, ...row.specs].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

export type Ja4SortKey = 'count' | 'fingerprint';

/** JA4 rows by count (ties: fingerprint A→Z) or by fingerprint. */
export function sortJa4(entries: readonly TlsEntry[], key: Ja4SortKey, dir: SortDir): TlsEntry[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...entries].sort((a, b) => {
    if (key === 'count' && a.count !== b.count) return sign * (a.count - b.count);
    const c = a.name.localeCompare(b.name);
    return key === 'fingerprint' ? sign * c : c;
  });
}

export interface Limited<T> {
  shown: T[];
  /** Rows not shown. */
  hidden: number;
  /** Handshakes of the rows not shown plus those the service already counted as other. */
  hiddenCount: number;
}

/** The first `limit` JA4 rows; what is left out is counted, so the table still adds up. */
export function limitJa4(entries: readonly TlsEntry[], limit: number, otherCount = 0): Limited<TlsEntry> {
  const n = Math.max(0, Math.floor(limit));
  const shown = entries.slice(0, n);
  const rest = entries.slice(n);
  return { shown, hidden: rest.length, hiddenCount: rest.reduce((s, e) => s + e.count, 0) + otherCount };
}

/** Version names across a series, newest protocol first (TLS 1.3, 1.2, …), unknown values last, "other" at the end. */
export function versionNames(points: readonly TlsPoint[]): string[] {
  const names = new Set<string>();
  for (const p of points) for (const n of Object.keys(p.versions)) names.add(n);
  const rank = (n: string) => {
    const m = /^(TLS|SSL) (\d)\.(\d)$/.exec(n);
    if (m) return (m[1] === 'TLS' ? 100 : 0) + Number(m[2]) * 10 + Number(m[3]);
    return n === 'other' ? -2 : -1;
  };
  return [...names].sort((a, b) => rank(b) - rank(a) || a.localeCompare(b));
}

/** Handshakes per second of each version per step, in `names` order; null for steps without handshakes. */
export function versionColumns(points: readonly TlsPoint[], names: readonly string[], stepSeconds: number): (number | null)[][] {
  return names.map((name) =>
    points.map((p) => (p.handshakes === 0 ? null : stepSeconds > 0 ? (p.versions[name] ?? 0) / stepSeconds : 0)),
  );
}
