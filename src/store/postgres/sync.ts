import type pg from 'pg';
import type {
  NewMessage,
  PublishOutcome,
  StoreSyncInput,
  StoreSyncResult,
  StoredMessage,
  StreamRef,
  SubscriptionOutcome,
  SubscriptionRequest,
} from '../types.js';
import { nextCursor, replayStart } from '../cursor-rule.js';
import { streamKey } from '../stream-key.js';
import type { PostgresCluster } from './cluster.js';
import { query, transaction, type Queryable } from './connection.js';
import { PublishBatcher } from './publish-batcher.js';
import { STREAM_IDS, SYNC_FINISH, SYNC_IDS, SYNC_PUBLISH, SYNC_STATE } from './sync-sql.js';

const STREAM_CACHE_MAX = 100_000;
/**
 * Publishes notify the other nodes heard from this recently (heartbeats come every 5 s). Generous,
 * for clocks that differ between machines: a node silent this long has no live connections left.
 */
const OTHER_NODES_HEARD_WITHIN_SECONDS = 60;
/** Publish calls running at once; more publishes wait and go together in the next (PublishBatcher). */
const PUBLISH_CALLS_IN_FLIGHT = 2;
/** A sync that found a stream swept under it runs again with fresh ids, at most this often. */
const SYNC_ATTEMPTS = 3;

/** A cached stream id whose row the stream sweep deleted: the sync runs again, with the stream created anew. */
class StreamSwept extends Error {}

/** stratus_publish (schema.ts) raises this when a stream's row is gone. */
const isSweptStreamError = (error: unknown): boolean =>
  (error as { code?: unknown })?.code === 'P0001' && /^stream \d+ does not exist$/.test(String((error as Error).message));
const byNumber = (a: number, b: number): number => a - b;

interface StateRow {
  head: number;
  cursor: number | null;
  nth: number | null;
}

/**
 * The messaging round trip (PROTOCOL §6) on PostgreSQL, safe with several Stratus nodes on one
 * database, in READ COMMITTED and named prepared statements whatever the batch size:
 * 1. publishing is one call of `stratus_publish` (schema.ts), which runs in the database: it locks
 *    the streams' rows (`FOR UPDATE`, in id order: no deadlock between nodes), so seqs are handed
 *    out one transaction at a time, become visible in seq order and leave no gap; looks up each
 *    idempotency key after the lock (a duplicate another node committed first is seen); inserts,
 *    moves the heads and notifies the other nodes. No round trip happens while a lock is held, and
 *    publish-only syncs that wait on this node share a call (PublishBatcher: group commit);
 * 2. the cursors' state is read, the new cursors computed as the SQLite store does, and the cursors
 *    stored and the pages read, in one statement.
 */
export class PostgresSync {
  /**
   * Stream ids by name. The stream sweep may delete a row behind this cache: every statement that
   * uses an id notices (a missing row), and the sync runs again with the stream's id looked up anew.
   */
  private readonly streamIds = new Map<string, number>();

  private readonly publishes: PublishBatcher;

  constructor(
    private readonly pool: pg.Pool,
    private readonly cluster: PostgresCluster,
  ) {
    this.publishes = new PublishBatcher(
      (messages, ids, now) => transaction(pool, (db) => this.publish(db, messages, ids, now), false),
      PUBLISH_CALLS_IN_FLIGHT,
    );
  }

  /** The ids of the streams, created when missing. Outside the sync's transaction, so created once for all. */
  private async idsOf(refs: readonly StreamRef[]): Promise<number[]> {
    const missing = new Map<string, StreamRef>();
    for (const r of refs) if (!this.streamIds.has(streamKey(r))) missing.set(streamKey(r), r);
    if (missing.size > 0) {
      // byte order, so that two nodes creating the same streams wait on each other in one order
      const wanted = [...missing.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r);
      const values = [wanted.map((r) => r.appId), wanted.map((r) => r.scope), wanted.map((r) => r.owner), wanted.map((r) => r.stream)];
      let { rows } = await query<StreamRow>(this.pool, { name: 'stratus.streams.ensure', text: STREAM_IDS, values });
      // A stream another node created while we waited on it is not in that statement's snapshot.
      if (rows.length < wanted.length) ({ rows } = await query<StreamRow>(this.pool, { name: 'stratus.streams.ids', text: SYNC_IDS, values }));
      if (this.streamIds.size + rows.length > STREAM_CACHE_MAX) this.streamIds.clear();
      for (const r of rows) this.streamIds.set(streamKey({ appId: r.app_id, scope: r.scope, owner: r.owner, stream: r.name }), r.id);
    }
    return refs.map((r) => {
      const id = this.streamIds.get(streamKey(r));
      if (id === undefined) throw new Error(`stream ${streamKey(r).replaceAll('\u0000', '/')} was not created`);
      return id;
    });
  }

  async sync(input: StoreSyncInput): Promise<StoreSyncResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.syncOnce(input);
      } catch (error) {
        if (!(error instanceof StreamSwept || isSweptStreamError(error)) || attempt === SYNC_ATTEMPTS) throw error;
        for (const r of [...input.publish, ...input.subscribe]) this.streamIds.delete(streamKey(r));
      }
    }
  }

  private async syncOnce(input: StoreSyncInput): Promise<StoreSyncResult> {
    const ids = await this.idsOf([...input.publish, ...input.subscribe]);
    const publishIds = ids.slice(0, input.publish.length);
    const subscribeIds = ids.slice(input.publish.length);
    // Publishing alone is one statement (in a batch with the publishes waiting beside it), and so is
    // a poll without publishes (its only write is its last statement): atomic on their own, without
    // BEGIN/COMMIT. Together they share a transaction.
    if (input.subscribe.length === 0) {
      return { published: input.publish.length > 0 ? await this.publishes.publish(input.publish, publishIds, input.now) : [], subscriptions: [] };
    }
    const explicit = input.publish.length > 0;
    return transaction(
      this.pool,
      async (db) => ({
        published: input.publish.length > 0 ? await this.publish(db, input.publish, publishIds, input.now) : [],
        subscriptions: input.subscribe.length > 0 ? await this.subscribe(db, input, subscribeIds) : [],
      }),
      explicit,
    );
  }

  /** One call of `stratus_publish` (schema.ts): locks, idempotency, seqs, heads and the notice. */
  private async publish(db: Queryable, messages: readonly NewMessage[], ids: number[], now: number): Promise<PublishOutcome[]> {
    const { rows } = await db.query<{ ord: number } & PublishOutcome>({
      name: 'stratus.sync.publish',
      text: SYNC_PUBLISH,
      values: [
        ids,
        messages.map((m) => m.writer),
        messages.map((m) => m.clientId),
        messages.map((m) => m.value),
        messages.map((m) => m.time),
        messages.map((m) => m.expiresAt),
        this.cluster.channel,
        this.cluster.nodeId,
        now - OTHER_NODES_HEARD_WITHIN_SECONDS,
      ],
    });
    return rows.map(({ seq, duplicate }) => ({ seq, duplicate }));
  }

  private async subscribe(db: Queryable, input: StoreSyncInput, ids: number[]): Promise<SubscriptionOutcome[]> {
    const subs = input.subscribe;
    const state = await db.query<StateRow>({
      name: 'stratus.sync.state',
      text: SYNC_STATE,
      values: [ids, subs.map((s) => s.limit ?? 0), subs.map((s) => s.reset), input.deviceId, input.now],
    });
    if (state.rows.length < subs.length) throw new StreamSwept();
    // One subscription after the other (a stream twice in one sync sees the cursor the first left).
    const current = new Map<number, number>();
    const changed = new Map<number, { cursor: number; reset: boolean }>();
    const cursors = subs.map((s: SubscriptionRequest, i) => {
      const streamId = ids[i] as number;
      const row = state.rows[i] as StateRow;
      const stored = current.get(streamId) ?? row.cursor;
      const cursor = nextCursor({ stored, head: row.head, after: s.after, reset: s.reset }, () => replayStart(row.head, s.limit, row.nth));
      if (stored !== cursor) changed.set(streamId, { cursor, reset: s.reset || (changed.get(streamId)?.reset ?? false) });
      current.set(streamId, cursor);
      return cursor;
    });
    const moved = [...changed.keys()].filter((id) => !changed.get(id)?.reset).sort(byNumber);
    const reset = [...changed.keys()].filter((id) => changed.get(id)?.reset).sort(byNumber);
    const pages = await db.query<StoredMessage & { ord: number }>({
      name: 'stratus.sync.finish',
      text: SYNC_FINISH,
      values: [
        input.deviceId,
        input.now,
        moved,
        moved.map((id) => changed.get(id)?.cursor),
        reset,
        reset.map((id) => changed.get(id)?.cursor),
        ids,
        cursors,
        subs.map((s) => s.pageSize),
      ],
    });
    const outcomes = subs.map((_, i): SubscriptionOutcome => ({ cursor: cursors[i] as number, head: (state.rows[i] as StateRow).head, messages: [] }));
    for (const { ord, ...m } of pages.rows) {
      if (m.seq === null) throw new StreamSwept(); // SYNC_FINISH: swept since the state was read
      outcomes[ord - 1]?.messages.push(m);
    }
    // messages committed since the state was read may be on the page: the head covers them
    for (const o of outcomes) o.head = Math.max(o.head, o.messages.at(-1)?.seq ?? 0);
    return outcomes;
  }
}

interface StreamRow {
  id: number;
  app_id: number;
  scope: string;
  owner: string;
  name: string;
}
