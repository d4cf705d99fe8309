// @vitest-environment jsdom
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreRecovery } from '../src/components/StoreRecovery';

let root: HTMLElement;
afterEach(() => root?.remove());

function mount(store: { rowsMerged: number; rowsDropped: number; reopens: number }): HTMLElement {
  root = document.createElement('div');
  document.body.append(root);
  render(<dl><StoreRecovery store={store} /></dl>, root);
  return root;
}

describe('the store recovery line of the overview', () => {
  it('is absent while the store never failed', () => {
    expect(mount({ rowsMerged: 0, rowsDropped: 0, reopens: 0 }).querySelector('[data-testid="store-recovery"]')).toBeNull();
  });

  it('says what a full disk cost: merged minutes as a warning', () => {
    const dd = mount({ rowsMerged: 12480, rowsDropped: 0, reopens: 3 }).querySelector('[data-testid="store-recovery"]');
    expect(dd?.textContent).toBe('12,480 minute rows merged into hours · reopened 3 times after a fatal error');
    expect(dd?.className).toBe('warn');
  });

  it('and dropped rows as a loss', () => {
    const dd = mount({ rowsMerged: 1, rowsDropped: 250, reopens: 0 }).querySelector('[data-testid="store-recovery"]');
    expect(dd?.textContent).toBe('1 minute row merged into hours · 250 rows dropped');
    expect(dd?.className).toBe('bad');
  });
});
