// Group commit for local writes: what arrives during one turn of the event loop is stored in one
// transaction (one fsync), then every writer is answered. Nobody hears "ok" before the COMMIT.
import { StratusError } from '../../protocol/index.js';
import type { Logger } from '../log.js';
import type { EdgeStore, Evicted, NewMessage } from '../store.js';

type Done = (result: string | StratusError) => void;

export class Committer {
  private pending: { message: NewMessage; done: Done }[] = [];
  private scheduled = false;
  /** Messages stored since start, for status and the bench. */
  stored = 0;

  constructor(
    private readonly store: EdgeStore,
    private readonly log: Logger,
    private readonly onStored: () => void,
  ) {}

  add(message: NewMessage, done: Done): void {
    this.pending.push({ message, done });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** The promise form, for the HTTP intake. */
  store1(message: NewMessage): Promise<string> {
    return new Promise((resolve, reject) => this.add(message, (r) => (r instanceof StratusError ? reject(r) : resolve(r))));
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let results: (string | StratusError)[];
    let evicted: Evicted[] = [];
    try {
      ({ results, evicted } = this.store.append(batch.map((b) => b.message)));
    } catch (error) {
      this.log.error('store_failed', { message: (error as Error).message });
      const failure = new StratusError('unavailable', `the store failed: ${(error as Error).message}`);
      results = batch.map(() => failure);
    }
    logEvictions(this.log, evicted);
    batch.forEach((b, i) => b.done(results[i] as string | StratusError));
    this.stored += results.filter((r) => typeof r === 'string').length;
    this.onStored();
  }
}

export function logEvictions(log: Logger, evicted: readonly Evicted[]): void {
  for (const e of evicted) log.warn('evicted', { id: e.id, priority: e.priority, bytes: e.bytes, reason: e.reason });
}
