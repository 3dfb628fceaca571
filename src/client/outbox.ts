/** A message waiting to be sent; `id` is its idempotency key, so a retry stores nothing twice. */
export interface OutboxEntry {
  id: string;
  scope: string;
  stream: string;
  value: string;
  ttl: number | null;
  /** Higher goes first; equal priorities keep the order of publish(). */
  priority: number;
}

/**
 * What happens when the outbox is full: `reject` makes publish() throw `outbox_full`; `drop-oldest`
 * drops the oldest entry of the lowest priority (not above the new one's) and reports it.
 */
export type OverflowPolicy = 'reject' | 'drop-oldest';

/** A value now, or later: a storage may answer either way (SQLite and memory now, IndexedDB later). */
export type Awaitable<T> = T | Promise<T>;

/**
 * Where the client keeps its outbox and state. A Node client uses SQLite; a browser, memory or its
 * own storage on IndexedDB: the client awaits every call, so methods may return promises.
 */
export interface ClientStorage {
  /** Adds an entry durably; returns the entries dropped to make room (drop-oldest), or null when full. */
  enqueue(entry: OutboxEntry, limit: number, policy: OverflowPolicy): Awaitable<OutboxEntry[] | null>;
  /** Entries in sending order: priority first, then the order they were added. */
  pending(max: number): Awaitable<OutboxEntry[]>;
  remove(ids: readonly string[]): Awaitable<void>;
  size(): Awaitable<number>;
  getState(key: string): Awaitable<string | null>;
  setState(key: string, value: string): Awaitable<void>;
  close(): Awaitable<void>;
}

/** Storage that lives as long as the process: for browsers and tests, not for power loss. */
export class MemoryStorage implements ClientStorage {
  private readonly entries: OutboxEntry[] = [];
  private readonly state = new Map<string, string>();

  enqueue(entry: OutboxEntry, limit: number, policy: OverflowPolicy): OutboxEntry[] | null {
    const dropped: OutboxEntry[] = [];
    if (this.entries.length >= limit) {
      if (policy === 'reject') return null;
      const victim = this.lowest(entry.priority);
      if (victim < 0) return null;
      dropped.push(...this.entries.splice(victim, 1));
    }
    this.entries.push(entry);
    return dropped;
  }

  /** The oldest entry of the lowest priority not above `atMost`, or -1. */
  private lowest(atMost: number): number {
    let found = -1;
    this.entries.forEach((e, i) => {
      if (e.priority <= atMost && (found < 0 || e.priority < (this.entries[found] as OutboxEntry).priority)) found = i;
    });
    return found;
  }

  pending(max: number): OutboxEntry[] {
    return this.entries
      .map((entry, order) => ({ entry, order }))
      .sort((a, b) => b.entry.priority - a.entry.priority || a.order - b.order)
      .slice(0, max)
      .map((x) => x.entry);
  }

  remove(ids: readonly string[]): void {
    const gone = new Set(ids);
    for (let i = this.entries.length - 1; i >= 0; i--) if (gone.has((this.entries[i] as OutboxEntry).id)) this.entries.splice(i, 1);
  }

  size(): number {
    return this.entries.length;
  }

  getState(key: string): string | null {
    return this.state.get(key) ?? null;
  }

  setState(key: string, value: string): void {
    this.state.set(key, value);
  }

  close(): void {}
}
