import type uPlot from 'uplot';

/** How the tooltip writes the value of series `seriesIdx` at point `dataIdx`. */
export type TooltipValue = (u: uPlot, seriesIdx: number, dataIdx: number) => string;

const timeFormat = new Intl.DateTimeFormat('en-GB', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/**
 * A uPlot plugin showing the time and every visible series' value at the cursor; `colors` are the
 * series' colours, in order. Built with
 * textContent only: series labels may one day carry text from the wire.
 */
export function tooltipPlugin(valueAt: TooltipValue, colors: readonly string[]): uPlot.Plugin {
  let tip: HTMLDivElement | null = null;

  const hide = () => {
    if (tip) tip.style.display = 'none';
  };

  return {
    hooks: {
      init: (u) => {
        tip = document.createElement('div');
        tip.className = 'chart-tooltip';
        tip.dataset.testid = 'chart-tooltip';
        tip.style.display = 'none';
        u.over.appendChild(tip);
        u.over.addEventListener('mouseleave', hide);
      },
      setCursor: (u) => {
        const idx = u.cursor.idx;
        const left = u.cursor.left ?? -1;
        const top = u.cursor.top ?? -1;
        if (!tip || idx === null || idx === undefined || left < 0) {
          hide();
          return;
        }
        const rows: HTMLElement[] = [];
        const time = document.createElement('div');
        time.className = 'chart-tooltip-time';
        time.textContent = timeFormat.format(new Date(u.data[0][idx] * 1000));
        rows.push(time);
        u.series.forEach((s, i) => {
          if (i === 0 || s.show === false) return;
          const row = document.createElement('div');
          row.className = 'chart-tooltip-row';
          const swatch = document.createElement('span');
          swatch.className = 'chart-tooltip-swatch';
          // the series' own colour: uPlot keeps `stroke` as a function once the plot is built
          swatch.style.background = colors[i - 1] ?? '#888';
          const label = document.createElement('span');
          label.textContent = `${typeof s.label === 'string' ? s.label : ''}: `;
          const value = document.createElement('strong');
          value.textContent = valueAt(u, i, idx);
          row.append(swatch, label, value);
          rows.push(row);
        });
        tip.replaceChildren(...rows);
        tip.style.display = 'block';
        // keep the box inside the plot: flip to the cursor's other side near the right/bottom edge
        const overWidth = u.over.clientWidth;
        const overHeight = u.over.clientHeight;
        const { offsetWidth: w, offsetHeight: h } = tip;
        tip.style.left = `${left + 12 + w > overWidth ? Math.max(0, left - 12 - w) : left + 12}px`;
        tip.style.top = `${top + 12 + h > overHeight ? Math.max(0, top - 12 - h) : top + 12}px`;
      },
    },
  };
}
