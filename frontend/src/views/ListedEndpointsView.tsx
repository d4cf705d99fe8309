import type { Navigate } from '../App';
import { api } from '../api';
import { Empty, ErrorBox, Loading, MethodBadge } from '../components/common';
import { formatCount, formatRate } from '../format';
import { rangeParams } from '../timeRange';
import { useResource } from '../useResource';
import { linkTo, type ViewState } from '../urlState';

const TEXT = {
  shadow: {
    title: 'Shadow endpoints',
    intro: 'Traffic that matches no operation of any spec, grouped by an inferred path template.',
    empty: 'No shadow traffic in this range: every request matched a documented operation.',
  },
  zombie: {
    title: 'Zombie endpoints',
    intro: 'Documented operations that received no call in this range.',
    empty: 'No zombie endpoints: every documented operation was called in this range.',
  },
};

/** The shadow or the zombie endpoints of the range, each with why it is listed. */
export function ListedEndpointsView({ state, kind, navigate }: { state: ViewState; kind: 'shadow' | 'zombie'; navigate: Navigate }) {
  const range = rangeParams(state.range);
  const spec = kind === 'zombie' ? state.spec : undefined;
  const listed = useResource(`${kind}:${JSON.stringify([range, spec])}`, () =>
    kind === 'shadow' ? api.shadow(range) : api.zombies(range, spec),
  );
  const text = TEXT[kind];

  return (
    <div>
      <h1 class="view-title">{text.title}</h1>
      <p class="intro">{text.intro}</p>
      {kind === 'zombie' && <SpecFilter state={state} navigate={navigate} />}
      {listed.error ? (
        <ErrorBox error={listed.error} />
      ) : !listed.data ? (
        <Loading what={text.title.toLowerCase()} />
      ) : listed.data.endpoints.length === 0 ? (
        <Empty>{text.empty}</Empty>
      ) : (
        <div class="table-wrap">
          <table class={`table listed-table listed-${kind}`} data-testid={`${kind}-table`}>
            <thead>
              <tr>
                <th>Method</th>
                <th>Path</th>
                <th>{kind === 'shadow' ? 'Host' : 'Spec'}</th>
                {kind === 'shadow' && <th class="num">Calls</th>}
                {kind === 'shadow' && <th class="num">Calls/s</th>}
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {listed.data.endpoints.map((e) => (
                <tr key={e.endpoint.id} class={kind === 'shadow' ? 'row-shadow' : 'row-zombie'} data-testid={`${kind}-row`}>
                  <td>
                    <MethodBadge method={e.method} />
                  </td>
                  <td class="path-cell">
                    <a class="path" href={linkTo(state, 'endpoint', e.endpoint.id)} data-testid={`${kind}-path`}>
                      {e.path}
                    </a>
                  </td>
                  <td>{kind === 'shadow' ? (e.endpoint.host ?? 'any host') : e.endpoint.spec}</td>
                  {kind === 'shadow' && <td class="num">{formatCount(e.endpoint.calls)}</td>}
                  {kind === 'shadow' && <td class="num">{formatRate(e.endpoint.callsPerSecond)}</td>}
                  <td class="why" data-testid={`${kind}-why`}>
                    {e.why}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** The zombie view's spec filter: zombies are per spec, shadow traffic belongs to none. */
function SpecFilter({ state, navigate }: { state: ViewState; navigate: Navigate }) {
  const specs = useResource('specs', () => api.specs());
  return (
    <div class="filters">
      <label class="field">
        <span class="field-label">Spec</span>
        <select data-testid="filter-spec" value={state.spec ?? ''} onChange={(e) => navigate({ ...state, spec: e.currentTarget.value || undefined })}>
          <option value="">All specs</option>
          {(specs.data ?? []).map((s) => (
            <option key={s.name} value={s.name}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
