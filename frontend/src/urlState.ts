// The dashboard's state lives in the location hash, so a copied link reproduces the view:
//   #/endpoints?range=1h&refresh=15s&spec=x&host=y&q=text&sort=p95&dir=desc
//   #/endpoints/12?range=custom&from=2026-01-01T00:00:00.000Z&to=2026-01-01T06:00:00.000Z
//   #/tls?range=1h&sort=legacy&dir=desc      #/tls/api.example.com?range=24h   #/tls/10.0.0.1%3A443?kind=address

export const VIEWS = ['overview', 'endpoints', 'endpoint', 'tls', 'tlsFront', 'specs', 'shadow', 'zombie'] as const;
export type View = (typeof VIEWS)[number];

export const PRESET_RANGES = ['15m', '1h', '24h', '7d'] as const;
export type PresetRange = (typeof PRESET_RANGES)[number];

export const REFRESH_CHOICES = ['off', '5s', '15s', '30s', '1m'] as const;
export type Refresh = (typeof REFRESH_CHOICES)[number];

export const SORT_KEYS = [
  'method',
  'path',
  'spec',
  'calls',
  'rate',
  'err4xx',
  'err5xx',
  'p50',
  'p95',
  'p99',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** The TLS fronts table's columns ('rate' and 'p95' mean handshakes/s and handshake p95 there). */
export const TLS_SORT_KEYS = ['front', 'handshakes', 'rate', 'legacy', 'p95'] as const;
export type TlsSortKey = (typeof TLS_SORT_KEYS)[number];

export const FRONT_KINDS = ['sni', 'address', 'other'] as const;
export type FrontKind = (typeof FRONT_KINDS)[number];

export function isSortKey(key: string | undefined): key is SortKey {
  return key !== undefined && (SORT_KEYS as readonly string[]).includes(key);
}

export function isTlsSortKey(key: string | undefined): key is TlsSortKey {
  return key !== undefined && (TLS_SORT_KEYS as readonly string[]).includes(key);
}
export type SortDir = 'asc' | 'desc';

export type TimeRange = { kind: 'preset'; preset: PresetRange } | { kind: 'custom'; from: string; to: string };

export interface ViewState {
  view: View;
  /** Only for the endpoint detail view. */
  endpointId?: number;
  /** Only for the TLS front view: its name (an SNI, an address:port) and what the name is. */
  front?: string;
  frontKind?: FrontKind;
  range: TimeRange;
  refresh: Refresh;
  spec?: string;
  host?: string;
  q?: string;
  /** A column of the current view's table (endpoints or TLS fronts). */
  sort?: SortKey | TlsSortKey;
  dir?: SortDir;
}

export const DEFAULT_RANGE: TimeRange = { kind: 'preset', preset: '1h' };

export function defaultState(view: View = 'overview'): ViewState {
  return { view, range: DEFAULT_RANGE, refresh: 'off' };
}

function oneOf<T extends string>(choices: readonly T[], value: string | null): T | undefined {
  return value !== null && (choices as readonly string[]).includes(value) ? (value as T) : undefined;
}

function nonEmpty(value: string | null): string | undefined {
  return value !== null && value.trim() !== '' ? value : undefined;
}

/** An ISO-8601 instant or epoch milliseconds, normalised to ISO-8601; undefined when it is neither. */
function isoInstant(value: string | null): string | undefined {
  if (value === null) return undefined;
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The state a hash stands for; anything unknown or malformed falls back to the defaults. */
export function parseHash(hash: string): ViewState {
  const body = hash.replace(/^#/, '');
  const qAt = body.indexOf('?');
  const path = qAt < 0 ? body : body.slice(0, qAt);
  const params = new URLSearchParams(qAt < 0 ? '' : body.slice(qAt + 1));
  const segments = path.split('/').filter((s) => s !== '');

  let view: View = 'overview';
  let endpointId: number | undefined;
  let front: string | undefined;
  if (segments[0] === 'endpoints' && segments.length >= 2 && /^\d+$/.test(segments[1])) {
    view = 'endpoint';
    endpointId = Number(segments[1]);
  } else if (segments[0] === 'tls' && segments.length === 2 && (front = decoded(segments[1])) !== undefined && front !== '') {
    view = 'tlsFront';
  } else {
    const named = oneOf(VIEWS, segments[0] ?? null);
    view = named && named !== 'endpoint' && named !== 'tlsFront' ? named : 'overview';
  }

  let range: TimeRange = DEFAULT_RANGE;
  const from = isoInstant(params.get('from'));
  const to = isoInstant(params.get('to'));
  const preset = oneOf(PRESET_RANGES, params.get('range'));
  if ((params.get('range') === 'custom' || !params.has('range')) && from && to && Date.parse(from) < Date.parse(to)) {
    range = { kind: 'custom', from, to };
  } else if (preset) {
    range = { kind: 'preset', preset };
  }

  const state: ViewState = { view, range, refresh: oneOf(REFRESH_CHOICES, params.get('refresh')) ?? 'off' };
  if (endpointId !== undefined) state.endpointId = endpointId;
  if (view === 'tlsFront' && front !== undefined) {
    state.front = front;
    state.frontKind = oneOf(FRONT_KINDS, params.get('kind')) ?? 'sni';
  }
  const spec = nonEmpty(params.get('spec'));
  const host = nonEmpty(params.get('host'));
  const q = nonEmpty(params.get('q'));
  const sort = oneOf([...SORT_KEYS, ...TLS_SORT_KEYS], params.get('sort'));
  const dir = oneOf(['asc', 'desc'] as const, params.get('dir'));
  if (spec) state.spec = spec;
  if (host) state.host = host;
  if (q) state.q = q;
  if (sort) state.sort = sort;
  if (dir) state.dir = dir;
  return state;
}

/** A percent-decoded path segment; undefined when it is not valid percent-encoding. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The hash for a state: range and refresh always, the filters only when set. */
export function formatHash(state: ViewState): string {
  const path =
    state.view === 'endpoint'
      ? `/endpoints/${state.endpointId ?? 0}`
      : state.view === 'tlsFront'
        ? `/tls/${encodeURIComponent(state.front ?? '')}`
        : `/${state.view}`;
  const params = new URLSearchParams();
  if (state.view === 'tlsFront' && state.frontKind && state.frontKind !== 'sni') params.set('kind', state.frontKind);
  if (state.range.kind === 'custom') {
    params.set('range', 'custom');
    params.set('from', state.range.from);
    params.set('to', state.range.to);
  } else {
    params.set('range', state.range.preset);
  }
  params.set('refresh', state.refresh);
  if (state.spec) params.set('spec', state.spec);
  if (state.host) params.set('host', state.host);
  if (state.q) params.set('q', state.q);
  if (state.sort) params.set('sort', state.sort);
  if (state.dir) params.set('dir', state.dir);
  return `#${path}?${params.toString()}`;
}

/** A link to one TLS front's view, keeping the time range and refresh. */
export function linkToFront(state: ViewState, front: string, kind: FrontKind): string {
  return formatHash({ view: 'tlsFront', front, frontKind: kind, range: state.range, refresh: state.refresh });
}

/** A link to another view that keeps the shared time range, refresh and host. */
export function linkTo(state: ViewState, view: View, endpointId?: number): string {
  const next: ViewState = { view, range: state.range, refresh: state.refresh };
  if (endpointId !== undefined) next.endpointId = endpointId;
  if (state.host) next.host = state.host;
  if (view === 'endpoints' || view === 'zombie') {
    if (state.spec) next.spec = state.spec;
  }
  return formatHash(next);
}

export function refreshMillis(refresh: Refresh): number | null {
  switch (refresh) {
    case 'off':
      return null;
    case '5s':
      return 5_000;
    case '15s':
      return 15_000;
    case '30s':
      return 30_000;
    case '1m':
      return 60_000;
  }
}
