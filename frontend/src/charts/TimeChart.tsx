import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { isolatedIndices, type Columns } from './chartData';
import { tooltipPlugin } from './tooltipPlugin';

export interface ChartSeries {
  label: string;
  color: string;
  /** Area under the line, for stacked layers (an opaque colour: layers are painted over each other). */
  fill?: string;
  dash?: number[];
}

export interface TimeChartProps {
  title: string;
  /** The y axis' unit, shown on the axis and with every value. */
  unit: string;
  data: Columns;
  series: ChartSeries[];
  /** A value with its unit, for the axis, the legend and the tooltip. */
  format: (v: number | null) => string;
  /** What the legend and tooltip show for a series at a point, when it is not the drawn value (stacks). */
  valueAt?: (seriesIdx: number, dataIdx: number) => number | null;
  /** x range in epoch seconds, so an empty tail of the range still shows. */
  xRange: [number, number];
  height?: number;
  testId?: string;
}

const axisFormat = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });
/** Tick labels are bare numbers: the axis label carries the unit. */
const axisNumber = (v: number) => axisFormat.format(v);

const AXIS_STYLE = { stroke: '#4a5568', grid: { stroke: '#edf2f7', width: 1 }, ticks: { stroke: '#e2e8f0' } };

function seriesKey(series: ChartSeries[]): string {
  return JSON.stringify(series);
}

/** A uPlot time chart sized to its container: rebuilt when its series change, new data set in place. */
export function TimeChart(props: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const { series, unit, height = 220 } = props;
    // read through `latest` so that new data (every refresh) needs no new plot
    const format = (v: number | null) => latest.current.format(v);
    const read = (seriesIdx: number, dataIdx: number) => {
      const { valueAt, data } = latest.current;
      return valueAt ? valueAt(seriesIdx, dataIdx) : ((data[seriesIdx] as (number | null)[])[dataIdx] ?? null);
    };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      scales: {
        x: { time: true, range: () => latest.current.xRange },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      series: [
        { label: 'time' },
        ...series.map<uPlot.Series>((s, i) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          fill: s.fill,
          dash: s.dash,
          points: { show: false, size: 7, fill: s.color, filter: (u, si) => isolatedIndices(u.data[si] as (number | null)[]) },
          value: (_u, _v, _si, idx) => (idx === null || idx === undefined ? '–' : format(read(i + 1, idx))),
        })),
      ],
      axes: [
        // wider spacing than uPlot's default: time labels like "11:50am" must not run together
        { ...AXIS_STYLE, space: 80 },
        {
          ...AXIS_STYLE,
          label: unit,
          size: 70,
          values: (_u, splits) => splits.map(axisNumber),
        },
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
      plugins: [tooltipPlugin((_u, si, di) => format(read(si, di)), series.map((s) => s.color))],
    };
    const u = new uPlot(opts, props.data as uPlot.AlignedData, el);
    plot.current = u;
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // rebuilt only when the series change: their number, labels or colours
  }, [seriesKey(props.series), props.unit]);

  useEffect(() => {
    plot.current?.setData(props.data as uPlot.AlignedData);
  }, [props.data, props.xRange[0], props.xRange[1]]);

  return (
    <figure class="chart" data-testid={props.testId ?? 'chart'}>
      <figcaption class="chart-title">
        {props.title} <span class="chart-unit">({props.unit})</span>
      </figcaption>
      <div class="chart-plot" ref={host} />
    </figure>
  );
}
