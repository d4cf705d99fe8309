import { describe, expect, it } from 'vitest';
import {
  filterTlsRows,
  formatMix,
  frontLabel,
  isLegacyVersion,
  legacyTone,
  limitJa4,
  mixParts,
  sortJa4,
  sortTlsRows,
  versionColumns,
  versionNames,
} from '../src/tls';
import { mix, tlsPoint, tlsRow } from './fixtures';

describe('version mixes', () => {
  it('formats the first versions with their shares and folds the rest into other', () => {
    const m = mix([
      ['TLS 1.3', 800],
      ['TLS 1.2', 150],
      ['TLS 1.0', 40, true],
      ['TLS 1.1', 10, true],
    ]);
    expect(formatMix(m)).toBe('TLS 1.3 80 % · TLS 1.2 15 % · TLS 1.0 4 % · other 1 %');
    expect(formatMix(m, 4)).toBe('TLS 1.3 80 % · TLS 1.2 15 % · TLS 1.0 4 % · TLS 1.1 1 %');
    expect(formatMix(mix([['TLS 1.3', 2], ['TLS 1.2', 1]]))).toBe('TLS 1.3 66.7 % · TLS 1.2 33.3 %');
  });

  it('counts the service-side other in the other part', () => {
    expect(formatMix(mix([['TLS 1.3', 90]], 10))).toBe('TLS 1.3 90 % · other 10 %');
  });

  it('shows a dash for an empty mix', () => {
    expect(formatMix(mix([]))).toBe('–');
    expect(mixParts(mix([]))).toEqual([]);
  });

  it('marks legacy parts, and an other part that hides a legacy version', () => {
    const parts = mixParts(
      mix([
        ['TLS 1.3', 50],
        ['TLS 1.2', 30],
        ['TLS 1.0', 20, true],
      ]),
      2,
    );
    expect(parts.map((p) => [p.label, p.legacy])).toEqual([
      ['TLS 1.3', false],
      ['TLS 1.2', false],
      ['other', true],
    ]);
  });
});

describe('legacy highlighting', () => {
  it('names TLS 1.1 and older legacy, not 1.2, 1.3 or drafts', () => {
    expect(['TLS 1.1', 'TLS 1.0', 'SSL 3.0', 'SSL 2.0'].every(isLegacyVersion)).toBe(true);
    expect(['TLS 1.2', 'TLS 1.3', '0x7f1c', 'other'].some(isLegacyVersion)).toBe(false);
  });

  it('warns from the first legacy handshake and alarms from 5 %', () => {
    expect(legacyTone(0)).toBeUndefined();
    expect(legacyTone(0, 0)).toBeUndefined();
    expect(legacyTone(0.0001)).toBe('warn');
    expect(legacyTone(0, 1)).toBe('warn'); // rounded to 0 but there is one
    expect(legacyTone(0.0499)).toBe('warn');
    expect(legacyTone(0.05)).toBe('bad');
    expect(legacyTone(1)).toBe('bad');
    expect(legacyTone(null)).toBeUndefined();
    expect(legacyTone(Number.NaN)).toBeUndefined();
  });
});

describe('the fronts table', () => {
  const rows = [
    tlsRow({ name: 'b.example', handshakes: 10, versions: mix([['TLS 1.3', 10]]), handshakeMs: { samples: 10, p50: 1, p95: 5, p99: 9, max: 9 } }),
    tlsRow({ name: 'a.example', handshakes: 10, legacyShare: 0.5, legacy: 5, versions: mix([['TLS 1.3', 5], ['TLS 1.0', 5, true]]) }),
    tlsRow({ name: '10.0.0.1:443', kind: 'address', handshakes: 3, specs: ['payments'] }),
  ];

  it('sorts by handshakes with ties by name, and by legacy share with nothing negotiated last', () => {
    expect(sortTlsRows(rows, 'handshakes', 'desc').map((r) => r.name)).toEqual(['a.example', 'b.example', '10.0.0.1:443']);
    expect(sortTlsRows(rows, 'legacy', 'desc').map((r) => r.name)).toEqual(['a.example', 'b.example', '10.0.0.1:443']);
    expect(sortTlsRows(rows, 'legacy', 'asc').map((r) => r.name)).toEqual(['b.example', 'a.example', '10.0.0.1:443']);
    expect(sortTlsRows(rows, 'p95', 'asc').map((r) => r.name)).toEqual(['b.example', '10.0.0.1:443', 'a.example']);
    expect(sortTlsRows(rows, 'front', 'asc').map((r) => r.name)).toEqual(['10.0.0.1:443', 'a.example', 'b.example']);
  });

  it('filters on name, kind and specs', () => {
    expect(filterTlsRows(rows, 'PAYMENTS').map((r) => r.name)).toEqual(['10.0.0.1:443']);
    expect(filterTlsRows(rows, 'example sni').map((r) => r.name)).toEqual(['b.example', 'a.example']);
    expect(filterTlsRows(rows, '  ')).toHaveLength(3);
  });

  it('labels fronts without SNI and the overflow row', () => {
    expect(frontLabel({ kind: 'sni', name: 'a.example' })).toBe('a.example');
    expect(frontLabel({ kind: 'address', name: '[::1]:443' })).toBe('[::1]:443 (no SNI)');
    expect(frontLabel({ kind: 'other', name: '{other-fronts}' })).toBe('other fronts (past the per-minute bound)');
  });
});

describe('the JA4 table', () => {
  const ja4 = mix([
    ['t13d1516h2_aaa', 40],
    ['t12d0909h1_bbb', 40],
    ['t13d1715h2_ccc', 15],
    ['t10d0404h1_ddd', 5],
  ]).entries;

  it('sorts by count (ties by fingerprint) or by fingerprint either way', () => {
    expect(sortJa4(ja4, 'count', 'desc').map((e) => e.name)).toEqual(['t12d0909h1_bbb', 't13d1516h2_aaa', 't13d1715h2_ccc', 't10d0404h1_ddd']);
    expect(sortJa4(ja4, 'count', 'asc').map((e) => e.name)).toEqual(['t10d0404h1_ddd', 't13d1715h2_ccc', 't12d0909h1_bbb', 't13d1516h2_aaa']);
    expect(sortJa4(ja4, 'fingerprint', 'asc').map((e) => e.name)).toEqual(['t10d0404h1_ddd', 't12d0909h1_bbb', 't13d1516h2_aaa', 't13d1715h2_ccc']);
    expect(sortJa4(ja4, 'fingerprint', 'desc').map((e) => e.name)[0]).toBe('t13d1715h2_ccc');
    expect(ja4.map((e) => e.name)[0]).toBe('t13d1516h2_aaa'); // not sorted in place
  });

  it('limits the rows and counts what it leaves out, with what the service already folded', () => {
    const l = limitJa4(sortJa4(ja4, 'count', 'desc'), 2, 7);
    expect(l.shown.map((e) => e.name)).toEqual(['t12d0909h1_bbb', 't13d1516h2_aaa']);
    expect(l.hidden).toBe(2);
    expect(l.hiddenCount).toBe(15 + 5 + 7);
    expect(limitJa4(ja4, 10).hidden).toBe(0);
    expect(limitJa4(ja4, 10).hiddenCount).toBe(0);
    expect(limitJa4(ja4, -1).shown).toEqual([]);
  });
});

describe('versions over time', () => {
  const points = [
    tlsPoint('2026-01-01T00:00:00Z', 0, {}),
    tlsPoint('2026-01-01T00:01:00Z', 120, { 'TLS 1.2': 60, 'TLS 1.3': 30, 'TLS 1.0': 30 }),
    tlsPoint('2026-01-01T00:02:00Z', 60, { 'TLS 1.3': 54, '0x7f1c': 6 }),
  ];

  it('orders versions newest first, unknown values after them', () => {
    expect(versionNames(points)).toEqual(['TLS 1.3', 'TLS 1.2', 'TLS 1.0', '0x7f1c']);
  });

  it('gives handshakes per second per version, null where the step had no handshakes', () => {
    const cols = versionColumns(points, ['TLS 1.3', 'TLS 1.0'], 60);
    expect(cols).toEqual([
      [null, 0.5, 0.9],
      [null, 0.5, 0],
    ]);
  });
});
