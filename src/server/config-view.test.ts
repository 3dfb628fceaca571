// The merged-config cache: an invalidation while a load is in flight must not let that load's
// older entries be cached (a change made meanwhile would be hidden until the cache expires).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigEntry, Store } from '../store/types.js';
import { ConfigViews } from './config-view.js';

/** Only what ConfigViews reads: configEntries, answered when the test says so. */
function heldStore() {
  const pending: ((entries: ConfigEntry[]) => void)[] = [];
  const store = { configEntries: () => new Promise<ConfigEntry[]>((resolve) => pending.push(resolve)) } as unknown as Store;
  const entry = (value: string): ConfigEntry[] => [{ deviceId: null, key: 'mode', value, updatedAt: 1 }];
  return { store, answer: (value: string) => pending.shift()?.(entry(value)), waiting: () => pending.length };
}

describe('ConfigViews', () => {
  it('caches a load, and an invalidation drops it', async () => {
    const held = heldStore();
    const views = new ConfigViews(held.store, 60_000);
    const first = views.forDevice(1, null);
    held.answer('eco');
    assert.equal((await first).values.mode, 'eco');
    assert.equal(views.peek(1, null)?.values.mode, 'eco');
    views.invalidate(1);
    assert.equal(views.peek(1, null), undefined);
  });

  it('does not cache a load that an invalidation overtook', async () => {
    const held = heldStore();
    const views = new ConfigViews(held.store, 60_000);
    const stale = views.forDevice(1, null); // reads before the change
    views.invalidate(1); // the change is committed and announced
    const fresh = views.forDevice(1, null); // a new load, not the stale one
    assert.equal(held.waiting(), 2);
    held.answer('eco');
    held.answer('boost');
    assert.equal((await stale).values.mode, 'eco');
    assert.equal((await fresh).values.mode, 'boost');
    assert.equal(views.peek(1, null)?.values.mode, 'boost');
  });
});
