import { useMemo } from 'preact/hooks';
import type { Navigate } from '../App';
import { api, type TlsRow } from '../api';
import { Empty, ErrorBox, Loading } from '../components/common';
import { LegacyShare, MixChips } from '../components/TlsParts';
import { formatCount, formatHandshakeRate, formatMs } from '../format';
import { rangeParams } from '../timeRange';
import { filterTlsRows, frontLabel, sortTlsRows, tlsDefaultDir } from '../tls';
import { useResource } from '../useResource';
import { isTlsSortKey, linkTo, linkToFront, type TlsSortKey, type ViewState } from '../urlState';

const COLUMNS: { key: TlsSortKey | null; label: string; numeric?: boolean }[] = [
  { key: 'front', label: 'Server name' },
  { key: 'handshakes', label: 'Handshakes', numeric: true },
  { key: 'rate', label: 'Handshakes/s', numeric: true },
  { key: null, label: 'Negotiated versions' },
  { key: 'legacy', label: 'Legacy (≤ TLS 1.1)', numeric: true },
  { key: null, label: 'ALPN offered' },
  { key: 'p95', label: 'Handshake p95', numeric: true },
  { key: null, label: 'Failures' },
];

/** Every TLS front (SNI, or server address without SNI) with handshakes in the range. */
export function Tls({ state, navigate }: { state: ViewState; navigate: Navigate }) {
  const range = rangeParams(state.range);
  const fronts = useResource(`tls:${JSON.stringify(range)}`, () => api.tls(range));
  const sort: TlsSortKey = isTlsSortKey(state.sort) ? state.sort : 'handshakes';
  const dir = state.dir ?? tlsDefaultDir(sort);
  const rows = useMemo(
    () => (fronts.data ? sortTlsRows(filterTlsRows(fronts.data.fronts, state.q), sort, dir) : []),
    [fronts.data, state.q, sort, dir],
  );
  const onSort = (k: TlsSortKey) => {
    const nextDir = sort === k ? (dir === 'asc' ? 'desc' : 'asc') : tlsDefaultDir(k);
    navigate({ ...state, sort: k, dir: nextDir });
  };

  return (
    <div>
      <h1 class="view-title">TLS</h1>
      <p class="subtle view-intro">
        One row per server name clients asked for (SNI), or per server address when they named none. Versions are those the
        server negotiated; TLS 1.1 and older are deprecated and highlighted.
      </p>
      <div class="filters">
        <label class="field field-grow">
          <span class="field-label">Search</span>
          <input
            type="search"
            placeholder="server name, address, spec…"
            data-testid="tls-filter-text"
            value={state.q ?? ''}
            onInput={(e) => navigate({ ...state, q: e.currentTarget.value || undefined }, { replace: true })}
          />
        </label>
      </div>
      {fronts.error ? (
        <ErrorBox error={fronts.error} title="Could not load the TLS fronts" />
      ) : !fronts.data ? (
        <Loading what="TLS fronts" />
      ) : rows.length === 0 ? (
        <Empty testId="tls-empty">
          {fronts.data.fronts.length === 0 ? 'No TLS handshakes captured in this range.' : 'No server name matches the filter.'}
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="table tls-table" data-testid="tls-table">
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th
                    key={c.label}
                    class={c.numeric ? 'num' : ''}
                    aria-sort={c.key && sort === c.key ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    {c.key ? (
                      <button type="button" class="sort-button" data-testid={`tls-sort-${c.key}`} onClick={() => onSort(c.key!)}>
                        {c.label}
                        <span class="sort-mark">{sort === c.key ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <TlsTableRow key={`${row.kind}:${row.name}`} row={row} state={state} />
              ))}
            </tbody>
          </table>
          <div class="table-foot">
            {rows.length} of {fronts.data.fronts.length} server names
            {fronts.loading && ' · refreshing…'}
          </div>
        </div>
      )}
    </div>
  );
}

export function TlsTableRow({ row, state }: { row: TlsRow; state: ViewState }) {
  const failures = row.failures.noServerHello + row.failures.unparseable;
  return (
    <tr class={row.legacy > 0 ? 'row-legacy' : ''} data-testid="tls-row" data-kind={row.kind}>
      <td class="path-cell">
        <a href={linkToFront(state, row.name, row.kind)} class="front-name" data-testid="tls-front-link">
          {frontLabel(row)}
        </a>
        {row.specs.length > 0 && (
          <div class="subtle" data-testid="tls-specs">
            serves{' '}
            {row.specs.map((s, i) => (
              <span key={s}>
                {i > 0 && ', '}
                <a href={linkTo({ ...state, spec: s }, 'endpoints')}>{s}</a>
              </span>
            ))}
          </div>
        )}
      </td>
      <td class="num" data-testid="tls-cell-handshakes">
        {formatCount(row.handshakes)}
      </td>
      <td class="num">{formatHandshakeRate(row.handshakesPerSecond)}</td>
      <td data-testid="tls-cell-versions">
        <MixChips mix={row.versions} />
      </td>
      <td class="num">
        <LegacyShare share={row.legacyShare} count={row.legacy} total={row.versions.total} testId="tls-cell-legacy" />
      </td>
      <td data-testid="tls-cell-alpn">
        <MixChips mix={row.alpnOffered} max={2} />
      </td>
      <td class="num">{formatMs(row.handshakeMs.p95)}</td>
      <td class={failures > 0 ? 'warn' : ''}>
        {failures === 0 ? (
          '–'
        ) : (
          <>
            {row.failures.noServerHello > 0 && <div>{formatCount(row.failures.noServerHello)} no ServerHello</div>}
            {row.failures.unparseable > 0 && <div>{formatCount(row.failures.unparseable)} unparseable</div>}
          </>
        )}
      </td>
    </tr>
  );
}
