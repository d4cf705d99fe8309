// @vitest-environment jsdom
import { render, type ComponentChild } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiRequestError } from '../src/api';
import { ErrorBox, MethodBadge } from '../src/components/common';
import { EndpointTableRow } from '../src/views/Endpoints';
import { latency, row } from './fixtures';

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
});
