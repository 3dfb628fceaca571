import type { FastifyBaseLogger } from 'fastify';
import type { CacheChange, Store } from '../store/types.js';
import type { ConfigViews } from './config-view.js';
import type { Directory } from './directory.js';
import type { LiveHub } from './live-hub.js';

/**
 * This node among the others on the same database (docs/scaling.md): a change made here drops the
 * cached record at once and tells the other nodes; what they commit reaches this node's live
 * subscribers, and what they change leaves this node's caches. On a single-node store the telling
 * and hearing are no-ops.
 */
export class Cluster {
  private stopWatching: (() => Promise<void>) | null = null;
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
    await this.stopWatching?.();
    this.stopWatching = null;
  }

  private async changed(change: CacheChange): Promise<void> {
    this.forget(change);
    try {
      await this.store.announce(change);
      this.notifications.sent += 1;
    } catch (err) {
      this.notifications.send_failed += 1;
      // The other nodes' caches expire on their own (appCacheMs): late, not wrong for long.
      this.log.warn({ err, change }, 'could not tell the other nodes of a change');
    }
  }

  private forget(change: CacheChange): void {
    if (change.kind === 'app') this.directory.forgetApp(change.name);
    else if (change.kind === 'device') this.directory.forgetDevice(change.appId, change.guid);
    else this.configs.invalidate(change.appId);
  }
}
