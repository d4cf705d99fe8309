import { api } from '../api';
import { formatCount, formatMs } from '../format';
import { rangeParams } from '../timeRange';
import { frontLabel } from '../tls';
import { useResource } from '../useResource';
import { linkTo, linkToFront, type ViewState } from '../urlState';
import { Card, ErrorBox, Loading } from './common';
import { LegacyShare, MixChips } from './TlsParts';

/**
 * The TLS front of an API: the server names (SNI) that the spec's servers name, with their
 * handshakes, negotiated versions, legacy share and p95 handshake time over the view's range.
 */
export function TlsSummary({ state, spec }: { state: ViewState; spec: string }) {
  const range = rangeParams(state.range);
  const fronts = useResource(`tls:${JSON.stringify([range, spec])}`, () => api.tls(range, spec));
  return (
    <Card title="TLS front" testId="tls-summary">
      {fronts.error ? (
        <ErrorBox error={fronts.error} title="Could not load the TLS figures" />
      ) : !fronts.data ? (
        <Loading what="TLS figures" />
      ) : fronts.data.fronts.length === 0 ? (
        <p class="subtle" data-testid="tls-summary-empty">
          No TLS handshake to a host of spec {spec} in this range.
        </p>
      ) : (
        <table class="table tls-summary-table" data-testid="tls-summary-table">
          <thead>
            <tr>
              <th>Server name</th>
              <th class="num">Handshakes</th>
              <th>Versions</th>
              <th class="num">Legacy</th>
              <th class="num">p95</th>
            </tr>
          </thead>
          <tbody>
            {fronts.data.fronts.map((row) => (
              <tr key={`${row.kind}:${row.name}`} class={row.legacy > 0 ? 'row-legacy' : ''} data-testid="tls-summary-row">
                <td class="path-cell">
                  <a href={linkToFront(state, row.name, row.kind)} class="front-name">
                    {frontLabel(row)}
                  </a>
                </td>
                <td class="num">{formatCount(row.handshakes)}</td>
                <td>
                  <MixChips mix={row.versions} max={3} />
                </td>
                <td class="num">
                  <LegacyShare share={row.legacyShare} count={row.legacy} total={row.versions.total} testId="tls-summary-legacy" />
                </td>
                <td class="num">{formatMs(row.handshakeMs.p95)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <a class="subtle" href={linkTo(state, 'tls')}>
        All server names →
      </a>
    </Card>
  );
}
