import type { TlsEntry, TlsMix } from '../api';
import { formatCount, formatPercent, NO_VALUE } from '../format';
import { legacyTone, mixParts } from '../tls';

/** A mix as chips (`TLS 1.3 83 %`), legacy versions marked; `–` when empty. */
export function MixChips({ mix, max = 3, testId }: { mix: TlsMix; max?: number; testId?: string }) {
  const parts = mixParts(mix, max);
  if (parts.length === 0) return <span class="subtle">{NO_VALUE}</span>;
  return (
    <span class="mix" data-testid={testId}>
      {parts.map((p) => (
        <span
          key={p.label}
          class={p.legacy ? 'mix-chip legacy' : 'mix-chip'}
          data-testid="mix-chip"
          data-legacy={p.legacy ? 'true' : 'false'}
          title={p.legacy ? 'TLS 1.1 or older: deprecated (RFC 8996)' : undefined}
        >
          <span class="mix-label">{p.label}</span> <span class="mix-share">{formatPercent(p.share)}</span>
        </span>
      ))}
    </span>
  );
}

/** The share of handshakes at TLS 1.1 or older, highlighted as soon as there is one. */
export function LegacyShare({ share, count, total, testId }: { share: number; count: number; total: number; testId?: string }) {
  if (total === 0) return <span class="subtle">{NO_VALUE}</span>;
  const tone = legacyTone(share, count);
  return (
    <span class={tone ? `legacy-share legacy-${tone}` : 'legacy-share'} data-testid={testId} data-tone={tone ?? 'none'}>
      {formatPercent(share)}
      {count > 0 && <span class="subtle"> ({formatCount(count)})</span>}
    </span>
  );
}

/** A mix as a table of value, count and share; legacy versions highlighted, what is not listed summed in one row. */
export function MixTable(props: { mix: TlsMix; label: string; testId?: string; showCode?: boolean; extra?: [string, number][] }) {
  const { mix } = props;
  const extra = (props.extra ?? []).filter(([, n]) => n > 0);
  if (mix.entries.length === 0 && mix.other === 0 && extra.length === 0) {
    return <p class="subtle">None seen.</p>;
  }
  return (
    <table class="table mix-table" data-testid={props.testId}>
      <thead>
        <tr>
          <th>{props.label}</th>
          <th class="num">Handshakes</th>
          <th class="num">Share</th>
        </tr>
      </thead>
      <tbody>
        {mix.entries.map((e) => (
          <MixRow key={`${e.code ?? ''}:${e.name}`} entry={e} showCode={props.showCode} />
        ))}
        {mix.other > 0 && (
          <tr class="mix-other" data-testid="mix-other">
            <td class="subtle">other values</td>
            <td class="num">{formatCount(mix.other)}</td>
            <td class="num">{mix.total ? formatPercent(mix.other / mix.total) : NO_VALUE}</td>
          </tr>
        )}
        {extra.map(([label, n]) => (
          <tr key={label} class="mix-other">
            <td class="subtle">{label}</td>
            <td class="num">{formatCount(n)}</td>
            <td class="num">{mix.total ? formatPercent(n / mix.total) : NO_VALUE}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MixRow({ entry, showCode }: { entry: TlsEntry; showCode?: boolean }) {
  return (
    <tr class={entry.legacy ? 'row-legacy' : ''} data-testid="mix-row" data-legacy={entry.legacy ? 'true' : 'false'}>
      <td>
        <span class="mix-name">{entry.name}</span>
        {entry.legacy && <span class="legacy-badge">legacy</span>}
        {showCode && entry.code !== null && <span class="subtle"> 0x{entry.code.toString(16).padStart(4, '0')}</span>}
      </td>
      <td class="num">{formatCount(entry.count)}</td>
      <td class="num">{formatPercent(entry.share)}</td>
    </tr>
  );
}
