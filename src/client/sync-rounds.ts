import { StratusError, type SyncResponse } from '../protocol/index.js';
import type { ConfigCache } from './config-cache.js';
import { ClientError } from './errors.js';
import type { UpdateResult } from './options.js';
import type { OutboxEntry } from './outbox.js';
import { BATCH, type OutboxSender } from './outbox-sender.js';
import type { Subscriptions } from './subscriptions.js';
import { syncCall } from './sync-call.js';
import type { Transport } from './transport.js';

interface Exchange {
  response: SyncResponse;
  delivered: number;
  configChanged: boolean;
}

export interface SyncParts {
  transport: Transport;
  config: ConfigCache;
  outbox: OutboxSender;
  subscriptions: Subscriptions;
  report: (error: Error) => void;
}

/** Worth trying later: the message stays in the outbox. */
export const transient = (error: unknown): boolean =>
  (error instanceof ClientError && error.code === 'network') || (error instanceof StratusError && (error.code === 'rate_limited' || error.code === 'unavailable'));

/**
 * The round trips (`POST /v1/sync`) of update() and of a direct publish(): a full sync carries the
 * outbox, the subscriptions and the config ETag, and runs the callbacks before it resolves; full
 * syncs run one at a time, so callbacks never overlap or repeat.
 */
export class SyncRounds {
  private syncs: Promise<unknown> = Promise.resolve();

  constructor(private readonly parts: SyncParts) {}

  /** Resolves when no full sync is running. */
  idle(): Promise<unknown> {
    return this.syncs;
  }

  /** update(): a full sync, then the rest of the outbox in publish-only round trips, bounded by what is there now. */
  async update(): Promise<UpdateResult> {
    const { config, outbox } = this.parts;
    const result: UpdateResult = { published: 0, rejected: 0, delivered: 0, configChanged: false };
    const add = (exchange: Exchange) => {
      result.published += exchange.response.accepted.length;
      result.rejected += exchange.response.rejected.length;
      result.delivered += exchange.delivered;
      result.configChanged ||= exchange.configChanged;
    };
    if (config.staticUrl) result.configChanged = await config.fetchStatic();
    add(await this.full(await outbox.next()));
    for (let rounds = Math.ceil((await outbox.count()) / BATCH); rounds > 0; rounds--) {
      const batch = await outbox.next();
      if (batch.length === 0) break;
      add(await this.publishOnly(batch));
    }
    return result;
  }

  /** publish()'s round trip: the outbox with `entry` in it, plus subscriptions and config. */
  async publish(entry: OutboxEntry): Promise<SyncResponse> {
    const batch = await this.parts.outbox.nextWith(entry);
    try {
      return (await this.full(batch)).response;
    } catch (error) {
      // Subscriptions are all-or-nothing (PROTOCOL §6.2): a refused one must not hold the message back.
      if (transient(error) || !(error instanceof StratusError) || this.parts.subscriptions.size === 0) throw error;
      this.parts.report(error);
      return (await this.publishOnly(batch)).response;
    }
  }

  private full(entries: OutboxEntry[]): Promise<Exchange> {
    const { transport, config, outbox, subscriptions } = this.parts;
    const run = this.syncs.then(async (): Promise<Exchange> => {
      const round = subscriptions.round();
      const response = await syncCall(transport, config.server, { ...outbox.request(entries), subscribe: round.items, ...config.request });
      await outbox.settle(entries, response);
      if (response.config) await config.apply(response.config);
      const delivered = await round.receive(response);
      return { response, delivered, configChanged: response.config !== undefined && response.config !== null };
    });
    this.syncs = run.catch(() => undefined);
    return run;
  }

  private async publishOnly(entries: OutboxEntry[]): Promise<Exchange> {
    const { transport, config, outbox } = this.parts;
    const response = await syncCall(transport, config.server, outbox.request(entries));
    await outbox.settle(entries, response);
    return { response, delivered: 0, configChanged: false };
  }
}
