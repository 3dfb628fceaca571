import {
  PRIVATE_SCOPE,
  RESERVED_KEYS,
  SCOPE_NAME,
  STREAM_NAME,
  StratusError,
  sha256Hex,
  verifyStaticConfig,
  type ConfigSnapshot,
  type ConfigValues,
  type DeliveredMessage,
  type PublishItem,
  type SubscribeItem,
  type SyncRequest,
  type SyncResponse,
} from '../protocol/index.js';
import { Emitter } from './emitter.js';
import { ClientError } from './errors.js';
import { randomToken } from './random.js';
import { consumeLiveEvents } from './live.js';
import type { ClientStorage, OutboxEntry, OverflowPolicy } from './outbox.js';
import { DEFAULT_RETRY, Transport, errorOf, type RetryOptions } from './transport.js';

export interface StratusOptions {
  /** The server's base URL, e.g. `http://192.168.1.10:8080`. `stratus.server` in the config moves it. */
  server: string;
  app: string;
  /** The app's shared secret. */
  secret: string;
  /** The device's GUID. */
  device: string;
  /** Outbox and state: SqliteStorage survives power loss, MemoryStorage does not. */
  storage: ClientStorage;
  /** Messages the outbox holds at most (default 10 000). */
  outboxLimit?: number;
  /** What a publish() into a full outbox does (default `reject`: it throws `outbox_full`). */
  overflow?: OverflowPolicy;
  /** Decides what may be sent now (e.g. only high priority on a metered link); the rest waits. */
  canSend?: (entry: OutboxEntry) => boolean;
  retry?: Partial<RetryOptions>;
  fetch?: typeof fetch;
}

export interface PublishOptions {
  /** `PRIVATE` (the default: this device's own space) or a shared scope. */
  scope?: string;
  /** Seconds to keep the message; the app's default when absent. */
  ttl?: number;
  /** Wait in the outbox for the next update() instead of sending now. */
  queue?: boolean;
  /** Higher is sent first (default 0). */
  priority?: number;
}

/** `seq` is the stored sequence number, or null while the message waits in the outbox. */
export interface PublishReceipt {
  id: string;
  seq: number | null;
}

export interface SubscribeOptions {
  scope?: string;
  /** Replay: a new (or reset) subscription starts this many messages back; also the page size. */
  limit?: number;
  /** Start the server-held cursor over (as new) on the next update. */
  reset?: boolean;
}

export type MessageCallback = (value: string, message: DeliveredMessage) => void | Promise<void>;

export interface UpdateResult {
  /** Outbox messages the server stored (or had stored already). */
  published: number;
  /** Outbox messages the server refused; each was reported with a `rejected` event. */
  rejected: number;
  /** Messages handed to callbacks that returned. */
  delivered: number;
  configChanged: boolean;
}

export interface LiveConnection {
  /** Ends the connection; resolves when it has ended. */
  close(): Promise<void>;
  /** Resolves once the first connection is open (live events flow). */
  opened: Promise<void>;
}

type ClientEvents = {
  /** A callback threw (its message comes again), or a background step failed. */
  error: (error: Error) => void;
  /** The server refused an outbox message for good; it left the outbox. */
  rejected: (entry: OutboxEntry, error: StratusError) => void;
  /** The overflow policy dropped these outbox messages. */
  dropped: (entries: OutboxEntry[]) => void;
  config: (values: ConfigValues) => void;
};

interface Subscription {
  scope: string;
  stream: string;
  callback: MessageCallback;
  limit?: number;
  reset: boolean;
}

const BATCH = 500;
const DEFAULT_REFRESH_SECONDS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keyOf = (scope: string, stream: string) => `${scope}/${stream}`;

/** The value as sent: strings as they are, numbers and booleans as text, anything else as JSON. */
function toValue(data: unknown): string {
  if (typeof data === 'string') return data;
  if (typeof data === 'number' || typeof data === 'boolean') return String(data);
  return JSON.stringify(data);
}

function checkNames(scope: string, stream: string): void {
  if (scope !== PRIVATE_SCOPE && !SCOPE_NAME.test(scope)) throw new StratusError('bad_request', `scope must be PRIVATE or match ${SCOPE_NAME}`);
  if (!STREAM_NAME.test(stream)) throw new StratusError('bad_request', `stream must match ${STREAM_NAME}`);
}

/**
 * A device's client (PROTOCOL §2–§6): cached config, a durable outbox, subscriptions run during
 * update(), and an optional live connection. Platform parts (storage, GUID) come in the options;
 * `./index.ts` fills them in for Node.
 */
export class StratusClient extends Emitter<ClientEvents> {
  readonly device: string;
  readonly app: string;
  private readonly secret: string;
  private readonly storage: ClientStorage;
  private readonly transport: Transport;
  private readonly outboxLimit: number;
  private readonly overflow: OverflowPolicy;
  private readonly canSend: ((entry: OutboxEntry) => boolean) | undefined;
  private readonly subs = new Map<string, Subscription>();
  /** Per stream, the last seq processed (or known to be behind the server cursor). */
  private readonly acks: Record<string, number>;
  /** Streams whose callback threw since the last update: nothing more until sync brings it again. */
  private readonly blocked = new Set<string>();
  private config: ConfigSnapshot | null;
  private base: string;
  /** Set by `stratus.config_url`: where the config comes from from then on (a relocation, kept). */
  private configUrl: string | null;
  private lastUpdateMs = 0;
  private running: Promise<UpdateResult> | null = null;
  private readonly lives = new Set<LiveConnection>();
  private closed = false;

  constructor(options: StratusOptions) {
    super();
    this.app = options.app;
    this.device = options.device;
    this.secret = options.secret;
    this.storage = options.storage;
    this.outboxLimit = options.outboxLimit ?? 10_000;
    this.overflow = options.overflow ?? 'reject';
    this.canSend = options.canSend;
    this.transport = new Transport({
      app: options.app,
      device: options.device,
      secret: options.secret,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    });
    this.config = JSON.parse(this.storage.getState('config') ?? 'null') as ConfigSnapshot | null;
    this.acks = JSON.parse(this.storage.getState('acks') ?? '{}') as Record<string, number>;
    this.base = this.storage.getState('server') ?? options.server;
    this.configUrl = this.storage.getState('configUrl');
    this.lastUpdateMs = Number(this.storage.getState('lastUpdateMs') ?? 0);
  }

  /** The base URL requests go to now (after any `stratus.server` move). */
  get server(): string {
    return this.base;
  }

  /** Messages waiting in the outbox. */
  get outboxSize(): number {
    return this.storage.size();
  }

  /** Seconds between updates: `stratus.refresh` from the config, else 300. */
  get refreshSeconds(): number {
    return this.get(RESERVED_KEYS.refresh, DEFAULT_REFRESH_SECONDS);
  }

  /** A config value with the fallback's type; the fallback when absent or not of that type. */
  get(key: string, fallback: number): number;
  get(key: string, fallback: boolean): boolean;
  get(key: string, fallback: string): string;
  get(key: string, fallback: string | number | boolean): string | number | boolean {
    const raw = this.config?.values[key];
    if (raw === undefined) return fallback;
    if (typeof fallback === 'number') {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) ? n : fallback;
    }
    if (typeof fallback === 'boolean') {
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      return fallback;
    }
    return raw;
  }

  /** Every config value, as last received (and kept across restarts). */
  get values(): ConfigValues {
    return this.config?.values ?? {};
  }

  /**
   * Puts the message in the durable outbox, then, unless `queue`, sends it now. A message that
   * cannot be sent now stays in the outbox for the next update() (`seq` null); one the server
   * refuses is removed and the refusal thrown.
   */
  async publish(stream: string, data: unknown, options: PublishOptions = {}): Promise<PublishReceipt> {
    this.assertOpen();
    const scope = options.scope ?? PRIVATE_SCOPE;
    checkNames(scope, stream);
    if (options.ttl !== undefined && (!Number.isInteger(options.ttl) || options.ttl < 1)) throw new StratusError('bad_request', 'ttl must be whole seconds ≥ 1');
    const entry: OutboxEntry = {
      id: `${this.device}-${randomToken(9)}`.slice(-128),
      scope,
      stream,
      value: toValue(data),
      ttl: options.ttl ?? null,
      priority: options.priority ?? 0,
    };
    const dropped = this.storage.enqueue(entry, this.outboxLimit, this.overflow);
    if (dropped === null) throw new ClientError('outbox_full', `the outbox holds ${this.outboxLimit} messages; update() to send them, or raise outboxLimit`);
    if (dropped.length > 0 && !this.emit('dropped', dropped)) {
      this.report(new ClientError('outbox_full', `the outbox was full: dropped ${dropped.map((d) => d.id).join(', ')} (overflow: drop-oldest)`));
    }
    if (options.queue || (this.canSend && !this.canSend(entry))) return { id: entry.id, seq: null };
    let response: SyncResponse;
    try {
      response = await this.sendOutbox([entry], {});
    } catch (error) {
      if (error instanceof ClientError && error.code === 'network') return { id: entry.id, seq: null };
      if (error instanceof StratusError && (error.code === 'rate_limited' || error.code === 'unavailable')) return { id: entry.id, seq: null };
      throw error;
    }
    const refused = response.rejected.find((r) => r.id === entry.id);
    if (refused) throw new StratusError(refused.code, refused.message);
    return { id: entry.id, seq: response.accepted.find((a) => a.id === entry.id)?.seq ?? null };
  }

  /** Calls `callback` for each message of the stream during update() (or live), oldest first. */
  subscribe(stream: string, callback: MessageCallback, options: SubscribeOptions = {}): void {
    const scope = options.scope ?? PRIVATE_SCOPE;
    checkNames(scope, stream);
    if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) throw new StratusError('bad_request', 'limit must be a whole number ≥ 1');
    const key = keyOf(scope, stream);
    if (options.reset) delete this.acks[key];
    this.subs.set(key, { scope, stream, callback, ...(options.limit !== undefined ? { limit: options.limit } : {}), reset: options.reset ?? false });
  }

  unsubscribe(stream: string, options: { scope?: string } = {}): void {
    this.subs.delete(keyOf(options.scope ?? PRIVATE_SCOPE, stream));
  }

  /** One round trip (`POST /v1/sync`): sends the outbox, acknowledges, fetches messages and config. */
  update(): Promise<UpdateResult> {
    this.assertOpen();
    this.running ??= this.runUpdate().finally(() => (this.running = null));
    return this.running;
  }

  /** update() when `intervalSeconds` (default `stratus.refresh`) have passed since the last one. */
  async maybeUpdate(intervalSeconds = this.refreshSeconds): Promise<UpdateResult | null> {
    if (Date.now() - this.lastUpdateMs < intervalSeconds * 1000) return null;
    return this.update();
  }

  /**
   * Push instead of polling: a live connection for the current subscriptions. Each (re)connection
   * starts with an update(), so nothing a dropped connection missed is lost; callbacks run as
   * messages arrive; acknowledgements go with the next update().
   */
  live(): LiveConnection {
    this.assertOpen();
    const controller = new AbortController();
    let markOpen: () => void = () => undefined;
    const opened = new Promise<void>((resolve) => (markOpen = resolve));
    const loop = (async () => {
      for (let failures = 0; !controller.signal.aborted; failures++) {
        try {
          await this.update();
          const subs = [...this.subs.values()];
          if (subs.length === 0) throw new StratusError('bad_request', 'live() needs at least one subscription');
          const target = `/v1/live?${subs.map((s) => `sub=${encodeURIComponent(keyOf(s.scope, s.stream))}`).join('&')}`;
          const answer = await this.transport.once(this.base, 'GET', target, { stream: true, signal: controller.signal });
          if (answer.status !== 200 || !answer.body) throw errorOf(answer);
          failures = 0;
          markOpen();
          await consumeLiveEvents(answer.body, this.secret, answer.nonce, (m) => this.deliverLive(m));
        } catch (error) {
          if (controller.signal.aborted) break;
          this.report(error as Error);
          if (error instanceof StratusError && error.code === 'bad_request') break;
        }
        if (!controller.signal.aborted) await sleep(Math.random() * Math.min(5000, 50 * 2 ** failures));
      }
    })();
    const connection: LiveConnection = {
      opened,
      close: async () => {
        controller.abort();
        await loop;
        this.lives.delete(connection);
      },
    };
    this.lives.add(connection);
    return connection;
  }

  /** Ends live connections and closes the storage. Queued messages stay for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.lives].map((l) => l.close()));
    await this.running?.catch(() => undefined);
    this.closed = true;
    this.storage.close();
  }

  /** `stratus.debug` as a level: 0 silent, 1 error, 2 warn (the default), 3 info, 4 debug, 5+ trace. */
  get debugLevel(): number {
    const raw = this.get(RESERVED_KEYS.debug, 'warn');
    const named = ['error', 'warn', 'info', 'debug', 'trace'].indexOf(raw);
    return named >= 0 ? named + 1 : /^\d$/.test(raw) ? Number(raw) : 2;
  }

  /** To the `error` listeners; without any, to the console when `stratus.debug` allows warnings. */
  private report(error: Error): void {
    if (!this.emit('error', error) && this.debugLevel >= 2) console.warn(`stratus: ${error.message}`);
  }

  private assertOpen(): void {
    if (this.closed) throw new ClientError('closed', 'this client was closed');
  }

  private async runUpdate(): Promise<UpdateResult> {
    const result: UpdateResult = { published: 0, rejected: 0, delivered: 0, configChanged: false };
    this.blocked.clear();
    const configUrl = this.configUrl;
    if (configUrl) result.configChanged = await this.fetchStaticConfig(configUrl);
    const subs = [...this.subs.values()];
    const request: Omit<SyncRequest, 'publish'> = {
      subscribe: subs.map((s): SubscribeItem => {
        const after = this.acks[keyOf(s.scope, s.stream)];
        return {
          scope: s.scope,
          stream: s.stream,
          ...(after !== undefined ? { after } : {}),
          ...(s.limit !== undefined ? { limit: s.limit } : {}),
          ...(s.reset ? { reset: true } : {}),
        };
      }),
      ...(configUrl ? {} : { config: this.config?.etag ?? null }),
    };
    let batch = this.sendable();
    const response = await this.sendOutbox(batch, request);
    this.count(result, response);
    for (const s of subs) s.reset = false;
    for (const c of response.cursors) {
      const key = keyOf(c.scope, c.stream);
      this.acks[key] = Math.max(this.acks[key] ?? 0, c.cursor);
    }
    if (response.config) {
      this.applyConfig(response.config);
      result.configChanged = true;
    }
    for (const message of response.messages) if (await this.deliver(message)) result.delivered++;
    this.storage.setState('acks', JSON.stringify(this.acks));

    // The rest of the outbox in publish-only round trips, bounded by what is there now.
    for (let rounds = Math.ceil(this.storage.size() / BATCH); rounds > 0; rounds--) {
      batch = this.sendable();
      if (batch.length === 0) break;
      this.count(result, await this.sendOutbox(batch, {}));
    }
    this.lastUpdateMs = Date.now();
    this.storage.setState('lastUpdateMs', String(this.lastUpdateMs)); // maybeUpdate's clock survives a restart
    if (this.debugLevel >= 4) console.debug(`stratus: update ${JSON.stringify(result)}, outbox ${this.storage.size()}`);
    return result;
  }

  private count(result: UpdateResult, response: SyncResponse): void {
    result.published += response.accepted.length;
    result.rejected += response.rejected.length;
  }

  private sendable(): OutboxEntry[] {
    if (!this.canSend) return this.storage.pending(BATCH);
    return this.storage.pending(this.outboxLimit).filter(this.canSend).slice(0, BATCH);
  }

  /** One sync carrying `entries`; what the server stored or refused leaves the outbox. */
  private async sendOutbox(entries: OutboxEntry[], rest: Omit<SyncRequest, 'publish'>): Promise<SyncResponse> {
    const publish = entries.map(
      (e): PublishItem => ({ id: e.id, scope: e.scope, stream: e.stream, value: e.value, ...(e.ttl !== null ? { ttl: e.ttl } : {}) }),
    );
    const response = await this.sync({ ...rest, ...(publish.length > 0 ? { publish } : {}) });
    const byId = new Map(entries.map((e) => [e.id, e]));
    this.storage.remove([...response.accepted, ...response.rejected].map((a) => a.id).filter((id): id is string => id !== null));
    for (const r of response.rejected) {
      const entry = r.id === null ? undefined : byId.get(r.id);
      if (entry && !this.emit('rejected', entry, new StratusError(r.code, r.message))) {
        this.report(new StratusError(r.code, `outbox message ${r.id} to ${entry.scope}/${entry.stream} refused: ${r.message}`));
      }
    }
    return response;
  }

  private async sync(request: SyncRequest): Promise<SyncResponse> {
    const answer = await this.transport.request(this.base, 'POST', '/v1/sync', JSON.stringify(request));
    let response: SyncResponse;
    try {
      response = JSON.parse(answer.text) as SyncResponse;
    } catch {
      throw new ClientError('bad_response', 'the sync answer is not JSON');
    }
    if (![response.accepted, response.rejected, response.messages, response.cursors].every(Array.isArray)) {
      throw new ClientError('bad_response', 'the sync answer lacks accepted, rejected, messages or cursors');
    }
    return response;
  }

  /** Runs the callback; the message counts as processed only when it returned. */
  private async deliver(message: DeliveredMessage): Promise<boolean> {
    const key = keyOf(message.scope, message.stream);
    const sub = this.subs.get(key);
    if (!sub || this.blocked.has(key)) return false;
    try {
      await sub.callback(message.value, message);
    } catch (error) {
      this.blocked.add(key);
      this.report(new Error(`subscriber of ${key} threw at seq ${message.seq}; it comes again: ${(error as Error).message}`, { cause: error }));
      return false;
    }
    this.acks[key] = Math.max(this.acks[key] ?? 0, message.seq);
    return true;
  }

  /** Live events in order only: a gap is filled by a sync, which brings the message too. */
  private async deliverLive(message: DeliveredMessage): Promise<void> {
    const key = keyOf(message.scope, message.stream);
    const last = this.acks[key];
    if (last !== undefined && message.seq <= last) return;
    if (last !== undefined && message.seq > last + 1) {
      this.update().catch((error: unknown) => this.report(error as Error));
      return;
    }
    if (await this.deliver(message)) this.storage.setState('acks', JSON.stringify(this.acks));
  }

  private applyConfig(snapshot: ConfigSnapshot): void {
    this.config = snapshot;
    this.storage.setState('config', JSON.stringify(snapshot));
    const server = snapshot.values[RESERVED_KEYS.server];
    if (server && server !== this.base) {
      this.base = server;
      this.storage.setState('server', server);
    }
    const configUrl = snapshot.values[RESERVED_KEYS.configUrl];
    if (configUrl && configUrl !== this.configUrl) {
      this.configUrl = configUrl;
      this.storage.setState('configUrl', configUrl);
    }
    this.emit('config', snapshot.values);
  }

  /** `stratus.config_url`: the config comes from a signed static export there (PROTOCOL §5). */
  private async fetchStaticConfig(url: string): Promise<boolean> {
    try {
      const response = await fetch(url);
      if (!response.ok) throw new ClientError('bad_response', `${url} answered ${response.status}`);
      const text = await response.text();
      const values = verifyStaticConfig(this.secret, text, { app: this.app, device: this.device });
      if (values === null) throw new ClientError('bad_response', `${url} is not a config signed with the app's secret for this device`);
      const etag = `static-${sha256Hex(text).slice(0, 24)}`;
      if (etag === this.config?.etag) return false;
      this.applyConfig({ etag, values });
      return true;
    } catch (error) {
      this.report(error as Error); // the cached config stays in force
      return false;
    }
  }
}
