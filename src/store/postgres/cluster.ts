import pg from 'pg';
import type { CacheChange, ClusterListener, NewMessage, NodeBeat, NodeRecord } from '../types.js';

/** [stream id, first seq, last seq] of messages one transaction committed (sent by `stratus_publish`). */
type SeqRange = [number, number, number];

interface Notice {
  node: string;
  ranges?: SeqRange[];
  cache?: CacheChange;
}

const FETCH_RANGES = `
  SELECT s.app_id, s.scope, s.owner, s.name AS stream, m.seq, m.writer, m.client_id, m.value, m.time, m.expires_at
  FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS r(stream_id, first, last)
  JOIN messages m ON m.stream_id = r.stream_id AND m.seq BETWEEN r.first AND r.last
  JOIN streams s ON s.id = m.stream_id
  ORDER BY m.stream_id, m.seq`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Several Stratus nodes on one database (docs/scaling.md). A sync that stores messages sends a
 * NOTIFY with their seq ranges in its own transaction (`stratus_publish`), so the other nodes hear of them exactly when
 * they are committed, in commit order; each node LISTENs on one dedicated connection, reads the
 * messages and hands them to its live subscribers. Cache changes travel the same way. A dropped
 * listening connection is reopened with backoff; the listener is then told to resync.
 */
export class PostgresCluster {
  constructor(
    private readonly pool: pg.Pool,
    private readonly config: pg.ClientConfig,
    /** One channel per schema: stream ids are only unique inside one. `stratus_publish` notifies on it too. */
    readonly channel: string,
    readonly nodeId: string,
  ) {}

  async announce(change: CacheChange): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, JSON.stringify({ node: this.nodeId, cache: change } satisfies Notice)]);
  }

  /** Also forgets nodes not heard of for a day (every restart is a new node). */
  async heartbeat(beat: NodeBeat): Promise<void> {
    await this.pool.query(
      `WITH gone AS (DELETE FROM nodes WHERE last_heard < $4 - 86400)
       INSERT INTO nodes (id, address, started_at, last_heard) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET address = excluded.address, last_heard = excluded.last_heard`,
      [this.nodeId, beat.address, beat.startedAt, beat.now],
    );
  }

  async listNodes(): Promise<NodeRecord[]> {
    const { rows } = await this.pool.query<{ id: string; address: string; started_at: number; last_heard: number }>(
      'SELECT id, address, started_at, last_heard FROM nodes ORDER BY started_at, id',
    );
    return rows.map((r) => ({ id: r.id, address: r.address, startedAt: r.started_at, lastHeard: r.last_heard }));
  }

  async watch(listener: ClusterListener): Promise<() => Promise<void>> {
    let stopped = false;
    let client: pg.Client | null = null;
    // Notices are handled one after the other, so live subscribers get each stream in seq order.
    let chain = Promise.resolve();
    const handle = async (payload: string | undefined): Promise<void> => {
      const notice = JSON.parse(payload ?? '{}') as Notice;
      if (notice.node === this.nodeId) return;
      if (notice.cache) listener.cacheChanged(notice.cache);
      if (notice.ranges && notice.ranges.length > 0) {
        const columns = [0, 1, 2].map((c) => (notice.ranges as SeqRange[]).map((r) => r[c]));
        const { rows } = await this.pool.query<Row>({ name: 'stratus.cluster.fetch', text: FETCH_RANGES, values: columns });
        listener.messages(rows.map(toMessage));
      }
    };
    const connect = async (): Promise<void> => {
      for (let attempt = 0; !stopped; attempt++) {
        const next = new pg.Client(this.config);
        next.on('notification', (n) => {
          chain = chain.then(() => handle(n.payload)).catch(() => listener.resynced());
        });
        next.on('error', () => undefined); // 'end' follows and reconnects
        try {
          await next.connect();
          await next.query(`LISTEN "${this.channel}"`);
        } catch {
          await next.end().catch(() => undefined);
          await sleep(Math.min(5000, 100 * 2 ** attempt));
          continue;
        }
        client = next;
        next.once('end', () => {
          client = null;
          if (!stopped) void connect().then(() => listener.resynced());
        });
        return;
      }
    };
    await connect();
    return async () => {
      stopped = true;
      await client?.end().catch(() => undefined);
      await chain;
    };
  }
}

interface Row {
  app_id: number;
  scope: string;
  owner: string;
  stream: string;
  seq: number;
  writer: string;
  client_id: string | null;
  value: string;
  time: number;
  expires_at: number;
}

function toMessage(r: Row): NewMessage & { seq: number } {
  return {
    appId: r.app_id,
    scope: r.scope,
    owner: r.owner,
    stream: r.stream,
    seq: r.seq,
    writer: r.writer,
    clientId: r.client_id,
    value: r.value,
    time: r.time,
    expiresAt: r.expires_at,
  };
}
