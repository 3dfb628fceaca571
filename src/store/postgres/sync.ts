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
import type { PostgresCluster, SeqRange } from './cluster.js';
import { query, transaction, type Queryable } from './connection.js';
import { STREAM_IDS, SYNC_FINISH, SYNC_IDS, SYNC_INSERT, SYNC_LOCK, SYNC_STATE } from './sync-sql.js';

const STREAM_CACHE_MAX = 100_000;
const streamKey = (r: StreamRef): string => `${r.appId}\u0000${r.scope}\u0000${r.owner}\u0000${r.stream}`;
const idKey = (streamId: number, writer: string, clientId: string): string => `${streamId}\u0000${writer}\u0000${clientId}`;
const byNumber = (a: number, b: number): number => a - b;

interface StateRow {
  head: number;
  cursor: number | null;
  nth: number | null;
}

/**
 * The messaging round trip (PROTOCOL §6) on PostgreSQL, safe with several Stratus nodes on one
 * database. One READ COMMITTED transaction per sync, a handful of named prepared statements whatever
 * the batch size:
 * 1. the publish streams' rows are locked (`FOR UPDATE`, in id order: no deadlock between nodes).
 *    Every insert into a stream happens under its lock, so seqs are handed out one transaction
 *    at a time, become visible in seq order, and leave no gap;
 * 2. then the idempotency keys are looked up: a message stored by another node that held the lock
 *    before us is committed, and this new statement sees it (the retry gets the first seq);
 * 3. the new messages are inserted and the heads moved, in one statement;
 * 4. the cursors' state is read, the new cursors computed as the SQLite store does, and the cursors
 *    stored and the pages read, in one statement.
 */
export class PostgresSync {
  /** Stream rows are never deleted (a seq is never reused), so an id, once committed, holds for good. */
  private readonly streamIds = new Map<string, number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly cluster: PostgresCluster,
  ) {}

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
    const ids = await this.idsOf([...input.publish, ...input.subscribe]);
    const publishIds = ids.slice(0, input.publish.length);
    const subscribeIds = ids.slice(input.publish.length);
    // A poll without publishes writes only in its last statement (the cursors): atomic on its own,
    // and each statement sees the latest commits either way (READ COMMITTED), so no BEGIN/COMMIT.
    const explicit = input.publish.length > 0;
    return transaction(
      this.pool,
      async (db) => ({
        published: input.publish.length > 0 ? await this.publish(db, input.publish, publishIds) : [],
        subscriptions: input.subscribe.length > 0 ? await this.subscribe(db, input, subscribeIds) : [],
      }),
      explicit,
    );
  }

  private async publish(db: Queryable, messages: readonly NewMessage[], ids: number[]): Promise<PublishOutcome[]> {
    const locked = await db.query<{ id: number; head: number }>({
      name: 'stratus.sync.lock',
      text: SYNC_LOCK,
      values: [[...new Set(ids)].sort(byNumber)],
    });
    const heads = new Map(locked.rows.map((r) => [r.id, r.head]));
    const known = new Map<string, number>();
    const keyed = messages.flatMap((m, i) => (m.clientId === null ? [] : [{ m, id: ids[i] as number, clientId: m.clientId }]));
    if (keyed.length > 0) {
      const found = await db.query<{ stream_id: number; writer: string; client_id: string; seq: number }>({
        name: 'stratus.sync.known',
        text: `SELECT m.stream_id, m.writer, m.client_id, m.seq FROM messages m
               JOIN unnest($1::bigint[], $2::text[], $3::text[]) AS k(stream_id, writer, client_id)
                 ON m.stream_id = k.stream_id AND m.writer = k.writer AND m.client_id = k.client_id`,
        values: [keyed.map((k) => k.id), keyed.map((k) => k.m.writer), keyed.map((k) => k.clientId)],
      });
      for (const r of found.rows) known.set(idKey(r.stream_id, r.writer, r.client_id), r.seq);
    }
    const rows: unknown[][] = [[], [], [], [], [], [], []];
    const outcomes = messages.map((m, i): PublishOutcome => {
      const streamId = ids[i] as number;
      const key = m.clientId === null ? null : idKey(streamId, m.writer, m.clientId);
      const first = key === null ? undefined : known.get(key);
      if (first !== undefined) return { seq: first, duplicate: true };
      const seq = (heads.get(streamId) ?? 0) + 1;
      heads.set(streamId, seq);
      if (key !== null) known.set(key, seq);
      [streamId, seq, m.writer, m.clientId, m.value, m.time, m.expiresAt].forEach((v, c) => rows[c]?.push(v));
      return { seq, duplicate: false };
    });
    if ((rows[0]?.length ?? 0) > 0) {
      const moved = [...heads.keys()].sort(byNumber);
      await db.query({ name: 'stratus.sync.insert', text: SYNC_INSERT, values: [...rows, moved, moved.map((id) => heads.get(id))] });
      const ranges = locked.rows
        .filter((r) => (heads.get(r.id) as number) > r.head)
        .map((r): SeqRange => [r.id, r.head + 1, heads.get(r.id) as number]);
      await this.cluster.notifyMessages(db, ranges);
    }
    return outcomes;
  }

  private async subscribe(db: Queryable, input: StoreSyncInput, ids: number[]): Promise<SubscriptionOutcome[]> {
    const subs = input.subscribe;
    const state = await db.query<StateRow>({
      name: 'stratus.sync.state',
      text: SYNC_STATE,
      values: [ids, subs.map((s) => s.limit ?? 0), subs.map((s) => s.reset), input.deviceId, input.now],
    });
    // Same rules as the SQLite store (writes.ts cursorOf), one subscription after the other.
    const current = new Map<number, number>();
    const changed = new Map<number, { cursor: number; reset: boolean }>();
    const cursors = subs.map((s: SubscriptionRequest, i) => {
      const streamId = ids[i] as number;
      const row = state.rows[i] as StateRow;
      const stored = current.get(streamId) ?? row.cursor;
      let cursor: number;
      if (stored === null || s.reset) {
        const start = !s.limit ? row.head : row.nth === null ? 0 : row.nth - 1;
        cursor = !s.reset && s.after !== null ? Math.min(s.after, row.head) : start;
      } else {
        cursor = s.after === null ? stored : Math.max(stored, Math.min(s.after, row.head));
      }
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
    for (const { ord, ...m } of pages.rows) outcomes[ord - 1]?.messages.push(m);
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
