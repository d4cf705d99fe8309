// @vitest-environment jsdom
import { render, type ComponentChild } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiRequestError } from '../src/api';
import { ErrorBox, MethodBadge } from '../src/components/common';
import { EndpointTableRow } from '../src/views/Endpoints';
import { TlsTableRow } from '../src/views/Tls';
import { Ja4Table } from '../src/components/Ja4Table';
import { latency, mix, row, tlsRow } from './fixtures';

const SCRIPT = '<script>window.__xss=1</script>';
const IMG = '"><img src=x onerror="window.__xss=2">';

let root: HTMLElement;
afterEach(() => root?.remove());

function mount(vnode: ComponentChild): HTMLElement {
  root = document.createElement('div');
  document.body.append(root);
  render(vnode, root);
  return root;
}

describe('text from the wire is rendered as text', () => {
  it('shows an endpoint row path, host and method literally', () => {
    const el = mount(
      <table>
        <tbody>
          <EndpointTableRow
            row={row({ id: 5, kind: 'shadow', spec: null, host: IMG, method: '<b>GET</b>', path: `/widgets/${IMG}/${SCRIPT}`, calls: 3, latencyMs: latency(1.5) })}
            href="#/endpoints/5"
            trend={[1, null, 2]}
          />
        </tbody>
      </table>,
    );
    expect(el.querySelector('img, script, b')).toBeNull();
    expect(el.querySelector('[data-testid="endpoint-link"]')?.textContent).toBe(`/widgets/${IMG}/${SCRIPT}`);
    expect(el.querySelector('[data-testid="cell-spec"]')?.textContent).toBe(IMG);
    expect(el.querySelector('[data-testid="method"]')?.textContent).toBe('<b>GET</b>');
    expect(el.querySelector('[data-testid="cell-calls"]')?.textContent).toBe('3');
    expect(el.querySelector('tr')?.classList.contains('row-shadow')).toBe(true);
  });

  it('shows a parser message literally in the error box', () => {
    const el = mount(<ErrorBox error={new ApiRequestError(400, `bad spec ${SCRIPT}`, [IMG, 'line 2'])} />);
    expect(el.querySelector('img, script')).toBeNull();
    expect(el.querySelector('[data-testid="error-message"]')?.textContent).toBe(`bad spec ${SCRIPT}`);
    expect([...el.querySelectorAll('[data-testid="error-details"] li')].map((li) => li.textContent)).toEqual([IMG, 'line 2']);
  });

  it('colours known methods and greys unknown ones', () => {
    expect(mount(<MethodBadge method="DELETE" />).querySelector('.method')?.className).toBe('method method-delete');
    root.remove();
    expect(mount(<MethodBadge method="BREW" />).querySelector('.method')?.className).toBe('method method-other');
  });

  it('shows a hostile SNI, ALPN and spec name literally in the TLS table, legacy versions highlighted', () => {
    const state = { view: 'tls' as const, range: { kind: 'preset' as const, preset: '1h' as const }, refresh: 'off' as const };
    const el = mount(
      <table>
        <tbody>
          <TlsTableRow
            row={tlsRow({
              name: `${SCRIPT}' OR 1=1`,
              handshakes: 10,
              legacy: 2,
              legacyShare: 0.2,
              versions: mix([['TLS 1.3', 8], ['TLS 1.0', 2, true]]),
              alpnOffered: mix([[IMG, 10]]),
              specs: [IMG],
            })}
            state={state}
          />
        </tbody>
      </table>,
    );
    expect(el.querySelector('img, script')).toBeNull();
    expect(el.querySelector('[data-testid="tls-front-link"]')?.textContent).toBe(`${SCRIPT}' OR 1=1`);
    expect(el.querySelector('[data-testid="tls-front-link"]')?.getAttribute('href')).toContain('#/tls/%3Cscript%3E');
    expect(el.querySelector('[data-testid="tls-cell-alpn"]')?.textContent).toContain(IMG);
    expect(el.querySelector('[data-testid="tls-specs"]')?.textContent).toContain(IMG);
    const chips = [...el.querySelectorAll('[data-testid="tls-cell-versions"] [data-testid="mix-chip"]')];
    expect(chips.map((c) => [c.textContent, c.getAttribute('data-legacy')])).toEqual([
      ['TLS 1.3 80 %', 'false'],
      ['TLS 1.0 20 %', 'true'],
    ]);
    expect(chips[1].classList.contains('legacy')).toBe(true);
    expect(el.querySelector('[data-testid="tls-cell-legacy"]')?.getAttribute('data-tone')).toBe('bad');
    expect(el.querySelector('tr')?.classList.contains('row-legacy')).toBe(true);
  });

  it('renders the JA4 table sorted by count, limited, and sorts and expands on click', () => {
    const entries: [string, number][] = [];
    for (let i = 0; i < 20; i++) entries.push([`t13d${String(i).padStart(2, '0')}_${SCRIPT}`, 100 - i]);
    const el = mount(<Ja4Table mix={mix(entries, 30)} initialRows={5} />);
    const names = () => [...el.querySelectorAll('[data-testid="ja4-fingerprint"]')].map((n) => n.textContent);
    expect(el.querySelector('script')).toBeNull();
    expect(names()).toEqual([0, 1, 2, 3, 4].map((i) => `t13d0${i}_${SCRIPT}`));
    // 15 rows hidden plus the service's other
    const hiddenCount = entries.slice(5).reduce((s, [, n]) => s + n, 0) + 30;
    expect(el.querySelector('[data-testid="ja4-hidden"]')?.textContent).toContain('15 more fingerprints');
    expect(el.querySelector('[data-testid="ja4-hidden"] .num')?.textContent).toBe(hiddenCount.toLocaleString('en-US'));
    const click = (testId: string) => act(() => (el.querySelector(`[data-testid="${testId}"]`) as HTMLButtonElement).click());
    click('ja4-sort-count'); // count, ascending
    expect(names()).toEqual([19, 18, 17, 16, 15].map((i) => `t13d${i}_${SCRIPT}`));
    click('ja4-sort-fingerprint'); // fingerprint, A to Z
    expect(names()[0]).toBe(`t13d00_${SCRIPT}`);
    click('ja4-show-all');
    expect(names()).toHaveLength(20);
    expect(el.querySelector('[data-testid="ja4-show-all"]')).toBeNull();
    expect(el.querySelector('[data-testid="ja4-hidden"]')?.textContent).toContain('other fingerprints');
  });
});
