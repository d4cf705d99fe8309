import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiRequestError } from './api';

/** Bumped by the "refresh now" button and by auto-refresh: every loaded view fetches again. */
export const RefreshTick = createContext(0);

export interface Resource<T> {
  data: T | undefined;
  error: ApiRequestError | undefined;
  /** True while a fetch is under way (also during a refresh, when the previous data is still shown). */
  loading: boolean;
}

function asApiError(e: unknown): ApiRequestError {
  return e instanceof ApiRequestError ? e : new ApiRequestError(0, e instanceof Error ? e.message : String(e), []);
}

/**
 * Data from the service for the given key: fetched again whenever the key changes (the previous
 * data is dropped: it belongs to another view or range) and on every refresh tick (the previous
 * data stays on screen until the new arrives). A late answer to an outdated request is ignored.
 */
export function useResource<T>(key: string, load: () => Promise<T>): Resource<T> {
  const tick = useContext(RefreshTick);
  const [state, setState] = useState<Resource<T> & { key: string }>({
    key,
    data: undefined,
    error: undefined,
    loading: true,
  });
  const generation = useRef(0);

  useEffect(() => {
    const mine = ++generation.current;
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, data: undefined, error: undefined, loading: true }));
    load().then(
      (data) => {
        if (mine === generation.current) setState({ key, data, error: undefined, loading: false });
      },
      (e: unknown) => {
        if (mine === generation.current) setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: asApiError(e), loading: false }));
      },
    );
  }, [key, tick]);

  // between a key change and the effect, do not show the old key's data
  if (state.key !== key) return { data: undefined, error: undefined, loading: true };
  return state;
}
