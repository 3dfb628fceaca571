import type { Store, StoreSyncInput, StoreSyncResult } from '../store/types.js';
import type { LiveHub } from './live-hub.js';

/** The store's sync, followed by telling live subscribers what was newly stored. */
export async function syncAndNotify(store: Store, hub: LiveHub, input: StoreSyncInput): Promise<StoreSyncResult> {
  const result = await store.sync(input);
  input.publish.forEach((message, i) => {
    const outcome = result.published[i];
    if (outcome && !outcome.duplicate) hub.emit(message, outcome.seq);
  });
  return result;
}
