// Subscriptions kept for new code that reads them over the local HTTP endpoint: a message is
// delivered once it is in this table (on disk), and leaves it when the reader acknowledges it with
// `after`, as a device does with the server (PROTOCOL §6.2).
import type Database from 'better-sqlite3';
import type { DeliveredMessage } from '../protocol/index.js';

/** Messages held per stream at most; past it delivery waits and the server keeps the rest. */
export const INBOX_LIMIT = 10_000;

export interface InboxMessage {
  seq: number;
  value: string;
  from: string;
  time: number;
}

export class Inbox {
  private readonly sql;

  constructor(db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS inbox (
      scope TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, value TEXT NOT NULL, sender TEXT NOT NULL, time INTEGER NOT NULL,
      PRIMARY KEY (scope, stream, seq))`);
    this.sql = {
      put: db.prepare('INSERT OR IGNORE INTO inbox (scope, stream, seq, value, sender, time) VALUES (?, ?, ?, ?, ?, ?)'),
      count: db.prepare('SELECT count(*) FROM inbox WHERE scope = ? AND stream = ?').pluck(),
      ack: db.prepare('DELETE FROM inbox WHERE scope = ? AND stream = ? AND seq <= ?'),
      read: db.prepare('SELECT seq, value, sender AS "from", time FROM inbox WHERE scope = ? AND stream = ? AND seq > ? ORDER BY seq LIMIT ?'),
    };
  }

  /** False when the stream's inbox is full (the message stays on the server). */
  put(m: DeliveredMessage): boolean {
    if ((this.sql.count.get(m.scope, m.stream) as number) >= INBOX_LIMIT) return false;
    this.sql.put.run(m.scope, m.stream, m.seq, m.value, m.from, m.time);
    return true;
  }

  /** Drops what the reader acknowledged (seq ≤ after), then answers the next page. */
  read(scope: string, stream: string, after: number, limit: number): InboxMessage[] {
    if (after > 0) this.sql.ack.run(scope, stream, after);
    return this.sql.read.all(scope, stream, after, limit) as InboxMessage[];
  }
}
