import { PRIVATE_SCOPE, StratusError, type PublishItem, type SyncResponse } from '../protocol/index.js';
import { ClientError } from './errors.js';
import { checkNames } from './names.js';
import type { PublishOptions } from './options.js';
import type { ClientStorage, OutboxEntry, OverflowPolicy } from './outbox.js';
import { randomToken } from './random.js';

/** Outbox messages a sync carries at most (the server takes 1000). */
export const BATCH = 500;

export interface OutboxSenderOptions {
  storage: ClientStorage;
  device: string;
  limit: number;
  overflow: OverflowPolicy;
  canSend: ((entry: OutboxEntry) => boolean) | undefined;
  /** Each returns false when nobody listened; the sender then reports the loss itself. */
  dropped: (entries: OutboxEntry[]) => boolean;
  rejected: (entry: OutboxEntry, error: StratusError) => boolean;
  report: (error: Error) => void;
}

/** The value as sent: strings as they are, numbers and booleans as text, anything else as JSON. */
function toValue(data: unknown): string {
  if (typeof data === 'string') return data;
  if (typeof data === 'number' || typeof data === 'boolean') return String(data);
  return JSON.stringify(data);
}

/** What goes into the durable outbox, what leaves it in which order, and what the server's answer takes out. */
export class OutboxSender {
  /** The last count an asynchronous storage answered (a synchronous one is asked each time). */
  private known = 0;

  constructor(private readonly options: OutboxSenderOptions) {}

  get size(): number {
    const size = this.options.storage.size();
    if (typeof size === 'number') return size;
    size.then((n) => (this.known = n)).catch(() => undefined);
    return this.known;
  }

  async count(): Promise<number> {
    this.known = await this.options.storage.size();
    return this.known;
  }

  /** Checks the message and puts it in the outbox (durably); throws `outbox_full` when there is no room. */
  async add(stream: string, data: unknown, options: PublishOptions): Promise<OutboxEntry> {
    const { storage, device, limit, overflow } = this.options;
    const scope = options.scope ?? PRIVATE_SCOPE;
    checkNames(scope, stream);
    if (options.ttl !== undefined && (!Number.isInteger(options.ttl) || options.ttl < 1)) throw new StratusError('bad_request', 'ttl must be whole seconds ≥ 1');
    const entry: OutboxEntry = {
      id: `${device}-${randomToken(9)}`.slice(-128),
      scope,
      stream,
      value: toValue(data),
      ttl: options.ttl ?? null,
      priority: options.priority ?? 0,
    };
    const dropped = await storage.enqueue(entry, limit, overflow);
    await this.count();
    if (dropped === null) throw new ClientError('outbox_full', `the outbox holds ${limit} messages; update() to send them, or raise outboxLimit`);
    if (dropped.length > 0 && !this.options.dropped(dropped)) {
      this.options.report(new ClientError('outbox_full', `the outbox was full: dropped ${dropped.map((d) => d.id).join(', ')} (overflow: drop-oldest)`));
    }
    return entry;
  }

  /** Whether `canSend` lets the entry go now. */
  allows(entry: OutboxEntry): boolean {
    return this.options.canSend?.(entry) ?? true;
  }

  /** The next batch in sending order (priority, then age), only what `canSend` allows. */
  async next(max = BATCH): Promise<OutboxEntry[]> {
    const { storage, canSend, limit } = this.options;
    if (!canSend) return storage.pending(max);
    return (await storage.pending(limit)).filter(canSend).slice(0, max);
  }

  /** The next batch, with `entry` in it even when the outbox holds more than a batch before it. */
  async nextWith(entry: OutboxEntry): Promise<OutboxEntry[]> {
    const batch = await this.next();
    if (batch.some((e) => e.id === entry.id)) return batch;
    return [...batch.slice(0, BATCH - 1), entry];
  }

  /** The sync request's `publish` field for these entries. */
  request(entries: readonly OutboxEntry[]): { publish?: PublishItem[] } {
    if (entries.length === 0) return {};
    return { publish: entries.map((e): PublishItem => ({ id: e.id, scope: e.scope, stream: e.stream, value: e.value, ...(e.ttl !== null ? { ttl: e.ttl } : {}) })) };
  }

  /** What the server stored or refused leaves the outbox; each refusal is told (`rejected`, else reported). */
  async settle(entries: readonly OutboxEntry[], response: SyncResponse): Promise<void> {
    const byId = new Map(entries.map((e) => [e.id, e]));
    await this.options.storage.remove([...response.accepted, ...response.rejected].map((a) => a.id).filter((id): id is string => id !== null));
    await this.count();
    for (const r of response.rejected) {
      const entry = r.id === null ? undefined : byId.get(r.id);
      if (entry && !this.options.rejected(entry, new StratusError(r.code, r.message))) {
        this.options.report(new StratusError(r.code, `outbox message ${r.id} to ${entry.scope}/${entry.stream} refused: ${r.message}`));
      }
    }
  }
}
