import { SYSTEM_SCOPE } from '../../protocol/index.js';
import type { NewMessage, StoreSyncInput, StoreSyncResult } from '../../store/types.js';
import { streamKey } from '../../store/stream-key.js';
import type { LiveHub } from '../live-hub.js';

/** Messages per app since this node started. */
export interface AppActivity {
  published: number;
  delivered: number;
}

export interface StreamActivity {
  appId: number;
  scope: string;
  owner: string;
  stream: string;
  /** Messages committed to it since this node started counting it. */
  published: number;
}

/** Streams counted at most; past it the least recently published one is dropped (its count restarts). */
const MAX_STREAMS = 10_000;

/**
 * Running totals of fleet traffic for `/metrics` and `stratus top`: messages published per app and
 * stream (every message this node hears of: its own and, on PostgreSQL, the other nodes'), and
 * messages delivered to devices by this node (sync pages and live events). `$stratus` messages are
 * the server's own records and are not traffic. It counts only while someone watches (metrics are
 * on, or an admin event stream is open): unwatched, the hot path pays nothing for it.
 */
export class FleetActivity {
  readonly apps = new Map<number, AppActivity>();
  readonly streams = new Map<string, StreamActivity>();
  private watchers = 0;
  private untap: (() => void) | null = null;

  constructor(private readonly hub: LiveHub) {}

  /** Starts counting (if not yet); returns the function that says this watcher is gone. */
  watch(): () => void {
    this.watchers += 1;
    this.untap ??= this.hub.tap(this.committed);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.watchers -= 1;
      if (this.watchers === 0) {
        this.untap?.();
        this.untap = null;
      }
    };
  }

  private app(appId: number): AppActivity {
    let a = this.apps.get(appId);
    if (!a) this.apps.set(appId, (a = { published: 0, delivered: 0 }));
    return a;
  }

  /** A LiveHub tap: a committed message and the live connections it went to. */
  readonly committed = (message: NewMessage, _seq: number, liveDeliveries: number): void => {
    if (message.scope === SYSTEM_SCOPE) return;
    const a = this.app(message.appId);
    a.published += 1;
    a.delivered += liveDeliveries;
    const key = streamKey(message);
    let s = this.streams.get(key);
    if (s) {
      this.streams.delete(key); // re-inserted last: the Map's order is the recency order
    } else {
      s = { appId: message.appId, scope: message.scope, owner: message.owner, stream: message.stream, published: 0 };
      if (this.streams.size >= MAX_STREAMS) this.streams.delete(this.streams.keys().next().value as string);
    }
    s.published += 1;
    this.streams.set(key, s);
  };

  /** Messages a device's sync took away. */
  synced(input: StoreSyncInput, result: StoreSyncResult): void {
    if (this.watchers === 0) return;
    for (let i = 0; i < result.subscriptions.length; i++) {
      const n = result.subscriptions[i]?.messages.length ?? 0;
      const ref = input.subscribe[i];
      if (n > 0 && ref && ref.scope !== SYSTEM_SCOPE) this.app(ref.appId).delivered += n;
    }
  }
}
