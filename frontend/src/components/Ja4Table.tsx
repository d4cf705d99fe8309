import { useMemo, useState } from 'preact/hooks';
import type { TlsMix } from '../api';
import { formatCount, formatPercent, plural } from '../format';
import { limitJa4, sortJa4, type Ja4SortKey } from '../tls';
import type { SortDir } from '../urlState';

/** JA4 rows shown before "show all". */
export const JA4_ROWS = 15;

/** The JA4 table: sortable by count or fingerprint, the first rows shown until asked for all. */
export function Ja4Table({ mix, initialRows = JA4_ROWS }: { mix: TlsMix; initialRows?: number }) {
  const [sort, setSort] = useState<{ key: Ja4SortKey; dir: SortDir }>({ key: 'count', dir: 'desc' });
  const [all, setAll] = useState(false);
  const sorted = useMemo(() => sortJa4(mix.entries, sort.key, sort.dir), [mix, sort]);
  const limited = limitJa4(sorted, all ? sorted.length : initialRows, mix.other);
  if (mix.entries.length === 0 && mix.other === 0) {
    return <p class="subtle">No fingerprint: no ClientHello in this range could be parsed.</p>;
  }
  const onSort = (key: Ja4SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'count' ? 'desc' : 'asc' }));
  const mark = (key: Ja4SortKey) => (sort.key === key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : '');
  return (
    <>
      <table class="table ja4-table" data-testid="ja4-table">
        <thead>
          <tr>
            <th>
              <button type="button" class="sort-button" data-testid="ja4-sort-fingerprint" onClick={() => onSort('fingerprint')}>
                Fingerprint<span class="sort-mark">{mark('fingerprint')}</span>
              </button>
            </th>
            <th class="num">
              <button type="button" class="sort-button" data-testid="ja4-sort-count" onClick={() => onSort('count')}>
                Handshakes<span class="sort-mark">{mark('count')}</span>
              </button>
            </th>
            <th class="num">Share</th>
          </tr>
        </thead>
        <tbody>
          {limited.shown.map((e) => (
            <tr key={e.name} data-testid="ja4-row">
              <td>
                <code data-testid="ja4-fingerprint">{e.name}</code>
              </td>
              <td class="num">{formatCount(e.count)}</td>
              <td class="num">{formatPercent(e.share)}</td>
            </tr>
          ))}
          {limited.hiddenCount > 0 && (
            <tr class="mix-other" data-testid="ja4-hidden">
              <td class="subtle">
                {limited.hidden > 0 ? `${plural(limited.hidden, 'more fingerprint')}` : 'other fingerprints'}
                {mix.other > 0 && limited.hidden > 0 && ' and others'}
              </td>
              <td class="num">{formatCount(limited.hiddenCount)}</td>
              <td class="num">{mix.total ? formatPercent(limited.hiddenCount / mix.total) : '–'}</td>
            </tr>
          )}
        </tbody>
      </table>
      {limited.hidden > 0 && (
        <button type="button" class="button-quiet" data-testid="ja4-show-all" onClick={() => setAll(true)}>
          Show all {formatCount(sorted.length)}
        </button>
      )}
    </>
  );
}
