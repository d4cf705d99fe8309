import { describe, expect, it } from 'vitest';
import { fromLocalInput, rangeParams, toLocalInput } from '../src/timeRange';

describe('rangeParams', () => {
  it('sends presets as the service relative times', () => {
    expect(rangeParams({ kind: 'preset', preset: '15m' })).toEqual({ from: 'now-15m', to: 'now' });
    expect(rangeParams({ kind: 'preset', preset: '1h' })).toEqual({ from: 'now-1h', to: 'now' });
    expect(rangeParams({ kind: 'preset', preset: '24h' })).toEqual({ from: 'now-24h', to: 'now' });
    expect(rangeParams({ kind: 'preset', preset: '7d' })).toEqual({ from: 'now-7d', to: 'now' });
  });

  it('sends a custom range as its ISO instants', () => {
    expect(rangeParams({ kind: 'custom', from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T06:00:00.000Z' })).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-01T06:00:00.000Z',
    });
  });
});

describe('datetime-local conversion', () => {
  it('round-trips an instant at minute precision through the local input value', () => {
    const iso = '2026-05-06T07:08:00.000Z';
    const local = toLocalInput(iso);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromLocalInput(local)).toBe(iso);
  });

  it('gives undefined for an empty or invalid value', () => {
    expect(fromLocalInput('')).toBeUndefined();
    expect(fromLocalInput('not a date')).toBeUndefined();
  });
});
