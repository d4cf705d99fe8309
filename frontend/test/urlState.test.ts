import { describe, expect, it } from 'vitest';
import { formatHash, linkTo, linkToFront, parseHash, refreshMillis, type ViewState } from '../src/urlState';

describe('parseHash', () => {
  it('reads the endpoints view with every filter', () => {
    expect(parseHash('#/endpoints?range=24h&refresh=15s&spec=shop&host=api.example.com&q=orders%20get&sort=p95&dir=desc')).toEqual({
      view: 'endpoints',
      range: { kind: 'preset', preset: '24h' },
      refresh: '15s',
      spec: 'shop',
      host: 'api.example.com',
      q: 'orders get',
      sort: 'p95',
      dir: 'desc',
    });
  });

  it('reads an endpoint detail from /endpoints/<id>', () => {
    expect(parseHash('#/endpoints/42?range=15m&refresh=off')).toEqual({
      view: 'endpoint',
      endpointId: 42,
      range: { kind: 'preset', preset: '15m' },
      refresh: 'off',
    });
  });

  it('reads a custom range and normalises its instants to ISO', () => {
    const s = parseHash('#/overview?range=custom&from=2026-01-02T03:04:05Z&to=1767330000000');
    expect(s.range).toEqual({ kind: 'custom', from: '2026-01-02T03:04:05.000Z', to: '2026-01-02T05:00:00.000Z' });
  });

  it('falls back to the defaults for an empty or unknown hash', () => {
    const defaults = { view: 'overview', range: { kind: 'preset', preset: '1h' }, refresh: 'off' };
    expect(parseHash('')).toEqual(defaults);
    expect(parseHash('#/nowhere?range=3y&refresh=1ms&sort=evil&dir=up')).toEqual(defaults);
  });

  it('refuses a custom range whose from is not before to, or that is not an instant', () => {
    expect(parseHash('#/overview?range=custom&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z').range).toEqual({
      kind: 'preset',
      preset: '1h',
    });
    expect(parseHash('#/overview?range=custom&from=yesterday&to=2026-01-01T00:00:00Z').range.kind).toBe('preset');
  });

  it('keeps attacker-looking text as plain filter text', () => {
    expect(parseHash('#/endpoints?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E').q).toBe('<script>alert(1)</script>');
  });
});

describe('TLS routes', () => {
  it('reads the fronts table with its sort, and a front by name and kind', () => {
    expect(parseHash('#/tls?range=24h&refresh=off&sort=legacy&dir=desc')).toEqual({
      view: 'tls',
      range: { kind: 'preset', preset: '24h' },
      refresh: 'off',
      sort: 'legacy',
      dir: 'desc',
    });
    expect(parseHash('#/tls/api.example.com?range=1h&refresh=off')).toMatchObject({ view: 'tlsFront', front: 'api.example.com', frontKind: 'sni' });
    expect(parseHash('#/tls/10.0.0.1%3A443?kind=address')).toMatchObject({ view: 'tlsFront', front: '10.0.0.1:443', frontKind: 'address' });
    expect(parseHash('#/tls/x?kind=evil').frontKind).toBe('sni');
  });

  it('round-trips a hostile server name through the hash, slashes and markup included', () => {
    const hostile = "<script>alert(1)</script>' OR 1=1; --/?#&%x";
    const link = linkToFront({ view: 'tls', range: { kind: 'preset', preset: '15m' }, refresh: '5s' }, hostile, 'sni');
    expect(link.startsWith('#/tls/%3Cscript%3E')).toBe(true);
    expect(parseHash(link)).toEqual({
      view: 'tlsFront',
      front: hostile,
      frontKind: 'sni',
      range: { kind: 'preset', preset: '15m' },
      refresh: '5s',
    });
    const address: ViewState = { view: 'tlsFront', front: '[2001:db8::1]:443', frontKind: 'address', range: { kind: 'preset', preset: '1h' }, refresh: 'off' };
    expect(parseHash(formatHash(address))).toEqual(address);
  });

  it('falls back to the fronts table for a front that is not valid percent-encoding', () => {
    expect(parseHash('#/tls/%E0%A4%A').view).toBe('tls');
    expect(parseHash('#/tlsFront').view).toBe('overview');
  });
});

describe('formatHash', () => {
  it('writes range and refresh always, filters only when set', () => {
    expect(formatHash({ view: 'specs', range: { kind: 'preset', preset: '7d' }, refresh: '1m' })).toBe(
      '#/specs?range=7d&refresh=1m',
    );
  });

  it('round-trips every kind of state', () => {
    const states: ViewState[] = [
      { view: 'overview', range: { kind: 'preset', preset: '1h' }, refresh: 'off' },
      {
        view: 'endpoints',
        range: { kind: 'custom', from: '2026-03-01T10:00:00.000Z', to: '2026-03-01T12:30:00.000Z' },
        refresh: '5s',
        spec: 'pet shop',
        host: '127.0.0.1:8080',
        q: 'a&b=c #d',
        sort: 'err5xx',
        dir: 'asc',
      },
      { view: 'endpoint', endpointId: 7, range: { kind: 'preset', preset: '24h' }, refresh: '30s', host: 'h' },
      { view: 'zombie', range: { kind: 'preset', preset: '15m' }, refresh: 'off', spec: 'x' },
      { view: 'shadow', range: { kind: 'preset', preset: '1h' }, refresh: 'off' },
    ];
    for (const s of states) {
      expect(parseHash(formatHash(s))).toEqual(s);
    }
  });
});

describe('linkTo', () => {
  const state: ViewState = {
    view: 'endpoints',
    range: { kind: 'preset', preset: '24h' },
    refresh: '15s',
    spec: 'shop',
    host: 'h',
    q: 'orders',
    sort: 'p95',
    dir: 'desc',
  };

  it('keeps range, refresh and host, and drops the table filters for a detail view', () => {
    expect(linkTo(state, 'endpoint', 3)).toBe('#/endpoints/3?range=24h&refresh=15s&host=h');
  });

  it('keeps the spec filter for the zombie view', () => {
    expect(linkTo(state, 'zombie')).toBe('#/zombie?range=24h&refresh=15s&spec=shop&host=h');
  });
});

describe('refreshMillis', () => {
  it('maps each choice to its period', () => {
    expect([refreshMillis('off'), refreshMillis('5s'), refreshMillis('15s'), refreshMillis('30s'), refreshMillis('1m')]).toEqual([
      null, 5000, 15000, 30000, 60000,
    ]);
  });
});
