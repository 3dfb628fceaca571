/**
 * The rule for a subscription's cursor (PROTOCOL §6), the one both stores apply in a sync: a new
 * cursor (none stored) or a reset one starts at `after` when a new subscription gives it (never past
 * the head), else at the replay start; a stored cursor only moves forward, to `after` (never past the
 * head). Pure: the stores read the state and store the result.
 */
export interface CursorState {
  /** The device's stored cursor on the stream; null: none (a new subscription). */
  stored: number | null;
  /** The stream's head: the last seq handed out. */
  head: number;
  /** The seq the device says it has read up to; null: not given. */
  after: number | null;
  reset: boolean;
}

/** `start` gives where a new or reset cursor without `after` begins (replayStart); called only then. */
export function nextCursor(state: CursorState, start: () => number): number {
  const { stored, head, after, reset } = state;
  if (stored === null || reset) return !reset && after !== null ? Math.min(after, head) : start();
  return after === null ? stored : Math.max(stored, Math.min(after, head));
}

/**
 * Where a new or reset cursor begins: the head (no replay), or just before the `limit` newest live
 * messages, given the seq of the `limit`-th newest (null: there are fewer, so all of them: 0).
 */
export function replayStart(head: number, limit: number | null, nthNewestSeq: number | null): number {
  if (!limit) return head;
  return nthNewestSeq === null ? 0 : nthNewestSeq - 1;
}
