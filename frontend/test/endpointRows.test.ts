import { describe, expect, it } from 'vitest';
import { busiest, defaultDir, filterRows, slowest, sortRows } from '../src/endpointRows';
import { latency, row } from './fixtures';

const rows = [
  row({ id: 1, method: 'GET', path: '/orders', calls: 50, callsPerSecond: 0.5, latencyMs: latency(12), operationId: 'listOrders' }),
  row({ id: 2, method: 'POST', path: '/orders', calls: 5, callsPerSecond: 0.05, errorRate5xx: 0.2, latencyMs: latency(80) }),
  row({ id: 3, method: 'GET', path: '/orders/{id}', calls: 0, summary: 'Fetch one order' }),
  row({ id: 4, kind: 'shadow', spec: null, host: 'legacy.example.com', method: 'GET', path: '/v0/debug', calls: 9, latencyMs: latency(3) }),
];
const ids = (rs: { id: number }[]) => rs.map((r) => r.id);

describe('sortRows', () => {
  it('sorts by p95 descending with unmeasured rows last', () => {
    expect(ids(sortRows(rows, 'p95', 'desc'))).toEqual([2, 1, 4, 3]);
  });

  it('keeps unmeasured rows last when ascending too', () => {
    expect(ids(sortRows(rows, 'p95', 'asc'))).toEqual([4, 1, 2, 3]);
  });

  it('sorts by calls, ties broken by path then method', () => {
    expect(ids(sortRows(rows, 'calls', 'desc'))).toEqual([1, 4, 2, 3]);
    const tied = [row({ id: 9, method: 'POST', path: '/b' }), row({ id: 8, method: 'GET', path: '/b' }), row({ id: 7, path: '/a' })];
    expect(ids(sortRows(tied, 'calls', 'desc'))).toEqual([7, 8, 9]);
  });

  it('sorts by path alphabetically and does not change its input', () => {
    const copy = [...rows];
    expect(ids(sortRows(rows, 'path', 'asc'))).toEqual([1, 2, 3, 4]);
    expect(ids(sortRows(rows, 'path', 'desc'))).toEqual([4, 3, 1, 2]);
    expect(rows).toEqual(copy);
  });

  it('puts rows without calls last when sorting by error rate', () => {
    expect(ids(sortRows(rows, 'err5xx', 'desc'))).toEqual([2, 1, 4, 3]);
  });

  it('starts text columns ascending and figures descending', () => {
    expect(defaultDir('path')).toBe('asc');
    expect(defaultDir('p99')).toBe('desc');
  });
});

describe('filterRows', () => {
  it('matches every word, case-insensitively, across method, path, operationId, summary, spec and host', () => {
    expect(ids(filterRows(rows, 'ORDERS post'))).toEqual([2]);
    expect(ids(filterRows(rows, 'listorders'))).toEqual([1]);
    expect(ids(filterRows(rows, 'fetch one'))).toEqual([3]);
    expect(ids(filterRows(rows, 'legacy'))).toEqual([4]);
    expect(ids(filterRows(rows, 'shop get'))).toEqual([1, 3]);
  });

  it('keeps every row for an empty query and none for an unmatched one', () => {
    expect(ids(filterRows(rows, '  '))).toEqual([1, 2, 3, 4]);
    expect(ids(filterRows(rows, undefined))).toEqual([1, 2, 3, 4]);
    expect(filterRows(rows, 'nothing-like-this')).toEqual([]);
  });
});

describe('busiest and slowest', () => {
  it('lists rows with calls by calls, and measured rows by p95', () => {
    expect(ids(busiest(rows, 2))).toEqual([1, 4]);
    expect(ids(busiest(rows, 10))).toEqual([1, 4, 2]);
    expect(ids(slowest(rows, 10))).toEqual([2, 1, 4]);
  });
});
