import type { StatusClass } from './chartData';

export const COLORS = {
  calls: '#2b6cb0',
  err4xx: '#dd6b20',
  err5xx: '#c53030',
  p50: '#3182ce',
  p90: '#805ad5',
  p95: '#b7791f',
  p99: '#e53e3e',
};

// darker to lighter shades per class: several codes of one class stay apart, the class stays readable
const STATUS_SHADES: Record<StatusClass, string[]> = {
  '1xx': ['#81e6d9', '#4fd1c5'],
  '2xx': ['#48bb78', '#9ae6b4', '#276749', '#c6f6d5'],
  '3xx': ['#4299e1', '#90cdf4', '#2c5282'],
  '4xx': ['#ed8936', '#fbd38d', '#c05621', '#f6ad55'],
  '5xx': ['#e53e3e', '#feb2b2', '#9b2c2c', '#fc8181'],
  other: ['#a0aec0', '#718096'],
  none: ['#2d3748'],
};

/** A colour for the n-th layer of a status class. */
export function statusColor(statusClass: StatusClass, nthInClass: number): string {
  const shades = STATUS_SHADES[statusClass];
  return shades[nthInClass % shades.length];
}
