import { sparklinePath } from '../charts/chartData';
import { formatMs } from '../format';

const WIDTH = 96;
const HEIGHT = 24;

/**
 * A row's p95 latency over the range as a tiny SVG line. SVG rather than one uPlot per row: a table
 * of hundreds of rows would hold hundreds of canvases and plots.
 */
export function Sparkline({ values }: { values: (number | null)[] | undefined }) {
  const path = values ? sparklinePath(values, WIDTH, HEIGHT) : '';
  if (!values || !path) {
    return <span class="sparkline-none">–</span>;
  }
  const measured = values.filter((v): v is number => v !== null);
  const peak = Math.max(...measured);
  return (
    <svg class="sparkline" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" data-testid="sparkline">
      <title>{`p95 latency, peak ${formatMs(peak)}`}</title>
      <path d={path} fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" />
    </svg>
  );
}
