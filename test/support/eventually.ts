import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries `check` until it stops throwing, pausing `pauseMs` between tries: a poll, for state that
 * no event announces. Where an event exists, wait on it instead (a live subscriber, the admin event
 * stream of test/support/admin-events.ts, a promise the actor resolves, what a timer does called
 * directly). Left here, each for its reason:
 * - test/edge (through `until` in test/edge/support.ts): the gateway is another process whose
 *   counters, link class and store are read from its status endpoint; nothing pushes them.
 * - test/ops/metrics.test.ts: a device answer is counted when the server's response closes, an
 *   event inside the server process that no client observes.
 * Bounded by attempts, not by a timing goal.
 */
export async function eventually<T>(check: () => Promise<T>, attempts = 100, pauseMs = 20): Promise<T> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await check();
    } catch (error) {
      if (!(error instanceof assert.AssertionError)) throw error;
      last = error;
      await sleep(pauseMs);
    }
  }
  throw last;
}
