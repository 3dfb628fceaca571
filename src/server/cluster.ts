import type { FastifyBaseLogger } from 'fastify';
import type { CacheChange, Store } from '../store/types.js';
import type { ConfigViews } from './config-view.js';
import type { Directory } from './directory.js';
import type { LiveHub } from './live-hub.js';

const MAX_UNSENT = 10_000;

/**
 * This node among the others on the same database (docs/scaling.md): a change made here drops the
 * cached record at once and tells the other nodes; what they commit reaches this node's live
 * subscribers, and what they change leaves this node's caches. On a single-node store the telling
 * and hearing are no-ops.
 */
export class Cluster {
  private stopWatching: (() => Promise<void>) | null = null;
  /** Changes not yet told to the other nodes, oldest first: sent again until they go through. */
  private unsent: CacheChange[] = [];
  private retry: NodeJS.Timeout | null = null;
  /** Notifications so far (/metrics): changes told to the other nodes, and what was heard from them. */
  readonly notifications = { sent: 0, send_failed: 0, heard_messages: 0, heard_changes: 0, resyncs: 0 };

  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    private readonly configs: ConfigViews,
    private readonly live: LiveHub,
    private readonly log: FastifyBaseLogger,
  ) {}

  appChanged(name: string): Promise<void> {
    return this.changed({ kind: 'app', name });
  }

  deviceChanged(appId: number, guid: string): Promise<void> {
    return this.changed({ kind: 'device', appId, guid });
  }

  configChanged(appId: number): Promise<void> {
    return this.changed({ kind: 'config', appId });
  }

  async start(): Promise<void> {
    this.stopWatching = await this.store.watch({
      messages: (messages) => {
        this.notifications.heard_messages += messages.length;
        for (const m of messages) this.live.emit(m, m.seq);
      },
      cacheChanged: (change) => {
        this.notifications.heard_changes += 1;
        this.forget(change);
      },
      resynced: () => {
        this.notifications.resyncs += 1;
        this.log.warn('the change feed from the other nodes was interrupted; caches dropped');
        this.directory.forgetAll();
        this.configs.invalidateAll();
      },
    });
  }

  async stop(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.stopWatching?.();
    this.stopWatching = null;
  }

  private async changed(change: CacheChange): Promise<void> {
    this.forget(change);
    if (this.unsent.length > 0) return this.queue(change); // keep the order
    if (!(await this.send(change))) this.queue(change);
  }

  private async send(change: CacheChange): Promise<boolean> {
    try {
      await this.store.announce(change);
      this.notifications.sent += 1;
      return true;
    } catch (err) {
      this.notifications.send_failed += 1;
      this.log.warn({ err, change }, 'could not tell the other nodes of a change; will retry');
      return false;
    }
  }

  /**
   * Until it is told, another node serves its cached record, for up to its cache's age (devices:
   * `deviceCacheMs`, minutes), so a failed announcement is retried every second. Past
   * MAX_UNSENT the oldest are dropped: the other nodes' caches still expire on their own.
   */
  private queue(change: CacheChange): void {
    this.unsent.push(change);
    if (this.unsent.length > MAX_UNSENT) this.unsent.shift();
    if (this.retry) return;
    this.retry = setTimeout(() => void this.resend(), 1000);
    this.retry.unref();
  }

  private async resend(): Promise<void> {
    this.retry = null;
    while (this.unsent.length > 0 && (await this.send(this.unsent[0] as CacheChange))) this.unsent.shift();
    if (this.unsent.length > 0 && this.stopWatching) {
      this.retry = setTimeout(() => void this.resend(), 1000);
      this.retry.unref();
    }
  }

  private forget(change: CacheChange): void {
    if (change.kind === 'app') this.directory.forgetApp(change.name);
    else if (change.kind === 'device') this.directory.forgetDevice(change.appId, change.guid);
    else this.configs.invalidate(change.appId);
  }
}
