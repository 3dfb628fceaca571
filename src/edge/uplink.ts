// Drains the store upstream through the SDK's signed transport: one POST /v1/sync at a time carrying
// the highest sendable priorities first (messages, then file chunks), the downstream subscriptions
// and the config ETag. A row leaves the store only once the server answered that it has it.
import { StratusError, type PublishItem, type SyncRequest, type SyncResponse } from '../protocol/index.js';
import { ClientError } from '../client/errors.js';
import { Transport } from '../client/transport.js';
import type { EdgeConfig, LinkClass } from './config.js';
import type { DownstreamDelivery } from './downstream.js';
import type { FileRef, FileSender } from './files.js';
import type { LinkMonitor } from './link.js';
import type { Logger } from './log.js';
import { RateCap, applyRemote, sendablePriorities, type Policy } from './policy.js';
import type { EdgeStore } from './store.js';

type Ref = { kind: 'message'; seq: number } | FileRef;
interface Outgoing {
  item: PublishItem;
  ref: Ref;
  priority: number;
}

export interface UplinkFigures {
  lastContactMs: number | null;
  lastError: string | null;
  sent: number;
  rejected: number;
  failures: number;
}

export class Uplink {
  private readonly transport: Transport;
  policy: Policy;
  private readonly cap: RateCap;
  private stopped = false;
  private wakeUp: (() => void) | null = null;
  private stopWake: (() => void) | null = null;
  private savedContactMs = 0;
  /** A refused subscription fails a whole sync; publishing goes on without them until then. */
  private subscriptionsOffUntilMs = 0;
  private loop: Promise<void> | null = null;
  private remote: { etag: string; values: Record<string, string> } | null;
  readonly figures: UplinkFigures = { lastContactMs: null, lastError: null, sent: 0, rejected: 0, failures: 0 };

  constructor(
    private readonly config: EdgeConfig,
    private readonly store: EdgeStore,
    private readonly files: FileSender,
    private readonly downstream: DownstreamDelivery,
    private readonly link: LinkMonitor,
    private readonly log: Logger,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.transport = new Transport({
      app: config.app,
      device: config.device,
      secret: config.secret,
      retry: { attempts: 1, baseMs: 1, capMs: 1 },
      // A link that goes silent (no reset) must not hold the gateway forever.
      fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(30_000) }),
      nowMs: nowMs,
    });
    this.policy = config.policy;
    this.remote = JSON.parse(store.getState('remote') ?? 'null') as typeof this.remote;
    this.figures.lastContactMs = Number(store.getState('lastContactMs') ?? 0) || null;
    if (this.remote) this.applyRemote(this.remote.values);
    this.cap = new RateCap(nowMs);
  }

  start(): void {
    this.loop = this.run();
  }

  /** Something new to send (a local write, a file, a link change): the idle wait ends now. */
  kick(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWake?.();
    await this.loop;
  }

  private wait(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = wakeable ? done : null;
      this.stopWake = done;
    });
  }

  private applyRemote(values: Record<string, string>): void {
    const { policy, limits, refused } = applyRemote(this.config, values);
    this.policy = policy;
    this.store.limits = limits;
    for (const r of refused) this.log.warn('remote_key_refused', r);
  }

  /** The next sync's items: per sendable priority, stored messages then file chunks, within the budgets. */
  compose(link: LinkClass): Outgoing[] {
    const out: Outgoing[] = [];
    let bytes = 0;
    const { batchBytes, batchItems } = this.config.uplink;
    const fits = (item: PublishItem): boolean => {
      const size = Buffer.byteLength(JSON.stringify(item)) + 1;
      if (out.length >= batchItems || (out.length > 0 && bytes + size > batchBytes)) return false;
      bytes += size;
      return true;
    };
    for (const priority of sendablePriorities(this.policy, link, new Date(this.nowMs()))) {
      for (const m of this.store.oldestOf(priority, batchItems - out.length)) {
        const remainingTtl = m.expiresMs === null ? null : Math.max(1, Math.ceil((m.expiresMs - this.nowMs()) / 1000));
        const item: PublishItem = { id: m.id, scope: m.scope, stream: m.stream, value: m.value, ...(remainingTtl !== null ? { ttl: remainingTtl } : {}) };
        if (!fits(item)) return out;
        out.push({ item, ref: { kind: 'message', seq: m.seq }, priority });
      }
      for (const file of this.files.pendingOf(priority)) {
        for (const { item, ref } of this.files.items(file)) {
          if (!fits(item)) return out;
          out.push({ item, ref, priority });
        }
      }
    }
    return out;
  }

  private async run(): Promise<void> {
    let failures = 0;
    let lastSyncMs = 0;
    while (!this.stopped) {
      for (const e of this.store.expire()) this.log.warn('evicted', { ...e });
      const link = this.link.current;
      const batch = link === 'offline' ? [] : this.compose(link);
      const idleDue = link !== 'offline' && this.nowMs() - lastSyncMs >= this.config.uplink.pollMs;
      if (batch.length === 0 && !idleDue) {
        this.store.reclaim();
        await this.wait(link === 'offline' ? this.config.link.pollMs : this.config.uplink.pollMs - (this.nowMs() - lastSyncMs), true);
        continue;
      }
      const bytes = batch.reduce((sum, o) => sum + o.item.value.length, 0);
      const pause = this.cap.take(bytes, this.policy.rateBytesPerSecond[link]);
      if (pause > 0) await this.wait(pause, false);
      if (this.stopped) break;
      for (const o of batch) if (o.ref.kind === 'message') this.store.inFlight.add(o.ref.seq);
      try {
        lastSyncMs = this.nowMs();
        const t0 = performance.now();
        await this.sync(batch);
        this.log.debug('synced', { items: batch.length, bytes, ms: Math.round(performance.now() - t0) });
        failures = 0;
      } catch (error) {
        failures++;
        this.figures.failures++;
        this.figures.lastError = (error as Error).message;
        this.log.warn('uplink_failed', { message: (error as Error).message, failures, pending: batch.length });
        await this.wait(Math.min(this.config.uplink.backoffMaxMs, 100 * 2 ** Math.min(failures, 10)) * (0.5 + Math.random() / 2), false);
      } finally {
        this.store.inFlight.clear();
      }
    }
  }

  private async sync(batch: Outgoing[]): Promise<void> {
    const request: SyncRequest = {
      ...(batch.length > 0 ? { publish: batch.map((o) => o.item) } : {}),
      subscribe: this.nowMs() >= this.subscriptionsOffUntilMs ? this.downstream.subscriptions() : [],
      config: this.remote?.etag ?? null,
    };
    if (request.subscribe?.length === 0) delete request.subscribe;
    let answer;
    try {
      answer = await this.transport.request(this.config.upstream, 'POST', '/v1/sync', JSON.stringify(request));
    } catch (error) {
      const refused = error instanceof StratusError && (error.code === 'forbidden' || error.code === 'bad_request' || error.code === 'quota_exceeded');
      if (refused && request.subscribe) {
        this.subscriptionsOffUntilMs = this.nowMs() + 60_000;
        this.log.error('subscriptions_refused', { code: error.code, message: error.message, note: 'downstream is off for a minute; publishing goes on' });
      }
      throw error;
    }
    const response = JSON.parse(answer.text) as SyncResponse;
    if (!Array.isArray(response.accepted) || !Array.isArray(response.rejected)) throw new ClientError('bad_response', 'the sync answer lacks accepted or rejected');
    this.figures.lastContactMs = this.nowMs();
    this.figures.lastError = null;
    const byId = new Map(batch.map((o) => [o.item.id as string, o]));
    const done: number[] = [];
    const fileRefs: FileRef[] = [];
    for (const a of response.accepted) {
      const o = a.id === null ? undefined : byId.get(a.id);
      if (!o) continue;
      if (o.ref.kind === 'message') done.push(o.ref.seq);
      else fileRefs.push(o.ref);
    }
    for (const r of response.rejected) {
      const o = r.id === null ? batch[r.index] : byId.get(r.id);
      if (!o) continue;
      this.log.error('rejected_upstream', { id: o.item.id, scope: o.item.scope, stream: o.item.stream, code: r.code, message: r.message });
      this.figures.rejected++;
      if (o.ref.kind === 'message') done.push(o.ref.seq);
    }
    this.store.remove(done);
    this.files.accepted(fileRefs);
    this.figures.sent += response.accepted.length;
    if (this.figures.lastContactMs - this.savedContactMs >= 5000) {
      this.savedContactMs = this.figures.lastContactMs;
      this.store.setState('lastContactMs', String(this.savedContactMs));
    }
    if (response.config) {
      this.remote = { etag: response.config.etag, values: response.config.values };
      this.store.setState('remote', JSON.stringify(this.remote));
      this.applyRemote(this.remote.values);
      this.log.info('remote_config', { etag: this.remote.etag, keys: Object.keys(this.remote.values).filter((k) => k.startsWith('edge.')) });
    }
    await this.downstream.deliver(response.messages ?? []);
  }
}
