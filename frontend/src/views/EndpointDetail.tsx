import { useMemo } from 'preact/hooks';
import { api, type EndpointSeries, type SpecOperation } from '../api';
import { columns, statusBreakdown } from '../charts/chartData';
import { COLORS, statusColor } from '../charts/colors';
import { TimeChart, type ChartSeries } from '../charts/TimeChart';
import { Card, Empty, ErrorBox, Loading, MethodBadge, ShadowBadge, Stat } from '../components/common';
import { TlsSummary } from '../components/TlsSummary';
import { formatBytes, formatCount, formatMs, formatPercent, formatRate } from '../format';
import { rangeParams } from '../timeRange';
import { useResource } from '../useResource';
import { linkTo, type ViewState } from '../urlState';

export function EndpointDetail({ state, id }: { state: ViewState; id: number }) {
  const range = rangeParams(state.range);
  const series = useResource(`series:${JSON.stringify([id, range, state.host])}`, () => api.series(id, range, state.host));
  const row = series.data?.endpoint;
  const specName = row?.kind === 'operation' ? row.spec : null;
  const spec = useResource(`spec:${specName ?? ''}`, () => (specName ? api.spec(specName) : Promise.resolve(undefined)));
  const operation = spec.data?.operations.find((o) => o.endpointId === id);

  return (
    <div>
      <a class="back" href={linkTo(state, 'endpoints')}>
        ← All endpoints
      </a>
      {series.error ? (
        <ErrorBox error={series.error} title="Could not load this endpoint" />
      ) : !series.data || !row ? (
        <Loading what="the endpoint" />
      ) : (
        <>
          <h1 class="view-title endpoint-title" data-testid="endpoint-title">
            <MethodBadge method={row.method} /> <span class="path">{row.path}</span>
            {row.kind === 'shadow' && <ShadowBadge />}
          </h1>
          <div class="stats-row">
            <Stat label="calls" value={formatCount(row.calls)} testId="detail-calls" />
            <Stat label="throughput" value={formatRate(row.callsPerSecond)} />
            <Stat label="4xx" value={row.calls ? formatPercent(row.errorRate4xx) : '–'} />
            <Stat label="5xx" value={row.calls ? formatPercent(row.errorRate5xx) : '–'} tone={row.errorRate5xx > 0.01 ? 'bad' : undefined} />
            <Stat label="p50" value={formatMs(row.latencyMs.p50)} />
            <Stat label="p95" value={formatMs(row.latencyMs.p95)} />
            <Stat label="p99" value={formatMs(row.latencyMs.p99)} />
            <Stat label="TTFB p95" value={formatMs(row.ttfbMs.p95)} />
          </div>
          <div class="detail-layout">
            <div class="detail-charts">
              <DetailCharts data={series.data} />
            </div>
            <aside class="detail-side">
              <Card title={row.kind === 'shadow' ? 'Why it is a shadow endpoint' : 'From the spec'} testId="spec-panel">
                {row.kind === 'shadow' ? (
                  <>
                    <p data-testid="shadow-why">{row.summary}</p>
                    <dl class="facts">
                      <dt>Host</dt>
                      <dd>{row.host ?? 'any'}</dd>
                    </dl>
                  </>
                ) : spec.error ? (
                  <>
                    <p data-testid="spec-summary">{row.summary ?? 'No summary.'}</p>
                    <ErrorBox error={spec.error} title={`Could not load spec ${specName}`} />
                  </>
                ) : (
                  <OperationFacts specName={row.spec} summary={row.summary} operationId={row.operationId} operation={operation} loading={!spec.data} />
                )}
                <dl class="facts">
                  <dt>Request bytes</dt>
                  <dd>{formatBytes(row.requestBytes)}</dd>
                  <dt>Response bytes</dt>
                  <dd>{formatBytes(row.responseBytes)}</dd>
                  <dt>Status codes</dt>
                  <dd data-testid="status-codes">
                    {Object.entries(row.byStatusCode).length === 0
                      ? '–'
                      : Object.entries(row.byStatusCode)
                          .map(([code, n]) => `${code}: ${formatCount(n)}`)
                          .join(', ')}
                  </dd>
                </dl>
              </Card>
              {row.kind === 'operation' && row.spec && <TlsSummary state={state} spec={row.spec} />}
            </aside>
          </div>
        </>
      )}
    </div>
  );
}

function OperationFacts(props: {
  specName: string | null;
  summary: string | null;
  operationId: string | null;
  operation: SpecOperation | undefined;
  loading: boolean;
}) {
  const params = props.operation?.parameters ?? [];
  return (
    <>
      <p class="summary" data-testid="spec-summary">
        {props.operation?.summary ?? props.summary ?? 'No summary in the spec.'}
      </p>
      <dl class="facts">
        <dt>Spec</dt>
        <dd>{props.specName}</dd>
        <dt>operationId</dt>
        <dd>{props.operation?.operationId ?? props.operationId ?? '–'}</dd>
      </dl>
      <h3 class="side-heading">Parameters</h3>
      {props.loading ? (
        <Loading what="parameters" />
      ) : params.length === 0 ? (
        <p class="subtle">None documented.</p>
      ) : (
        <table class="table params-table" data-testid="spec-parameters">
          <thead>
            <tr>
              <th>Name</th>
              <th>In</th>
              <th>Type</th>
            </tr>
          </thead>
          <tbody>
            {params.map((p) => (
              <tr key={`${p.in}:${p.name}`} data-testid="spec-parameter">
                <td>
                  <code>{p.name}</code>
                  {p.required && <span class="required" title="required">*</span>}
                  {p.description && <div class="subtle">{p.description}</div>}
                </td>
                <td>{p.in}</td>
                <td>{p.type ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

const LATENCY_SERIES: ChartSeries[] = [
  { label: 'p50', color: COLORS.p50 },
  { label: 'p90', color: COLORS.p90 },
  { label: 'p99', color: COLORS.p99 },
];

function DetailCharts({ data }: { data: EndpointSeries }) {
  const xRange: [number, number] = [Date.parse(data.from) / 1000, Date.parse(data.to) / 1000];
  const latency = useMemo(() => columns(data.points, [(p) => p.latencyMs.p50, (p) => p.latencyMs.p90, (p) => p.latencyMs.p99]), [data]);
  const ttfb = useMemo(() => columns(data.points, [(p) => p.ttfbMs.p50, (p) => p.ttfbMs.p90, (p) => p.ttfbMs.p99]), [data]);
  const calls = useMemo(() => columns(data.points, [(p) => p.callsPerSecond]), [data]);
  const layers = useMemo(() => statusBreakdown(data.points, data.stepSeconds), [data]);

  if (data.endpoint.calls === 0) {
    return <Empty>No traffic in this range.</Empty>;
  }
  // uPlot paints series in order: the top of the stack first, each lower layer over it
  const drawn = [...layers].reverse();
  const perClass = new Map<string, number>();
  const statusSeries: ChartSeries[] = drawn.map((layer) => {
    const nth = perClass.get(layer.statusClass) ?? 0;
    perClass.set(layer.statusClass, nth + 1);
    const color = statusColor(layer.statusClass, nth);
    return { label: layer.label, color, fill: color };
  });
  const statusData = [calls[0], ...drawn.map((l) => l.stacked)] as typeof calls;

  return (
    <div class="grid-2">
      <TimeChart title="Latency" unit="ms" testId="chart-latency" data={latency} series={LATENCY_SERIES} format={formatMs} xRange={xRange} />
      <TimeChart title="Time to first byte" unit="ms" testId="chart-ttfb" data={ttfb} series={LATENCY_SERIES} format={formatMs} xRange={xRange} />
      <TimeChart
        title="Calls"
        unit="req/s"
        testId="chart-calls"
        data={calls}
        series={[{ label: 'calls/s', color: COLORS.calls, fill: 'rgba(43,108,176,0.12)' }]}
        format={formatRate}
        xRange={xRange}
      />
      <TimeChart
        title="Status codes"
        unit="req/s"
        testId="chart-status"
        data={statusData}
        series={statusSeries}
        format={formatRate}
        valueAt={(si, di) => drawn[si - 1]?.raw[di] ?? null}
        xRange={xRange}
      />
    </div>
  );
}
