import type { EndpointRow, Latency, SeriesPoint, StatusClasses, TlsMix, TlsPoint, TlsRow } from '../src/api';

const NO_LATENCY: Latency = { p50: null, p90: null, p95: null, p99: null, max: null };
const NO_STATUS: StatusClasses = { s1xx: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, other: 0, noResponse: 0 };

/** An endpoint row as the service sends it, with the given fields changed. */
export function row(fields: Partial<EndpointRow> & { id: number; path: string }): EndpointRow {
  return {
    kind: 'operation',
    spec: 'shop',
    method: 'GET',
    operationId: null,
    summary: null,
    host: null,
    calls: 0,
    callsPerSecond: 0,
    errorRate4xx: 0,
    errorRate5xx: 0,
    status: NO_STATUS,
    byStatusCode: {},
    requestBytes: 0,
    responseBytes: 0,
    latencyMs: NO_LATENCY,
    ttfbMs: NO_LATENCY,
    ...fields,
  };
}

export function latency(p95: number | null, p50 = p95, p99 = p95): Latency {
  return { p50, p90: p95, p95, p99, max: p99 };
}

/** A series point as the service sends it. */
export function point(t: string, fields: Partial<SeriesPoint> = {}): SeriesPoint {
  return {
    t,
    calls: 0,
    callsPerSecond: 0,
    errorRate4xx: 0,
    errorRate5xx: 0,
    status: NO_STATUS,
    byStatusCode: {},
    latencyMs: NO_LATENCY,
    ttfbMs: NO_LATENCY,
    ...fields,
  };
}

export function status(fields: Partial<StatusClasses>): StatusClasses {
  return { ...NO_STATUS, ...fields };
}

/** A TLS mix from [name, count, legacy?] triples; shares of `total` (default: the counts' sum plus other). */
export function mix(entries: [string, number, boolean?][], other = 0, total?: number): TlsMix {
  const sum = entries.reduce((s, [, n]) => s + n, 0) + other;
  const t = total ?? sum;
  return {
    total: t,
    other,
    entries: entries.map(([name, count, legacy]) => ({ name, code: null, count, share: t ? count / t : 0, legacy: legacy ?? null })),
  };
}

const NO_MIX: TlsMix = { total: 0, other: 0, entries: [] };

/** A TLS front row as the service sends it, with the given fields changed. */
export function tlsRow(fields: Partial<TlsRow> & { name: string }): TlsRow {
  return {
    kind: 'sni',
    handshakes: 0,
    handshakesPerSecond: 0,
    versions: NO_MIX,
    offeredMax: NO_MIX,
    legacy: 0,
    legacyShare: 0,
    alpnOffered: NO_MIX,
    alpnSelected: NO_MIX,
    alpnNotSelected: 0,
    alpnEncrypted: 0,
    ciphers: NO_MIX,
    handshakeMs: { samples: 0, p50: null, p95: null, p99: null, max: null },
    failures: { noServerHello: 0, unparseable: 0 },
    specs: [],
    ...fields,
  };
}

export function tlsPoint(t: string, handshakes: number, versions: Record<string, number>): TlsPoint {
  return {
    t,
    handshakes,
    handshakesPerSecond: handshakes / 60,
    versions,
    legacy: 0,
    noServerHello: 0,
    handshakeMs: { samples: 0, p50: null, p95: null, p99: null, max: null },
  };
}
