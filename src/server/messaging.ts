import type { Store, StoreSyncInput, StoreSyncResult } from '../store/types.js';
import type { LiveHub } from './live-hub.js';
import type { FleetActivity } from './metrics/activity.js';

/**
 * The store's sync, followed by telling live subscribers what was newly stored. A sync with nothing
 * to publish or read (a device asking for its config) needs no transaction.
 */
export async function syncAndNotify(store: Store, hub: LiveHub, input: StoreSyncInput, activity?: FleetActivity): Promise<StoreSyncResult> {
  if (input.publish.length === 0 && input.subscribe.length === 0) return { published: [], subscriptions: [] };
  const result = await store.sync(input);
  input.publish.forEach((message, i) => {
    const outcome = result.published[i];
    if (outcome && !outcome.duplicate) hub.emit(message, outcome.seq);
  });
  activity?.synced(input, result);
  return result;
}
