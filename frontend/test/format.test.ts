import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatMs, formatPercent, formatRate, NO_VALUE, plural } from '../src/format';

describe('formatMs', () => {
  it('keeps 3 significant digits', () => {
    expect(formatMs(0.012345)).toBe('0.0123 ms');
    expect(formatMs(1.23456)).toBe('1.23 ms');
    expect(formatMs(12.3456)).toBe('12.3 ms');
    expect(formatMs(123.456)).toBe('123 ms');
    expect(formatMs(1234.56)).toBe('1,230 ms');
    expect(formatMs(0)).toBe('0 ms');
  });

  it('shows a dash when nothing was measured', () => {
    expect(formatMs(null)).toBe(NO_VALUE);
    expect(formatMs(undefined)).toBe(NO_VALUE);
    expect(formatMs(Number.NaN)).toBe(NO_VALUE);
  });
});

describe('formatRate, formatPercent, formatCount, formatBytes', () => {
  it('writes req/s with 3 significant digits', () => {
    expect(formatRate(0.11666)).toBe('0.117 req/s');
    expect(formatRate(1500.4)).toBe('1,500 req/s');
    expect(formatRate(0)).toBe('0 req/s');
  });

  it('writes a fraction as percent', () => {
    expect(formatPercent(0.05234)).toBe('5.23 %');
    expect(formatPercent(1)).toBe('100 %');
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(0.000123)).toBe('0.0123 %');
  });

  it('groups counts and scales bytes', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5 MiB');
    expect(formatBytes(-1)).toBe(NO_VALUE);
  });
});

describe('plural', () => {
  it('adds an s unless there is exactly one', () => {
    expect([plural(0, 'spec'), plural(1, 'spec'), plural(2, 'spec'), plural(1500, 'operation')]).toEqual([
      '0 specs',
      '1 spec',
      '2 specs',
      '1,500 operations',
    ]);
  });
});
