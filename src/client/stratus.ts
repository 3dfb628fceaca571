import { PRIVATE_SCOPE, StratusError, type ConfigValues, type SyncResponse } from '../protocol/index.js';
import { ConfigCache, type SavedConfig } from './config-cache.js';
import { Emitter } from './emitter.js';
import { ClientError } from './errors.js';
import { openLive } from './live.js';
import { timerDelay, type ClientEvents, type Delay, type LiveConnection, type MessageCallback, type PublishOptions, type PublishReceipt, type StratusOptions, type SubscribeOptions, type UpdateResult } from './options.js';
import type { ClientStorage } from './outbox.js';
import { OutboxSender } from './outbox-sender.js';
import { Subscriptions } from './subscriptions.js';
import { SyncRounds, transient } from './sync-rounds.js';
import { DEFAULT_RETRY, Transport } from './transport.js';

export type { ClientEvents, Delay, LiveConnection, MessageCallback, PublishOptions, PublishReceipt, StratusOptions, SubscribeOptions, UpdateResult } from './options.js';

/** What the client keeps in the storage's state, in the order restore() takes it. */
const STATE_KEYS = [...ConfigCache.keys, 'acks', 'lastUpdateMs'] as const;

/**
 * A device's client (PROTOCOL §2–§6), the face over its parts: cached config (ConfigCache), a
 * durable outbox (OutboxSender), subscriptions run during a sync (Subscriptions), the round trips
 * (SyncRounds) and an optional live connection (openLive). Platform parts (storage, GUID) come in the options; `./index.ts` fills them in for Node.
 */
export class StratusClient extends Emitter<ClientEvents> {
  readonly device: string;
  readonly app: string;
  private readonly secret: string;
  private readonly storage: ClientStorage;
  private readonly transport: Transport;
  private readonly nowMs: () => number;
  private readonly delay: Delay;
  private readonly config: ConfigCache;
  private readonly outbox: OutboxSender;
  private readonly subscriptions: Subscriptions;
  private lastUpdateMs = 0;
  /** The state kept in the storage, read back: every call that syncs waits for it. */
  private readonly loaded: Promise<void>;
  private running: Promise<UpdateResult> | null = null;
  private readonly rounds: SyncRounds;
  private readonly lives = new Set<LiveConnection>();
  private closed = false;

  constructor(options: StratusOptions) {
    super();
    this.app = options.app;
    this.device = options.device;
    this.secret = options.secret;
    this.storage = options.storage;
    this.nowMs = options.nowMs ?? Date.now;
    this.delay = options.delay ?? timerDelay;
    const report = (error: Error) => this.report(error);
    this.transport = new Transport({
      app: options.app,
      device: options.device,
      secret: options.secret,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      nowMs: this.nowMs,
      delay: this.delay,
    });
    this.config = new ConfigCache({ ...options, onChange: (values: ConfigValues) => this.emit('config', values), report });
    this.outbox = new OutboxSender({
      storage: options.storage,
      device: options.device,
      limit: options.outboxLimit ?? 10_000,
      overflow: options.overflow ?? 'reject',
      canSend: options.canSend,
      dropped: (entries) => this.emit('dropped', entries),
      rejected: (entry, error) => this.emit('rejected', entry, error),
      report,
    });
    this.subscriptions = new Subscriptions(options.storage, report);
    this.rounds = new SyncRounds({ transport: this.transport, config: this.config, outbox: this.outbox, subscriptions: this.subscriptions, report });
    // A synchronous storage (SQLite, memory) is read here, so get() has the cached config at once.
    const saved = STATE_KEYS.map((key) => this.storage.getState(key));
    if (saved.every((value) => typeof value === 'string' || value === null)) {
      this.restore(saved as (string | null)[]);
      this.loaded = Promise.resolve();
    } else {
      this.loaded = Promise.all(saved).then((values) => this.restore(values));
      this.loaded.catch(() => undefined); // reported by the first call that waits for it
    }
  }

  private restore([config, server, configUrl, acks, lastUpdateMs]: (string | null)[]): void {
    this.config.restore({ config, server, configUrl } as SavedConfig);
    this.subscriptions.restore(acks ?? null);
    this.lastUpdateMs = Number(lastUpdateMs ?? 0);
  }

  /** Resolves once the state kept in the storage has been read (at once for SQLite and memory). */
  ready(): Promise<void> {
    return this.loaded;
  }

  /** The base URL requests go to now (after any `stratus.server` move). */
  get server(): string {
    return this.config.server;
  }

  /** Messages waiting in the outbox. */
  get outboxSize(): number {
    return this.outbox.size;
  }

  /** Seconds between updates: `stratus.refresh` from the config, else 300. */
  get refreshSeconds(): number {
    return this.config.refreshSeconds;
  }

  /** `stratus.debug` as a level: 0 silent, 1 error, 2 warn (the default), 3 info, 4 debug, 5+ trace. */
  get debugLevel(): number {
    return this.config.debugLevel;
  }

  /** A config value with the fallback's type; the fallback when absent or not of that type. */
  get(key: string, fallback: number): number;
  get(key: string, fallback: boolean): boolean;
  get(key: string, fallback: string): string;
  get(key: string, fallback: string | number | boolean): string | number | boolean {
    return this.config.get(key, fallback);
  }

  /** Every config value, as last received (and kept across restarts). */
  get values(): ConfigValues {
    return this.config.values;
  }

  /**
   * Puts the message in the durable outbox; unless `queue`, one round trip then sends the outbox
   * and brings the subscriptions and config, so callbacks may run before this resolves. A message
   * that cannot be sent now stays in the outbox for the next update() (`seq` null); one the server
   * refuses is removed and the refusal thrown.
   */
  async publish(stream: string, data: unknown, options: PublishOptions = {}): Promise<PublishReceipt> {
    this.assertOpen();
    await this.loaded;
    const entry = await this.outbox.add(stream, data, options);
    if (options.queue || !this.outbox.allows(entry)) return { id: entry.id, seq: null };
    let response: SyncResponse;
    try {
      response = await this.rounds.publish(entry);
    } catch (error) {
      if (transient(error)) return { id: entry.id, seq: null };
      throw error;
    }
    const refused = response.rejected.find((r) => r.id === entry.id);
    if (refused) throw new StratusError(refused.code, refused.message);
    return { id: entry.id, seq: response.accepted.find((a) => a.id === entry.id)?.seq ?? null };
  }

  /** Calls `callback(stream, data, message)` for each message of the stream during a sync (or live), oldest first. */
  subscribe(stream: string, callback: MessageCallback, options: SubscribeOptions = {}): void {
    this.subscriptions.add(stream, callback, options);
  }

  unsubscribe(stream: string, options: { scope?: string } = {}): void {
    this.subscriptions.remove(stream, options.scope ?? PRIVATE_SCOPE);
  }

  /** One round trip (`POST /v1/sync`): sends the outbox, acknowledges, fetches messages and config. */
  update(): Promise<UpdateResult> {
    this.assertOpen();
    this.running ??= this.loaded.then(() => this.runUpdate()).finally(() => (this.running = null));
    return this.running;
  }

  /** update() when `intervalSeconds` (default `stratus.refresh`) have passed since the last one. */
  async maybeUpdate(intervalSeconds?: number): Promise<UpdateResult | null> {
    await this.loaded;
    intervalSeconds ??= this.refreshSeconds;
    if (this.nowMs() - this.lastUpdateMs < intervalSeconds * 1000) return null;
    return this.update();
  }

  /**
   * Push instead of polling: a live connection for the current subscriptions. Each (re)connection
   * starts with an update(), so nothing a dropped connection missed is lost; callbacks run as
   * messages arrive; acknowledgements go with the next update().
   */
  live(): LiveConnection {
    this.assertOpen();
    const connection = openLive({
      transport: this.transport,
      secret: this.secret,
      server: () => this.config.server,
      target: () => this.subscriptions.liveTarget(),
      update: () => this.update(),
      onMessage: (message) => this.subscriptions.deliverLive(message, () => void this.update().catch((error: unknown) => this.report(error as Error))),
      report: (error) => this.report(error),
      delay: this.delay,
    });
    const tracked: LiveConnection = {
      opened: connection.opened,
      close: async () => {
        await connection.close();
        this.lives.delete(tracked);
      },
    };
    this.lives.add(tracked);
    return tracked;
  }

  /** Ends live connections and closes the storage. Queued messages stay for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.lives].map((l) => l.close()));
    await this.running?.catch(() => undefined);
    await this.rounds.idle();
    this.closed = true;
    await this.storage.close();
  }

  /** To the `error` listeners; without any, to the console when `stratus.debug` allows warnings. */
  private report(error: Error): void {
    if (!this.emit('error', error) && this.debugLevel >= 2) console.warn(`stratus: ${error.message}`);
  }

  private assertOpen(): void {
    if (this.closed) throw new ClientError('closed', 'this client was closed');
  }

  private async runUpdate(): Promise<UpdateResult> {
    const result = await this.rounds.update();
    this.lastUpdateMs = this.nowMs();
    await this.storage.setState('lastUpdateMs', String(this.lastUpdateMs)); // maybeUpdate's clock survives a restart
    if (this.debugLevel >= 4) console.debug(`stratus: update ${JSON.stringify(result)}, outbox ${this.outbox.size}`);
    return result;
  }
}
