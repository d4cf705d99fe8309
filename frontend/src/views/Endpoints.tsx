import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Navigate } from '../App';
import { api, type EndpointRow } from '../api';
import { Empty, ErrorBox, Loading, MethodBadge, ShadowBadge } from '../components/common';
import { Sparkline } from '../components/Sparkline';
import { TlsSummary } from '../components/TlsSummary';
import { defaultDir, filterRows, sortRows } from '../endpointRows';
import { formatCount, formatMs, formatPercent, formatRate } from '../format';
import { rangeParams } from '../timeRange';
import { useResource } from '../useResource';
import { isSortKey, linkTo, type SortKey, type ViewState } from '../urlState';

const SPARKLINE_POINTS = 24;

const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'method', label: 'Method' },
  { key: 'path', label: 'Path' },
  { key: 'spec', label: 'Spec / host' },
  { key: 'calls', label: 'Calls', numeric: true },
  { key: 'rate', label: 'Calls/s', numeric: true },
  { key: 'err4xx', label: '4xx', numeric: true },
  { key: 'err5xx', label: '5xx', numeric: true },
  { key: 'p50', label: 'p50', numeric: true },
  { key: 'p95', label: 'p95', numeric: true },
  { key: 'p99', label: 'p99', numeric: true },
];

export function Endpoints({ state, navigate }: { state: ViewState; navigate: Navigate }) {
  const range = rangeParams(state.range);
  const key = JSON.stringify([range, state.spec, state.host]);
  const endpoints = useResource(`endpoints:${key}`, () => api.endpoints(range, state.spec, state.host));
  const sparklines = useResource(`sparklines:${JSON.stringify([range, state.host])}`, () =>
    api.sparklines(range, SPARKLINE_POINTS, state.host),
  );
  const specs = useResource('specs', () => api.specs());

  const sort: SortKey = isSortKey(state.sort) ? state.sort : 'calls';
  const dir = state.dir ?? defaultDir(sort);
  const rows = useMemo(
    () => (endpoints.data ? sortRows(filterRows(endpoints.data.endpoints, state.q), sort, dir) : []),
    [endpoints.data, state.q, sort, dir],
  );

  const hosts = useMemo(() => {
    const set = new Set<string>();
    for (const s of specs.data ?? []) for (const b of s.servers) if (b.host) set.add(b.host);
    for (const r of endpoints.data?.endpoints ?? []) if (r.host) set.add(r.host);
    return [...set].sort();
  }, [specs.data, endpoints.data]);

  const onSort = (k: SortKey) => {
    const nextDir = sort === k ? (dir === 'asc' ? 'desc' : 'asc') : defaultDir(k);
    navigate({ ...state, sort: k, dir: nextDir });
  };

  return (
    <div>
      <h1 class="view-title">Endpoints</h1>
      <div class="filters" data-testid="endpoint-filters">
        <label class="field">
          <span class="field-label">Spec</span>
          <select
            data-testid="filter-spec"
            value={state.spec ?? ''}
            onChange={(e) => navigate({ ...state, spec: e.currentTarget.value || undefined })}
          >
            <option value="">All specs and shadow endpoints</option>
            {(specs.data ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
            {state.spec && !specs.data?.some((s) => s.name === state.spec) && <option value={state.spec}>{state.spec}</option>}
          </select>
        </label>
        <label class="field">
          <span class="field-label">Host</span>
          <HostInput value={state.host ?? ''} onCommit={(host) => navigate({ ...state, host: host || undefined })} />
          <datalist id="known-hosts">
            {hosts.map((h) => (
              <option key={h} value={h} />
            ))}
          </datalist>
        </label>
        <label class="field field-grow">
          <span class="field-label">Search</span>
          <input
            type="search"
            placeholder="path, method, operationId, summary…"
            data-testid="filter-text"
            value={state.q ?? ''}
            onInput={(e) => navigate({ ...state, q: e.currentTarget.value || undefined }, { replace: true })}
          />
        </label>
      </div>

      {state.spec && <TlsSummary state={state} spec={state.spec} />}

      {endpoints.error ? (
        <ErrorBox error={endpoints.error} title="Could not load the endpoints" />
      ) : !endpoints.data ? (
        <Loading what="endpoints" />
      ) : rows.length === 0 ? (
        <Empty>
          {endpoints.data.endpoints.length === 0
            ? 'No operations and no traffic in this range.'
            : 'No endpoint matches the filter.'}
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="table endpoints-table" data-testid="endpoints-table">
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th
                    key={c.key}
                    class={c.numeric ? 'num' : ''}
                    aria-sort={sort === c.key ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    <button type="button" class="sort-button" data-testid={`sort-${c.key}`} onClick={() => onSort(c.key)}>
                      {c.label}
                      <span class="sort-mark">{sort === c.key ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                    </button>
                  </th>
                ))}
                <th>p95 trend</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <EndpointTableRow
                  key={row.id}
                  row={row}
                  href={linkTo(state, 'endpoint', row.id)}
                  trend={sparklines.data?.series[String(row.id)]?.p95Ms}
                />
              ))}
            </tbody>
          </table>
          <div class="table-foot">
            {rows.length} of {endpoints.data.endpoints.length} endpoints
            {endpoints.loading && ' · refreshing…'}
          </div>
        </div>
      )}
    </div>
  );
}

export function EndpointTableRow({ row, href, trend }: { row: EndpointRow; href: string; trend: (number | null)[] | undefined }) {
  return (
    <tr class={row.kind === 'shadow' ? 'row-shadow' : ''} data-testid="endpoint-row" data-kind={row.kind}>
      <td>
        <MethodBadge method={row.method} />
      </td>
      <td class="path-cell">
        <a href={href} class="path" data-testid="endpoint-link">
          {row.path}
        </a>
        {row.kind === 'shadow' && <ShadowBadge />}
        {row.operationId && <div class="subtle">{row.operationId}</div>}
      </td>
      <td data-testid="cell-spec">{row.kind === 'shadow' ? <span class="subtle">{row.host ?? 'any host'}</span> : row.spec}</td>
      <td class="num" data-testid="cell-calls">
        {formatCount(row.calls)}
      </td>
      <td class="num">{formatRate(row.callsPerSecond)}</td>
      <td class={`num${row.errorRate4xx > 0.05 ? ' warn' : ''}`}>{row.calls ? formatPercent(row.errorRate4xx) : '–'}</td>
      <td class={`num${row.errorRate5xx > 0.01 ? ' bad' : ''}`}>{row.calls ? formatPercent(row.errorRate5xx) : '–'}</td>
      <td class="num">{formatMs(row.latencyMs.p50)}</td>
      <td class="num">{formatMs(row.latencyMs.p95)}</td>
      <td class="num">{formatMs(row.latencyMs.p99)}</td>
      <td class="spark-cell">
        <Sparkline values={trend} />
      </td>
    </tr>
  );
}

/**
 * The host filter: typed freely, applied on Enter or when the field loses focus (each host is a new
 * query to the service). Keeps its own draft so a refresh while typing does not reset it.
 */
function HostInput({ value, onCommit }: { value: string; onCommit: (host: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return (
    <input
      type="search"
      list="known-hosts"
      placeholder="any host"
      data-testid="filter-host"
      value={draft}
      onInput={(e) => setDraft(e.currentTarget.value)}
      onChange={(e) => onCommit(e.currentTarget.value.trim())}
    />
  );
}
