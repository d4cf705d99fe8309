import { api, type ApiRequestError, type EndpointRow, type Overview as OverviewData } from '../api';
import { columns, epochSeconds, errorPercent } from '../charts/chartData';
import { COLORS } from '../charts/colors';
import { TimeChart } from '../charts/TimeChart';
import { Card, Empty, ErrorBox, Loading, MethodBadge, ShadowBadge, Stat } from '../components/common';
import { StoreRecovery } from '../components/StoreRecovery';
import { busiest, slowest } from '../endpointRows';
import { formatCount, formatInstant, formatMs, formatPercent, formatRate, plural } from '../format';
import { rangeParams } from '../timeRange';
import { useResource } from '../useResource';
import { linkTo, type ViewState } from '../urlState';

const TOP = 5;

export function Overview({ state }: { state: ViewState }) {
  const range = rangeParams(state.range);
  const key = JSON.stringify([range, state.host]);
  const overview = useResource(`overview:${key}`, () => api.overview(range, state.host));
  const endpoints = useResource(`endpoints:${key}`, () => api.endpoints(range, undefined, state.host));
  const shadow = useResource(`shadow:${key}`, () => api.shadow(range));
  const zombies = useResource(`zombies:${key}`, () => api.zombies(range));
  const status = useResource('status', () => api.status());

  return (
    <div class="overview">
      <h1 class="view-title">Overview</h1>
      <div class="stats-row">
        <Stat label="calls" value={overview.data ? formatCount(overview.data.total.calls) : '…'} testId="stat-calls" />
        <Stat label="throughput" value={overview.data ? formatRate(overview.data.total.callsPerSecond) : '…'} />
        <Stat label="4xx" value={overview.data ? formatPercent(overview.data.total.errorRate4xx) : '…'} />
        <Stat
          label="5xx"
          value={overview.data ? formatPercent(overview.data.total.errorRate5xx) : '…'}
          tone={overview.data && overview.data.total.errorRate5xx > 0.01 ? 'bad' : undefined}
        />
        <Stat label="p95 latency" value={overview.data ? formatMs(overview.data.total.latencyMs.p95) : '…'} />
        <a class="stat-link" href={linkTo(state, 'shadow')}>
          <Stat
            label="shadow endpoints"
            value={shadow.data ? formatCount(shadow.data.endpoints.length) : shadow.error ? '!' : '…'}
            testId="stat-shadow"
            tone={shadow.data?.endpoints.length ? 'warn' : undefined}
          />
        </a>
        <a class="stat-link" href={linkTo(state, 'zombie')}>
          <Stat
            label="zombie endpoints"
            value={zombies.data ? formatCount(zombies.data.endpoints.length) : zombies.error ? '!' : '…'}
            testId="stat-zombie"
          />
        </a>
      </div>

      {overview.error ? (
        <ErrorBox error={overview.error} title="Could not load the traffic over time" />
      ) : !overview.data ? (
        <Loading what="traffic" />
      ) : (
        <OverviewCharts data={overview.data} />
      )}

      <div class="grid-2">
        <Card title="Busiest operations" testId="busiest">
          <TopList rows={endpoints.data?.endpoints} error={endpoints.error} pick={busiest} value={(r) => formatRate(r.callsPerSecond)} state={state} />
        </Card>
        <Card title="Slowest operations (p95)" testId="slowest">
          <TopList rows={endpoints.data?.endpoints} error={endpoints.error} pick={slowest} value={(r) => formatMs(r.latencyMs.p95)} state={state} />
        </Card>
      </div>

      <Card title="Collector health" testId="collector-health">
        {status.error ? (
          <ErrorBox error={status.error} />
        ) : !status.data ? (
          <Loading what="status" />
        ) : (
          <dl class="health">
            <dt>Capture</dt>
            <dd data-testid="capture-state" class={status.data.capture.running ? 'ok' : 'bad'}>
              {status.data.capture.running ? 'running' : status.data.capture.enabled ? 'stopped' : 'disabled'}
              {status.data.capture.interfaces.length > 0 && ` on ${status.data.capture.interfaces.join(', ')}`}
            </dd>
            {status.data.capture.error && (
              <>
                <dt>Capture error</dt>
                <dd class="bad">{status.data.capture.error}</dd>
              </>
            )}
            <dt>Records</dt>
            <dd data-testid="capture-records">{formatCount(status.data.capture.records)}</dd>
            <dt>Drops</dt>
            <dd data-testid="capture-drops" class={status.data.capture.drops > 0 ? 'bad' : ''}>
              {formatCount(status.data.capture.drops)}
            </dd>
            <dt>Flow evictions</dt>
            <dd>{formatCount(status.data.capture.flowEvictions)}</dd>
            <dt>Ingested rows</dt>
            <dd>
              {formatCount(status.data.ingest.rows)} ({formatCount(status.data.ingest.shadowRows)} shadow, {formatCount(status.data.ingest.ignoredRows)} ignored)
            </dd>
            <dt>Ingest lag</dt>
            <dd>{formatMs(status.data.ingest.lagMs)}</dd>
            <dt>Last batch</dt>
            <dd>{formatInstant(status.data.ingest.lastBatchAt)}</dd>
            {status.data.tls && (
              <>
                <dt>TLS handshakes</dt>
                <dd data-testid="tls-handshakes-ingested" class={status.data.tls.rejectedBatches > 0 ? 'warn' : ''}>
                  {status.data.tls.enabled ? '' : 'capture off · '}
                  {formatCount(status.data.tls.handshakes)} in {batches(status.data.tls.batches)}
                  {status.data.tls.rejectedBatches > 0 && ` (${batches(status.data.tls.rejectedBatches)} refused)`}
                </dd>
              </>
            )}
            <dt>Last flush</dt>
            <dd>{formatInstant(status.data.store.lastFlushAt)}</dd>
            {status.data.store.lastError && (
              <>
                <dt>Store error</dt>
                <dd class="bad">{status.data.store.lastError}</dd>
              </>
            )}
            <StoreRecovery store={status.data.store} />
            <dt>Specs</dt>
            <dd>
              {plural(status.data.specs.specs, 'spec')}, {plural(status.data.specs.operations, 'operation')}
            </dd>
          </dl>
        )}
      </Card>
    </div>
  );
}

function OverviewCharts({ data }: { data: OverviewData }) {
  if (data.total.calls === 0) {
    return <Empty testId="overview-empty">No traffic in this range.</Empty>;
  }
  const x = epochSeconds(data.points);
  const xRange: [number, number] = [Date.parse(data.from) / 1000, Date.parse(data.to) / 1000];
  return (
    <div class="grid-3">
      <TimeChart
        title="Calls"
        unit="req/s"
        testId="chart-calls"
        data={columns(data.points, [(p) => p.callsPerSecond])}
        series={[{ label: 'calls/s', color: COLORS.calls, fill: 'rgba(43,108,176,0.12)' }]}
        format={formatRate}
        xRange={xRange}
      />
      <TimeChart
        title="Error rate"
        unit="%"
        testId="chart-errors"
        data={[x, data.points.map((p) => errorPercent(p, '4xx')), data.points.map((p) => errorPercent(p, '5xx'))]}
        series={[
          { label: '4xx', color: COLORS.err4xx },
          { label: '5xx', color: COLORS.err5xx },
        ]}
        format={(v) => (v === null ? '–' : formatPercent(v / 100))}
        xRange={xRange}
      />
      <TimeChart
        title="Latency p95"
        unit="ms"
        testId="chart-p95"
        data={columns(data.points, [(p) => p.latencyMs.p95])}
        series={[{ label: 'p95', color: COLORS.p95 }]}
        format={formatMs}
        xRange={xRange}
      />
    </div>
  );
}

function TopList(props: {
  rows: EndpointRow[] | undefined;
  error: ApiRequestError | undefined;
  pick: (rows: EndpointRow[], n: number) => EndpointRow[];
  value: (row: EndpointRow) => string;
  state: ViewState;
}) {
  if (props.error) return <ErrorBox error={props.error} />;
  if (!props.rows) return <Loading what="endpoints" />;
  const top = props.pick(props.rows, TOP);
  if (top.length === 0) return <Empty>No traffic in this range.</Empty>;
  return (
    <ol class="top-list">
      {top.map((row) => (
        <li key={row.id}>
          <a href={linkTo(props.state, 'endpoint', row.id)}>
            <MethodBadge method={row.method} /> <span class="path">{row.path}</span>
            {row.kind === 'shadow' && <ShadowBadge />}
          </a>
          <span class="top-value">{props.value(row)}</span>
        </li>
      ))}
    </ol>
  );
}

function batches(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'batch' : 'batches'}`;
}
