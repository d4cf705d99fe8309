import type { ServiceStatus } from '../api';
import { plural } from '../format';

/**
 * What a failing store (a full disk) cost, shown only once it cost something: minute rows merged
 * into hours while they waited, rows dropped past that, reopens after a fatal DuckDB error.
 */
export function StoreRecovery({ store }: { store: Pick<ServiceStatus['store'], 'rowsMerged' | 'rowsDropped' | 'reopens'> }) {
  if (store.rowsMerged === 0 && store.rowsDropped === 0 && store.reopens === 0) {
    return null;
  }
  const parts = [];
  if (store.rowsMerged > 0) {
    parts.push(`${plural(store.rowsMerged, 'minute row')} merged into hours`);
  }
  if (store.rowsDropped > 0) {
    parts.push(`${plural(store.rowsDropped, 'row')} dropped`);
  }
  if (store.reopens > 0) {
    parts.push(`reopened ${plural(store.reopens, 'time')} after a fatal error`);
  }
  return (
    <>
      <dt>Store recovery</dt>
      <dd data-testid="store-recovery" class={store.rowsDropped > 0 ? 'bad' : 'warn'}>
        {parts.join(' · ')}
      </dd>
    </>
  );
}
