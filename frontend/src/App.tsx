import { useCallback, useEffect, useState } from 'preact/hooks';
import { RangePicker } from './components/RangePicker';
import { RefreshTick } from './useResource';
import { formatHash, linkTo, parseHash, refreshMillis, type View, type ViewState } from './urlState';
import { EndpointDetail } from './views/EndpointDetail';
import { Endpoints } from './views/Endpoints';
import { ListedEndpointsView } from './views/ListedEndpointsView';
import { Overview } from './views/Overview';
import { Specs } from './views/Specs';
import { Tls } from './views/Tls';
import { TlsFront } from './views/TlsFront';

/** Changes the view state; `replace` for edits that should not each become a history entry (typing). */
export type Navigate = (next: ViewState, options?: { replace?: boolean }) => void;

const NAV: { view: View; label: string }[] = [
  { view: 'overview', label: 'Overview' },
  { view: 'endpoints', label: 'Endpoints' },
  { view: 'tls', label: 'TLS' },
  { view: 'specs', label: 'Specs' },
  { view: 'shadow', label: 'Shadow' },
  { view: 'zombie', label: 'Zombie' },
];

export function App() {
  const [state, setState] = useState<ViewState>(() => parseHash(location.hash));
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const onHash = () => setState(parseHash(location.hash));
    addEventListener('hashchange', onHash);
    // write the normalised hash back, so the address bar always shows a complete, shareable state
    history.replaceState(null, '', formatHash(parseHash(location.hash)));
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const navigate: Navigate = useCallback((next, options) => {
    const hash = formatHash(next);
    if (options?.replace) {
      history.replaceState(null, '', hash);
      setState(parseHash(hash));
    } else if (hash !== location.hash) {
      location.hash = hash;
    }
  }, []);

  const interval = refreshMillis(state.refresh);
  useEffect(() => {
    if (interval === null) return;
    const timer = setInterval(() => setTick((t) => t + 1), interval);
    return () => clearInterval(timer);
  }, [interval]);

  const current = state.view === 'endpoint' ? 'endpoints' : state.view === 'tlsFront' ? 'tls' : state.view;

  return (
    <RefreshTick.Provider value={tick}>
      <header class="topbar">
        <a class="brand" href={linkTo(state, 'overview')}>
          gatelens
        </a>
        <nav class="nav" data-testid="nav">
          {NAV.map(({ view, label }) => (
            <a
              key={view}
              href={linkTo(state, view)}
              class={view === current ? 'nav-link active' : 'nav-link'}
              aria-current={view === current ? 'page' : undefined}
              data-testid={`nav-${view}`}
            >
              {label}
            </a>
          ))}
        </nav>
        <RangePicker
          range={state.range}
          refresh={state.refresh}
          onRange={(range) => navigate({ ...state, range })}
          onRefresh={(refresh) => navigate({ ...state, refresh })}
          onRefreshNow={() => setTick((t) => t + 1)}
        />
      </header>
      <main class="content" data-testid={`view-${state.view}`}>
        <CurrentView state={state} navigate={navigate} />
      </main>
    </RefreshTick.Provider>
  );
}

function CurrentView({ state, navigate }: { state: ViewState; navigate: Navigate }) {
  switch (state.view) {
    case 'overview':
      return <Overview state={state} />;
    case 'endpoints':
      return <Endpoints state={state} navigate={navigate} />;
    case 'endpoint':
      return <EndpointDetail state={state} id={state.endpointId ?? 0} />;
    case 'tls':
      return <Tls state={state} navigate={navigate} />;
    case 'tlsFront':
      return <TlsFront state={state} name={state.front ?? ''} kind={state.frontKind ?? 'sni'} />;
    case 'specs':
      return <Specs state={state} />;
    case 'shadow':
      return <ListedEndpointsView state={state} kind="shadow" navigate={navigate} />;
    case 'zombie':
      return <ListedEndpointsView state={state} kind="zombie" navigate={navigate} />;
  }
}
