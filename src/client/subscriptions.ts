import { PRIVATE_SCOPE, StratusError, type DeliveredMessage, type SubscribeItem, type SyncResponse } from '../protocol/index.js';
import { checkNames, keyOf } from './names.js';
import type { MessageCallback, SubscribeOptions } from './options.js';
import type { ClientStorage } from './outbox.js';

interface Subscription {
  scope: string;
  stream: string;
  callback: MessageCallback;
  limit?: number;
  reset: boolean;
}

/** One sync's share of the subscriptions: what it asks for, and what to do with the answer. */
export interface SubscriptionRound {
  items: SubscribeItem[];
  /** Moves the cursors, runs the callbacks oldest first and keeps the acknowledgements; returns how many returned. */
  receive(response: SyncResponse): Promise<number>;
}

/**
 * The streams this device follows, the acknowledgements it sends back (`after`: processed up to
 * there, kept in the storage), and the callbacks: a message counts as processed only once its
 * callback returned; one that threw blocks its stream until a sync brings the message again.
 */
export class Subscriptions {
  private readonly subs = new Map<string, Subscription>();
  /** Per stream, the last seq processed (or known to be behind the server cursor). */
  private acks: Record<string, number> = {};
  /** Streams subscribed with `reset` before the saved acknowledgements were read: those stay forgotten. */
  private readonly resetEarly = new Set<string>();
  private restored = false;
  /** Streams whose callback threw since the last sync: nothing more until a sync brings it again. */
  private readonly blocked = new Set<string>();

  constructor(
    private readonly storage: ClientStorage,
    private readonly report: (error: Error) => void,
  ) {}

  /** The acknowledgements kept in the storage (`acks`), read at start. */
  restore(saved: string | null): void {
    const acks = JSON.parse(saved ?? '{}') as Record<string, number>;
    for (const key of this.resetEarly) delete acks[key];
    this.acks = { ...acks, ...this.acks };
    this.restored = true;
  }

  get size(): number {
    return this.subs.size;
  }

  add(stream: string, callback: MessageCallback, options: SubscribeOptions): void {
    const scope = options.scope ?? PRIVATE_SCOPE;
    checkNames(scope, stream);
    if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) throw new StratusError('bad_request', 'limit must be a whole number ≥ 1');
    const key = keyOf(scope, stream);
    if (options.reset) {
      delete this.acks[key];
      if (!this.restored) this.resetEarly.add(key);
    }
    this.subs.set(key, { scope, stream, callback, ...(options.limit !== undefined ? { limit: options.limit } : {}), reset: options.reset ?? false });
  }

  remove(stream: string, scope: string): void {
    this.subs.delete(keyOf(scope, stream));
  }

  /** `GET /v1/live`'s target for the current subscriptions. */
  liveTarget(): string {
    if (this.subs.size === 0) throw new StratusError('bad_request', 'live() needs at least one subscription');
    return `/v1/live?${[...this.subs.keys()].map((key) => `sub=${encodeURIComponent(key)}`).join('&')}`;
  }

  /** Starts a sync's share; the caller runs one round at a time (callbacks never overlap). */
  round(): SubscriptionRound {
    this.blocked.clear();
    const subs = [...this.subs.values()];
    const items = subs.map((s): SubscribeItem => {
      const after = this.acks[keyOf(s.scope, s.stream)];
      return {
        scope: s.scope,
        stream: s.stream,
        ...(after !== undefined ? { after } : {}),
        ...(s.limit !== undefined ? { limit: s.limit } : {}),
        ...(s.reset ? { reset: true } : {}),
      };
    });
    return {
      items,
      receive: async (response) => {
        for (const s of subs) s.reset = false;
        for (const c of response.cursors) {
          const key = keyOf(c.scope, c.stream);
          this.acks[key] = Math.max(this.acks[key] ?? 0, c.cursor);
        }
        let delivered = 0;
        for (const message of response.messages) if (await this.deliver(message)) delivered++;
        await this.save();
        return delivered;
      },
    };
  }

  /** Live events in order only: a gap is filled by a sync (`resync`), which brings the message too. */
  async deliverLive(message: DeliveredMessage, resync: () => void): Promise<void> {
    const last = this.acks[keyOf(message.scope, message.stream)];
    if (last !== undefined && message.seq > last + 1) return resync();
    if (await this.deliver(message)) await this.save();
  }

  /** Runs the callback unless the message was processed already; true when it returned. */
  private async deliver(message: DeliveredMessage): Promise<boolean> {
    const key = keyOf(message.scope, message.stream);
    const sub = this.subs.get(key);
    const last = this.acks[key];
    if (!sub || this.blocked.has(key) || (last !== undefined && message.seq <= last)) return false;
    try {
      await sub.callback(message.stream, message.value, message);
    } catch (error) {
      this.blocked.add(key);
      this.report(new Error(`subscriber of ${key} threw at seq ${message.seq}; it comes again: ${(error as Error).message}`, { cause: error }));
      return false;
    }
    this.acks[key] = Math.max(this.acks[key] ?? 0, message.seq);
    return true;
  }

  private async save(): Promise<void> {
    await this.storage.setState('acks', JSON.stringify(this.acks));
  }
}
