import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ClientError } from './errors.js';
import type { ClientStorage, OutboxEntry, OverflowPolicy } from './outbox.js';

/**
 * The file's schema, in `PRAGMA user_version`: migration i takes version i to i + 1. Version 0 is a
 * new file, or one from before versions were kept, whose tables are those of version 1 already.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     scope TEXT NOT NULL,
     stream TEXT NOT NULL,
     value TEXT NOT NULL,
     ttl INTEGER,
     priority INTEGER NOT NULL
   );
   CREATE INDEX IF NOT EXISTS outbox_order ON outbox (priority DESC, seq);
   CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The Node client's outbox and state in one SQLite file (WAL, synchronous=FULL): an entry is on
 * disk before publish() returns, so `kill -9` or a power cut loses nothing that was accepted.
 */
export class SqliteStorage implements ClientStorage {
  private readonly db: Database.Database;
  private readonly sql;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.migrate(path);
    this.sql = {
      insert: this.db.prepare('INSERT INTO outbox (id, scope, stream, value, ttl, priority) VALUES (@id, @scope, @stream, @value, @ttl, @priority)'),
      count: this.db.prepare('SELECT count(*) AS n FROM outbox').pluck(),
      lowest: this.db.prepare('SELECT * FROM outbox WHERE priority <= ? ORDER BY priority, seq LIMIT 1'),
      pending: this.db.prepare('SELECT id, scope, stream, value, ttl, priority FROM outbox ORDER BY priority DESC, seq LIMIT ?'),
      remove: this.db.prepare('DELETE FROM outbox WHERE id = ?'),
      getState: this.db.prepare('SELECT value FROM state WHERE key = ?').pluck(),
      setState: this.db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  /** Brings the file to SCHEMA_VERSION in one transaction; refuses a file from a newer SDK, untouched. */
  private migrate(path: string): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      this.db.close();
      throw new ClientError('storage_version', `${path} has outbox schema version ${version}, newer than this SDK's ${SCHEMA_VERSION}: upgrade the SDK, or give another dataDir`);
    }
    this.db.transaction(() => {
      for (const step of MIGRATIONS.slice(version)) this.db.exec(step);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  }

  enqueue(entry: OutboxEntry, limit: number, policy: OverflowPolicy): OutboxEntry[] | null {
    return this.db.transaction((): OutboxEntry[] | null => {
      const dropped: OutboxEntry[] = [];
      if ((this.sql.count.get() as number) >= limit) {
        const victim = policy === 'drop-oldest' ? (this.sql.lowest.get(entry.priority) as (OutboxEntry & { seq: number }) | undefined) : undefined;
        if (!victim) return null;
        this.sql.remove.run(victim.id);
        const { seq: _seq, ...rest } = victim;
        dropped.push(rest);
      }
      this.sql.insert.run(entry);
      return dropped;
    })();
  }

  pending(max: number): OutboxEntry[] {
    return this.sql.pending.all(max) as OutboxEntry[];
  }

  remove(ids: readonly string[]): void {
    this.db.transaction(() => {
      for (const id of ids) this.sql.remove.run(id);
    })();
  }

  size(): number {
    return this.sql.count.get() as number;
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
