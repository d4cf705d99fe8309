import { useEffect, useState } from 'preact/hooks';
import { fromLocalInput, presetLabel, toLocalInput } from '../timeRange';
import { PRESET_RANGES, REFRESH_CHOICES, type Refresh, type TimeRange } from '../urlState';

export interface RangePickerProps {
  range: TimeRange;
  refresh: Refresh;
  onRange: (range: TimeRange) => void;
  onRefresh: (refresh: Refresh) => void;
  onRefreshNow: () => void;
}

/** The time range (presets or custom from–to) and auto-refresh shared by every view. */
export function RangePicker({ range, refresh, onRange, onRefresh, onRefreshNow }: RangePickerProps) {
  const [editingCustom, setEditingCustom] = useState(false);
  const now = Date.now();
  const [from, setFrom] = useState(() => toLocalInput(range.kind === 'custom' ? range.from : new Date(now - 3_600_000).toISOString()));
  const [to, setTo] = useState(() => toLocalInput(range.kind === 'custom' ? range.to : new Date(now).toISOString()));
  // a custom range arriving by link or history replaces what the inputs hold
  const customFrom = range.kind === 'custom' ? range.from : undefined;
  const customTo = range.kind === 'custom' ? range.to : undefined;
  useEffect(() => {
    if (customFrom && customTo) {
      setFrom(toLocalInput(customFrom));
      setTo(toLocalInput(customTo));
    }
  }, [customFrom, customTo]);
  const fromIso = fromLocalInput(from);
  const toIso = fromLocalInput(to);
  const customValid = !!fromIso && !!toIso && Date.parse(fromIso) < Date.parse(toIso);
  const showCustom = editingCustom || range.kind === 'custom';

  return (
    <div class="range-picker">
      <label class="field">
        <span class="field-label">Range</span>
        <select
          data-testid="range-select"
          value={showCustom ? 'custom' : range.kind === 'preset' ? range.preset : 'custom'}
          onChange={(e) => {
            const v = e.currentTarget.value;
            if (v === 'custom') {
              setEditingCustom(true);
            } else {
              setEditingCustom(false);
              onRange({ kind: 'preset', preset: v as (typeof PRESET_RANGES)[number] });
            }
          }}
        >
          {PRESET_RANGES.map((p) => (
            <option key={p} value={p}>
              {presetLabel(p)}
            </option>
          ))}
          <option value="custom">Custom…</option>
        </select>
      </label>
      {showCustom && (
        <form
          class="custom-range"
          onSubmit={(e) => {
            e.preventDefault();
            if (customValid) {
              setEditingCustom(false);
              onRange({ kind: 'custom', from: fromIso, to: toIso });
            }
          }}
        >
          <input type="datetime-local" aria-label="from" data-testid="custom-from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
          <span>–</span>
          <input type="datetime-local" aria-label="to" data-testid="custom-to" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
          <button type="submit" data-testid="custom-apply" disabled={!customValid} title={customValid ? '' : '"from" must be before "to"'}>
            Apply
          </button>
        </form>
      )}
      <label class="field">
        <span class="field-label">Auto-refresh</span>
        <select data-testid="refresh-select" value={refresh} onChange={(e) => onRefresh(e.currentTarget.value as Refresh)}>
          {REFRESH_CHOICES.map((r) => (
            <option key={r} value={r}>
              {r === 'off' ? 'Off' : `Every ${r}`}
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="button-quiet" data-testid="refresh-now" onClick={onRefreshNow} title="Fetch again now">
        ⟳ Refresh
      </button>
    </div>
  );
}
