// The service's REST API: the shapes it returns and one fetch wrapper that turns every refusal
// into an ApiRequestError carrying the service's own message.

export interface Latency {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export interface StatusClasses {
  s1xx: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  other: number;
  noResponse: number;
}

export interface Figures {
  calls: number;
  callsPerSecond: number;
  errorRate4xx: number;
  errorRate5xx: number;
  status: StatusClasses;
  byStatusCode: Record<string, number>;
  latencyMs: Latency;
  ttfbMs: Latency;
}

export interface EndpointRow extends Figures {
  id: number;
  kind: 'operation' | 'shadow';
  spec: string | null;
  method: string;
  path: string;
  operationId: string | null;
  summary: string | null;
  host: string | null;
  requestBytes: number;
  responseBytes: number;
}

export interface SeriesPoint extends Figures {
  t: string;
}

export interface EndpointList {
  from: string;
  to: string;
  endpoints: EndpointRow[];
}

export interface EndpointSeries {
  endpoint: EndpointRow;
  from: string;
  to: string;
  stepSeconds: number;
  points: SeriesPoint[];
}

export interface Overview {
  from: string;
  to: string;
  stepSeconds: number;
  total: Figures;
  points: SeriesPoint[];
}

export interface Sparklines {
  from: string;
  to: string;
  stepSeconds: number;
  series: Record<string, { calls: number[]; p95Ms: (number | null)[] }>;
}

export interface ListedEndpoint {
  endpoint: EndpointRow;
  method: string;
  path: string;
  why: string;
}

export interface ListedEndpoints {
  from: string;
  to: string;
  endpoints: ListedEndpoint[];
}

export interface ServerBinding {
  url: string;
  host: string | null;
  basePath: string;
}

export interface SpecSummary {
  name: string;
  version: number;
  title: string | null;
  apiVersion: string | null;
  specVersion: string;
  source: string;
  uploadedAt: string;
  operations: number;
  serversOverridden: boolean;
  servers: ServerBinding[];
  messages: string[];
}

export interface SpecParameter {
  name: string;
  in: string;
  required: boolean;
  type: string | null;
  description: string | null;
}

export interface SpecOperation {
  endpointId: number;
  method: string;
  path: string;
  operationId: string | null;
  summary: string | null;
  parameters?: SpecParameter[];
}

export interface SpecDetail {
  spec: SpecSummary;
  operations: SpecOperation[];
}

export interface ServiceStatus {
  startedAt: string;
  capture: {
    enabled: boolean;
    running: boolean;
    interfaces: string[];
    error: string | null;
    kernel: Record<string, number>;
    records: number;
    drops: number;
    flowEvictions: number;
    batchesSent: number;
  };
  ingest: {
    rows: number;
    batches: number;
    shadowRows: number;
    ignoredRows: number;
    rejectedBatches: number;
    lastBatchAt: string | null;
    lagMs: number | null;
  };
  store: {
    file: string;
    sizeBytes: number;
    rowsWritten: number;
    rowsDropped: number;
    rowsMerged: number;
    lastFlushAt: string | null;
    lastError: string | null;
    reopens: number;
  };
  specs: { specs: number; operations: number; routeWarnings: string[] };
  shadow: { endpoints: number; hosts: number };
  /** TLS handshakes: capture of hellos on, batches sent, handshakes and batches taken in, refused. */
  tls?: {
    enabled: boolean;
    batchesSent: number;
    handshakes: number;
    batches: number;
    rejectedBatches: number;
    lastBatchAt: string | null;
  };
}

/** One value of a TLS mix: a version, cipher suite, ALPN protocol or JA4 fingerprint. */
export interface TlsEntry {
  name: string;
  /** The wire number of a version or cipher suite; null for ALPN and JA4. */
  code: number | null;
  count: number;
  /** count / the mix's total. */
  share: number;
  /** For versions: TLS 1.1 or older. */
  legacy: boolean | null;
}

export interface TlsMix {
  /** What the shares are of. */
  total: number;
  /** Counts of values not listed (past a bound or a limit). */
  other: number;
  entries: TlsEntry[];
}

export interface HandshakeMs {
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export type TlsFrontKind = 'sni' | 'address' | 'other';

/** One TLS front (SNI, or server address without SNI) over the range. */
export interface TlsRow {
  kind: TlsFrontKind;
  name: string;
  handshakes: number;
  handshakesPerSecond: number;
  /** Negotiated versions. */
  versions: TlsMix;
  /** The highest version each client offered. */
  offeredMax: TlsMix;
  legacy: number;
  legacyShare: number;
  alpnOffered: TlsMix;
  alpnSelected: TlsMix;
  alpnNotSelected: number;
  alpnEncrypted: number;
  ciphers: TlsMix;
  handshakeMs: HandshakeMs;
  failures: { noServerHello: number; unparseable: number };
  specs: string[];
}

export interface TlsFrontList {
  from: string;
  to: string;
  fronts: TlsRow[];
}

export interface TlsPoint {
  t: string;
  handshakes: number;
  handshakesPerSecond: number;
  /** Negotiated versions by name. */
  versions: Record<string, number>;
  legacy: number;
  noServerHello: number;
  handshakeMs: HandshakeMs;
}

export interface TlsFrontDetail {
  front: TlsRow;
  from: string;
  to: string;
  stepSeconds: number;
  points: TlsPoint[];
  /** Each version offered; shares of all handshakes. */
  offered: TlsMix;
  ja4: TlsMix;
}

/** A refused or failed request: `message` is what to show, `details` the parser's messages, if any. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: string[],
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/**
 * What a failed response says, from the service's error body `{status, error, messages}`; bodies
 * that are not that shape (a proxy's HTML page, an empty 502) fall back to the HTTP status line.
 */
export function errorFromResponse(status: number, statusText: string, body: string): ApiRequestError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object') {
    const o = parsed as Record<string, unknown>;
    const error = typeof o.error === 'string' && o.error.trim() ? o.error : undefined;
    const messages = Array.isArray(o.messages) ? o.messages.filter((m): m is string => typeof m === 'string') : [];
    if (error || messages.length) {
      return new ApiRequestError(status, error ?? `HTTP ${status}`, messages);
    }
  }
  const fallback = status === 413 ? 'the file is too large for the service' : `HTTP ${status} ${statusText}`.trim();
  return new ApiRequestError(status, fallback, []);
}

/**
 * The headline of a refused upload, without the parser's message that follows it: the service
 * writes `invalid YAML: <message>` and lists `<message>` again in `messages`, shown beneath.
 */
export function refusalHeadline(error: ApiRequestError): string {
  const first = error.details[0];
  if (first && error.message.length > first.length && error.message.endsWith(first)) {
    return error.message.slice(0, -first.length).replace(/[\s:]+$/, '');
  }
  return error.message;
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { Accept: 'application/json', ...init?.headers } });
  } catch (e) {
    throw new ApiRequestError(0, `the service did not answer (${e instanceof Error ? e.message : String(e)})`, []);
  }
  const text = await response.text();
  if (!response.ok) {
    throw errorFromResponse(response.status, response.statusText, text);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A query string from the defined, non-empty values (URLSearchParams escapes them). */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') {
      q.set(k, String(v));
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface RangeParams {
  from: string;
  to: string;
}

export const api = {
  endpoints: (r: RangeParams, spec?: string, host?: string) =>
    request<EndpointList>(`api/endpoints${query({ ...r, spec, host })}`),
  series: (id: number, r: RangeParams, host?: string) =>
    request<EndpointSeries>(`api/endpoints/${id}/series${query({ ...r, host })}`),
  overview: (r: RangeParams, host?: string) => request<Overview>(`api/overview${query({ ...r, host })}`),
  sparklines: (r: RangeParams, points: number, host?: string) =>
    request<Sparklines>(`api/endpoints/sparklines${query({ ...r, points, host })}`),
  shadow: (r: RangeParams) => request<ListedEndpoints>(`api/shadow-endpoints${query({ ...r })}`),
  zombies: (r: RangeParams, spec?: string) => request<ListedEndpoints>(`api/zombie-endpoints${query({ ...r, spec })}`),
  status: () => request<ServiceStatus>('api/status'),
  tls: (r: RangeParams, spec?: string) => request<TlsFrontList>(`api/tls${query({ ...r, spec })}`),
  tlsFront: (name: string, kind: TlsFrontKind, r: RangeParams) =>
    request<TlsFrontDetail>(`api/tls/${encodeURIComponent(name)}${query({ ...r, kind: kind === 'sni' ? undefined : kind })}`),
  specs: () => request<SpecSummary[]>('api/specs'),
  spec: (name: string) => request<SpecDetail>(`api/specs/${encodeURIComponent(name)}`),
  uploadSpec: (file: File) => {
    const form = new FormData();
    form.set('file', file, file.name);
    return request<SpecSummary>('api/specs', { method: 'POST', body: form });
  },
  replaceSpec: (name: string, file: File) =>
    request<SpecSummary>(`api/specs/${encodeURIComponent(name)}`, {
      method: 'PUT',
      body: file,
      headers: { 'Content-Type': specContentType(file.name) },
    }),
  deleteSpec: (name: string) => request<void>(`api/specs/${encodeURIComponent(name)}`, { method: 'DELETE' }),
};

/** The raw-body type the service expects: JSON for .json files, YAML otherwise. */
export function specContentType(fileName: string): string {
  return /\.json$/i.test(fileName) ? 'application/json' : 'application/yaml';
}
