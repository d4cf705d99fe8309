import { describe, expect, it } from 'vitest';
import { columns, errorPercent, isolatedIndices, sparklinePath, statusBreakdown, statusClassOf } from '../src/charts/chartData';
import { latency, point, status } from './fixtures';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';
const T2 = '2026-01-01T00:02:00Z';

describe('columns', () => {
  it('gives x in epoch seconds and one column per picker, null where nothing was measured', () => {
    const points = [
      point(T0, { callsPerSecond: 0.5, latencyMs: latency(10, 4, 20) }),
      point(T1),
      point(T2, { callsPerSecond: 2, latencyMs: latency(30, 6, 90) }),
    ];
    expect(columns(points, [(p) => p.callsPerSecond, (p) => p.latencyMs.p50, (p) => p.latencyMs.p99])).toEqual([
      [1767225600, 1767225660, 1767225720],
      [0.5, 0, 2],
      [4, null, 6],
      [20, null, 90],
    ]);
  });
});

describe('errorPercent', () => {
  it('is a percentage, and null for a step without calls', () => {
    expect(errorPercent(point(T0, { calls: 8, errorRate4xx: 0.25, errorRate5xx: 0.125 }), '4xx')).toBe(25);
    expect(errorPercent(point(T0, { calls: 8, errorRate4xx: 0.25, errorRate5xx: 0.125 }), '5xx')).toBe(12.5);
    expect(errorPercent(point(T0, { calls: 0 }), '5xx')).toBeNull();
  });
});

describe('statusBreakdown', () => {
  const points = [
    point(T0, { byStatusCode: { '200': 60, '404': 6 }, status: status({ s2xx: 60, s4xx: 6 }) }),
    point(T1, { byStatusCode: { '200': 30, '500': 12 }, status: status({ s2xx: 30, s5xx: 12, noResponse: 3 }) }),
    point(T2),
  ];

  it('stacks one layer per code, ascending, in calls per second, with no response on top', () => {
    const layers = statusBreakdown(points, 60);
    expect(layers.map((l) => [l.label, l.statusClass])).toEqual([
      ['200', '2xx'],
      ['404', '4xx'],
      ['500', '5xx'],
      ['no response', 'none'],
    ]);
    expect(layers.map((l) => l.raw)).toEqual([
      [1, 0.5, 0],
      [0.1, 0, 0],
      [0, 0.2, 0],
      [0, 0.05, 0],
    ]);
    expect(layers.map((l) => l.stacked)).toEqual([
      [1, 0.5, 0],
      [1.1, 0.5, 0],
      [1.1, 0.7, 0],
      [1.1, 0.75, 0],
    ]);
  });

  it('merges the rarest codes into one layer past maxCodes', () => {
    const many = [point(T0, { byStatusCode: { '200': 100, '201': 1, '404': 10, '503': 2 } })];
    const layers = statusBreakdown(many, 1, 3);
    expect(layers.map((l) => l.label)).toEqual(['200', '404', 'other codes']);
    expect(layers.map((l) => l.raw[0])).toEqual([100, 10, 3]);
    expect(layers[2].stacked[0]).toBe(113);
  });

  it('gives no layers for points without traffic', () => {
    expect(statusBreakdown([point(T0), point(T1)], 60)).toEqual([]);
  });

  it('classes codes by their hundreds', () => {
    expect([statusClassOf(101), statusClassOf(204), statusClassOf(302), statusClassOf(429), statusClassOf(599), statusClassOf(999)]).toEqual([
      '1xx', '2xx', '3xx', '4xx', '5xx', 'other',
    ]);
  });
});

describe('sparklinePath', () => {
  it('scales values from zero to the peak, y downwards', () => {
    expect(sparklinePath([0, 5, 10], 100, 20)).toBe('M0 20L50 10L100 0');
  });

  it('breaks the line at nulls and draws a lone value as a short stroke', () => {
    expect(sparklinePath([10, 10, null, 5, null], 40, 10)).toBe('M0 0L10 0M28 5L32 5');
  });

  it('is empty when nothing was measured', () => {
    expect(sparklinePath([null, null], 40, 10)).toBe('');
    expect(sparklinePath([], 40, 10)).toBe('');
  });
});

describe('isolatedIndices', () => {
  it('finds values with a gap on both sides, ends included', () => {
    expect(isolatedIndices([5, null, 1, 2, null, 3])).toEqual([0, 5]);
    expect(isolatedIndices([null, 4, null])).toEqual([1]);
    expect(isolatedIndices([1, 2, 3])).toEqual([]);
    expect(isolatedIndices([7])).toEqual([0]);
  });
});
