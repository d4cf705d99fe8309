import { useMemo } from 'preact/hooks';
import { api, type TlsFrontDetail } from '../api';
import { epochSeconds, type Columns } from '../charts/chartData';
import { COLORS } from '../charts/colors';
import { TimeChart, type ChartSeries } from '../charts/TimeChart';
import { Card, Empty, ErrorBox, Loading, Stat } from '../components/common';
import { Ja4Table } from '../components/Ja4Table';
import { LegacyShare, MixTable } from '../components/TlsParts';
import { formatCount, formatHandshakeRate, formatMs, formatPercent } from '../format';
import { rangeParams } from '../timeRange';
import { frontLabel, isLegacyVersion, legacyTone, versionColumns, versionNames } from '../tls';
import { useResource } from '../useResource';
import { linkTo, type FrontKind, type ViewState } from '../urlState';

export function TlsFront({ state, name, kind }: { state: ViewState; name: string; kind: FrontKind }) {
  const range = rangeParams(state.range);
  const detail = useResource(`tlsFront:${JSON.stringify([name, kind, range])}`, () => api.tlsFront(name, kind, range));
  const row = detail.data?.front;

  return (
    <div>
      <a class="back" href={linkTo(state, 'tls')}>
        ← All server names
      </a>
      {detail.error ? (
        <ErrorBox error={detail.error} title="Could not load this TLS front" />
      ) : !detail.data || !row ? (
        <Loading what="the TLS front" />
      ) : (
        <>
          <h1 class="view-title" data-testid="tls-front-title">
            <span class="front-name">{frontLabel(row)}</span>
          </h1>
          {row.specs.length > 0 && (
            <p class="subtle" data-testid="tls-front-specs">
              Serves{' '}
              {row.specs.map((s, i) => (
                <span key={s}>
                  {i > 0 && ', '}
                  <a href={linkTo({ ...state, spec: s }, 'endpoints')}>{s}</a>
                </span>
              ))}
            </p>
          )}
          <div class="stats-row">
            <Stat label="handshakes" value={formatCount(row.handshakes)} testId="tls-detail-handshakes" />
            <Stat label="rate" value={formatHandshakeRate(row.handshakesPerSecond)} />
            <Stat
              label="legacy (≤ TLS 1.1)"
              value={row.versions.total ? formatPercent(row.legacyShare) : '–'}
              tone={legacyTone(row.legacyShare, row.legacy) === 'bad' ? 'bad' : undefined}
              testId="tls-detail-legacy"
            />
            <Stat label="handshake p50" value={formatMs(row.handshakeMs.p50)} />
            <Stat label="handshake p95" value={formatMs(row.handshakeMs.p95)} />
            <Stat label="handshake p99" value={formatMs(row.handshakeMs.p99)} />
            <Stat label="no ServerHello" value={formatCount(row.failures.noServerHello)} tone={row.failures.noServerHello ? 'warn' : undefined} />
            <Stat label="unparseable" value={formatCount(row.failures.unparseable)} tone={row.failures.unparseable ? 'warn' : undefined} />
          </div>
          {row.handshakes === 0 ? (
            <Empty>No handshakes in this range.</Empty>
          ) : (
            <>
              <FrontCharts data={detail.data} />
              <div class="grid-3">
                <Card title="Negotiated versions" testId="tls-versions">
                  <MixTable mix={row.versions} label="Version" testId="tls-versions-table" />
                  <p class="subtle">
                    Legacy: <LegacyShare share={row.legacyShare} count={row.legacy} total={row.versions.total} />
                  </p>
                </Card>
                <Card title="Versions clients offer" testId="tls-offered">
                  <h3 class="side-heading">Highest offered</h3>
                  <MixTable mix={row.offeredMax} label="Version" testId="tls-offered-max-table" />
                  <h3 class="side-heading">Offered at all (share of hellos)</h3>
                  <MixTable mix={detail.data.offered} label="Version" testId="tls-offered-table" />
                </Card>
                <Card title="ALPN" testId="tls-alpn">
                  <h3 class="side-heading">Offered (share of hellos)</h3>
                  <MixTable mix={row.alpnOffered} label="Protocol" testId="tls-alpn-offered-table" />
                  <h3 class="side-heading">Selected by the server</h3>
                  <MixTable
                    mix={row.alpnSelected}
                    label="Protocol"
                    testId="tls-alpn-selected-table"
                    extra={[
                      ['none selected (TLS ≤ 1.2)', row.alpnNotSelected],
                      ['encrypted (TLS 1.3)', row.alpnEncrypted],
                    ]}
                  />
                </Card>
                <Card title="Cipher suites" testId="tls-ciphers">
                  <MixTable mix={row.ciphers} label="Suite" testId="tls-ciphers-table" showCode />
                </Card>
              </div>
              <Card title="JA4 fingerprints" testId="tls-ja4">
                <Ja4Table mix={detail.data.ja4} />
              </Card>
            </>
          )}
        </>
      )}
    </div>
  );
}

/** Distinct colours for versions; legacy ones in reds so they stand out. */
const VERSION_COLORS: Record<string, string> = {
  'TLS 1.3': '#2f855a',
  'TLS 1.2': '#3182ce',
  'TLS 1.1': '#dd6b20',
  'TLS 1.0': '#e53e3e',
  'SSL 3.0': '#9b2c2c',
  'SSL 2.0': '#63171b',
};
const OTHER_VERSION_COLORS = ['#805ad5', '#718096', '#b7791f', '#319795'];

function FrontCharts({ data }: { data: TlsFrontDetail }) {
  const xRange: [number, number] = [Date.parse(data.from) / 1000, Date.parse(data.to) / 1000];
  const names = useMemo(() => versionNames(data.points), [data]);
  const versions = useMemo(
    () => [epochSeconds(data.points), ...versionColumns(data.points, names, data.stepSeconds)] as Columns,
    [data, names],
  );
  const versionSeries: ChartSeries[] = names.map((n, i) => ({
    label: isLegacyVersion(n) ? `${n} (legacy)` : n,
    color: VERSION_COLORS[n] ?? OTHER_VERSION_COLORS[i % OTHER_VERSION_COLORS.length],
  }));
  const times = useMemo(
    () =>
      [
        epochSeconds(data.points),
        data.points.map((p) => p.handshakeMs.p50),
        data.points.map((p) => p.handshakeMs.p95),
        data.points.map((p) => p.handshakeMs.p99),
      ] as Columns,
    [data],
  );
  return (
    <div class="grid-2 tls-charts">
      {names.length === 0 ? (
        <Empty>No ServerHello named a version in this range.</Empty>
      ) : (
        <TimeChart
          title="Negotiated versions"
          unit="hs/s"
          testId="chart-tls-versions"
          data={versions}
          series={versionSeries}
          format={formatHandshakeRate}
          xRange={xRange}
        />
      )}
      <TimeChart
        title="Handshake time"
        unit="ms"
        testId="chart-tls-handshake"
        data={times}
        series={[
          { label: 'p50', color: COLORS.p50 },
          { label: 'p95', color: COLORS.p95 },
          { label: 'p99', color: COLORS.p99 },
        ]}
        format={formatMs}
        xRange={xRange}
      />
    </div>
  );
}
