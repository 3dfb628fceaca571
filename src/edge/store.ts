// The gateway's durable queue: one SQLite file (WAL, synchronous=FULL), bounded in bytes overall and
// per priority, with TTL and an eviction order. A local write is acknowledged only after its COMMIT.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StratusError } from '../protocol/index.js';
import type { Eviction } from './config.js';
import { FileTable } from './file-table.js';

export interface NewMessage {
  scope: string;
  stream: string;
  value: string;
  priority: number;
  ttl: number | null;
}

export interface StoredMessage extends NewMessage {
  seq: number;
  id: string;
  bytes: number;
  createdMs: number;
  expiresMs: number | null;
}

export interface Evicted {
  id: string;
  priority: number;
  bytes: number;
  reason: 'store.maxBytes' | 'store.priorityMaxBytes' | 'ttl';
}

export interface StoreLimits {
  maxBytes: number;
  priorityMaxBytes: Record<string, number>;
  eviction: Eviction;
}

export interface PriorityFigures {
  count: number;
  bytes: number;
  oldestMs: number | null;
}

/** What a stored message counts against the bounds: its value, names and id, and a row's overhead. */
export function accountedBytes(m: Pick<NewMessage, 'scope' | 'stream' | 'value'>): number {
  return Buffer.byteLength(m.value) + m.scope.length + m.stream.length + 96;
}

export class EdgeStore {
  readonly db: Database.Database;
  readonly files: FileTable;
  private readonly sql;
  private readonly bytesByPriority = new Map<number, number>();
  private total = 0;
  /** Rows being sent right now: never evicted under the uplink's feet. */
  readonly inFlight = new Set<number>();
  private counter: number;

  constructor(
    path: string,
    public limits: StoreLimits,
    private readonly device: string,
    private readonly nowMs: () => number = Date.now,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    // auto_vacuum must be chosen before the first table: freed pages go back to the file system.
    this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_size_limit = 8388608');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        scope TEXT NOT NULL,
        stream TEXT NOT NULL,
        value TEXT NOT NULL,
        priority INTEGER NOT NULL,
        ttl INTEGER,
        bytes INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        expires_ms INTEGER
      );
      CREATE INDEX IF NOT EXISTS messages_order ON messages (priority, seq);
      CREATE INDEX IF NOT EXISTS messages_expiry ON messages (expires_ms) WHERE expires_ms IS NOT NULL;
      CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS evictions (priority INTEGER NOT NULL, reason TEXT NOT NULL, count INTEGER NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (priority, reason));
    `);
    this.files = new FileTable(this.db);
    const cols = 'seq, id, scope, stream, value, priority, ttl, bytes, created_ms AS createdMs, expires_ms AS expiresMs';
    this.sql = {
      insert: this.db.prepare('INSERT INTO messages (id, scope, stream, value, priority, ttl, bytes, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      byPriority: this.db.prepare(`SELECT ${cols} FROM messages WHERE priority = ? ORDER BY seq LIMIT ?`),
      victimsLowest: this.db.prepare('SELECT seq, id, priority, bytes FROM messages WHERE priority <= ? ORDER BY priority, seq LIMIT 64'),
      victimsOldest: this.db.prepare('SELECT seq, id, priority, bytes FROM messages ORDER BY seq LIMIT 64'),
      victimsOf: this.db.prepare('SELECT seq, id, priority, bytes FROM messages WHERE priority = ? ORDER BY seq LIMIT 64'),
      remove: this.db.prepare('DELETE FROM messages WHERE seq = ? RETURNING priority, bytes'),
      expired: this.db.prepare('SELECT seq, id, priority, bytes FROM messages WHERE expires_ms IS NOT NULL AND expires_ms <= ? LIMIT 1000'),
      totals: this.db.prepare('SELECT priority, sum(bytes) AS bytes FROM messages GROUP BY priority'),
      figures: this.db.prepare('SELECT priority, count(*) AS count, sum(bytes) AS bytes, min(created_ms) AS oldestMs FROM messages GROUP BY priority'),
      evictions: this.db.prepare('SELECT priority, reason, count, bytes FROM evictions ORDER BY priority, reason'),
      countEviction: this.db.prepare(
        'INSERT INTO evictions (priority, reason, count, bytes) VALUES (?, ?, 1, ?) ON CONFLICT (priority, reason) DO UPDATE SET count = count + 1, bytes = evictions.bytes + excluded.bytes',
      ),
      getState: this.db.prepare('SELECT value FROM state WHERE key = ?').pluck(),
      setState: this.db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
    for (const row of this.sql.totals.all() as { priority: number; bytes: number }[]) {
      this.bytesByPriority.set(row.priority, row.bytes);
      this.total += row.bytes;
    }
    // Ids unique across restarts: a boot counter kept in the store, then a counter in memory.
    const boot = Number(this.getState('boot') ?? 0) + 1;
    this.setState('boot', String(boot));
    this.counter = 0;
    this.bootTag = `${this.device}.${boot.toString(36)}`;
  }

  private readonly bootTag: string;

  get totalBytes(): number {
    return this.total;
  }

  priorityBytes(priority: number): number {
    return this.bytesByPriority.get(priority) ?? 0;
  }

  newId(): string {
    return `${this.bootTag}.${(this.counter++).toString(36)}`.slice(-128);
  }

  /**
   * Stores the messages in one transaction (one fsync), making room as the eviction order says.
   * Each result is the stored message's id or the error that refused it; evicted rows are returned.
   */
  append(items: readonly NewMessage[]): { results: (string | StratusError)[]; evicted: Evicted[] } {
    const now = this.nowMs();
    const evicted: Evicted[] = [];
    const results = this.db.transaction(() =>
      items.map((m): string | StratusError => {
        const bytes = accountedBytes(m);
        const room = this.makeRoom(m.priority, bytes, evicted);
        if (room) return room;
        const id = this.newId();
        this.sql.insert.run(id, m.scope, m.stream, m.value, m.priority, m.ttl, bytes, now, m.ttl === null ? null : now + m.ttl * 1000);
        this.account(m.priority, bytes);
        return id;
      }),
    )();
    return { results, evicted };
  }

  private account(priority: number, bytes: number): void {
    this.bytesByPriority.set(priority, this.priorityBytes(priority) + bytes);
    this.total += bytes;
  }

  private makeRoom(priority: number, bytes: number, evicted: Evicted[]): StratusError | null {
    const cap = this.limits.priorityMaxBytes[String(priority)];
    if (bytes > this.limits.maxBytes || (cap !== undefined && bytes > cap)) return new StratusError('too_large', `a message of ${bytes} bytes is larger than the store's bound`);
    if (cap !== undefined) {
      while (this.priorityBytes(priority) + bytes > cap) {
        if (this.limits.eviction === 'reject' || !this.evictOne(this.sql.victimsOf, [priority], 'store.priorityMaxBytes', evicted)) {
          return new StratusError('quota_exceeded', `priority ${priority} holds its ${cap} bytes (store.priorityMaxBytes); nothing was stored`);
        }
      }
    }
    while (this.total + bytes > this.limits.maxBytes) {
      const done =
        this.limits.eviction === 'lowest-oldest'
          ? this.evictOne(this.sql.victimsLowest, [priority], 'store.maxBytes', evicted)
          : this.limits.eviction === 'oldest'
            ? this.evictOne(this.sql.victimsOldest, [], 'store.maxBytes', evicted)
            : false;
      if (!done) return new StratusError('quota_exceeded', `the store holds its ${this.limits.maxBytes} bytes (store.maxBytes, eviction ${this.limits.eviction}); nothing was stored`);
    }
    return null;
  }

  private evictOne(query: Database.Statement, args: unknown[], reason: Evicted['reason'], evicted: Evicted[]): boolean {
    const victim = (query.all(...args) as { seq: number; id: string; priority: number; bytes: number }[]).find((v) => !this.inFlight.has(v.seq));
    if (!victim) return false;
    this.removeRow(victim.seq);
    this.sql.countEviction.run(victim.priority, reason, victim.bytes);
    evicted.push({ id: victim.id, priority: victim.priority, bytes: victim.bytes, reason });
    return true;
  }

  private removeRow(seq: number): void {
    const row = this.sql.remove.get(seq) as { priority: number; bytes: number } | undefined;
    if (row) this.account(row.priority, -row.bytes);
  }

  /** Up to `maxItems` messages of one priority in arrival order, skipping expired ones. */
  oldestOf(priority: number, maxItems: number): StoredMessage[] {
    const now = this.nowMs();
    return (this.sql.byPriority.all(priority, maxItems) as StoredMessage[]).filter((m) => m.expiresMs === null || m.expiresMs > now);
  }

  /** Space is reclaimed once the server has a message: its row goes, in one transaction per batch. */
  remove(seqs: readonly number[]): void {
    this.db.transaction(() => {
      for (const seq of seqs) this.removeRow(seq);
    })();
  }

  /** Drops expired messages; returns them (they count as evicted for `ttl`). */
  expire(): Evicted[] {
    const gone: Evicted[] = [];
    this.db.transaction(() => {
      for (const row of this.sql.expired.all(this.nowMs()) as { seq: number; id: string; priority: number; bytes: number }[]) {
        this.removeRow(row.seq);
        this.sql.countEviction.run(row.priority, 'ttl', row.bytes);
        gone.push({ id: row.id, priority: row.priority, bytes: row.bytes, reason: 'ttl' });
      }
    })();
    return gone;
  }

  /** Gives freed pages back to the file system when more than `slackBytes` lie free. */
  reclaim(slackBytes = 4 * 1024 * 1024): void {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    if (free * pageSize > slackBytes) {
      this.db.pragma('incremental_vacuum');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
  }

  figures(): Map<number, PriorityFigures> {
    const out = new Map<number, PriorityFigures>();
    for (const row of this.sql.figures.all() as ({ priority: number } & PriorityFigures)[]) out.set(row.priority, { count: row.count, bytes: row.bytes, oldestMs: row.oldestMs });
    return out;
  }

  evictionCounts(): { priority: number; reason: string; count: number; bytes: number }[] {
    return this.sql.evictions.all() as { priority: number; reason: string; count: number; bytes: number }[];
  }

  getState(key: string): string | null {
    return (this.sql.getState.get(key) as string | undefined) ?? null;
  }

  setState(key: string, value: string): void {
    this.sql.setState.run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
