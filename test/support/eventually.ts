import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Retries `check` until it stops throwing, for effects the server applies after it answered
 * (presence events). Bounded by attempts, not by a timing goal.
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
