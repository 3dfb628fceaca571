import type { Database, Statement } from 'better-sqlite3';
import type { StreamRef } from '../types.js';
import { streamKey } from '../stream-key.js';

interface Head {
  id: number;
  head: number;
}

/**
 * The writer's view of every stream's id and head, so a publish costs one lookup and one insert.
 * Only the writer thread changes streams, so the cache is exact. Heads are written once per
 * transaction (before COMMIT); a failed job puts back what it changed, a failed commit forgets all.
 */
export class StreamHeads {
  private readonly cache = new Map<string, Head>();
  private readonly dirty = new Set<Head>();
  private readonly jobBefore = new Map<Head, number>();
  private readonly jobCreated: string[] = [];
  private readonly find: Statement<[number, string, string, string], Head>;
  private readonly create: Statement<[number, string, string, string, number], Head>;
  private readonly save: Statement<[number, number]>;

  constructor(db: Database) {
    this.find = db.prepare('SELECT id, head FROM streams WHERE app_id = ? AND scope = ? AND owner = ? AND name = ?');
    // a stream swept earlier and created again goes on from the app's highest swept seq
    this.create = db.prepare(
      'INSERT INTO streams (app_id, scope, owner, name, head) VALUES (?, ?, ?, ?, (SELECT stream_seq_floor FROM apps WHERE id = ?)) RETURNING id, head',
    );
    this.save = db.prepare('UPDATE streams SET head = ? WHERE id = ?');
  }

  /** The stream's id and head; created when `create`, else null when it does not exist. */
  get(ref: StreamRef, create: boolean): Head | null {
    const key = streamKey(ref);
    let entry = this.cache.get(key);
    if (entry) return entry;
    entry = this.find.get(ref.appId, ref.scope, ref.owner, ref.stream);
    if (!entry) {
      if (!create) return null;
      entry = this.create.get(ref.appId, ref.scope, ref.owner, ref.stream, ref.appId) as Head;
      this.jobCreated.push(key);
    }
    this.cache.set(key, entry);
    return entry;
  }

  /** The cached head of a stream, which may be ahead of its row until the transaction commits. */
  cachedHead(ref: StreamRef): number | null {
    return this.cache.get(streamKey(ref))?.head ?? null;
  }

  /** The stream's row is gone (swept). */
  forget(ref: StreamRef): void {
    this.cache.delete(streamKey(ref));
  }

  /** The next seq of a stream, written with the transaction. */
  next(entry: Head): number {
    if (!this.jobBefore.has(entry)) this.jobBefore.set(entry, entry.head);
    entry.head += 1;
    this.dirty.add(entry);
    return entry.head;
  }

  /** Takes back the seq `next` just gave: its message was not stored. */
  giveBack(entry: Head): void {
    entry.head -= 1;
  }

  beginJob(): void {
    this.jobBefore.clear();
    this.jobCreated.length = 0;
  }

  /** The job's savepoint was rolled back: its streams and heads never happened. */
  rollbackJob(): void {
    for (const [entry, head] of this.jobBefore) entry.head = head;
    for (const key of this.jobCreated) this.cache.delete(key);
    this.beginJob();
  }

  /** Inside the transaction, just before COMMIT. */
  flush(): void {
    for (const entry of this.dirty) this.save.run(entry.head, entry.id);
    this.dirty.clear();
  }

  /** The transaction was rolled back as a whole. */
  forgetAll(): void {
    this.cache.clear();
    this.dirty.clear();
    this.beginJob();
  }
}
