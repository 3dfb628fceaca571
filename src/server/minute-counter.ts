import { LruMap } from './lru.js';

/**
 * Counts events per key in fixed one-minute windows, for quotas such as "new devices per app per
 * minute". Bounded in keys: past `maxKeys` the least recently counted key is forgotten, so a flood
 * of new keys cannot grow it (a forgotten key only starts a fresh window).
 */
export class MinuteCounter {
  private readonly windows: LruMap<string, { minute: number; count: number }>;

  constructor(maxKeys: number) {
    this.windows = new LruMap(maxKeys);
  }

  /** Counts one event for `key` unless `limit` is reached: 0 when counted, else the seconds until the next window. A limit of 0 is no limit. */
  take(key: string, now: number, limit: number): number {
    if (limit <= 0) return 0;
    const minute = Math.floor(now / 60);
    const current = this.windows.get(key);
    const window = current && current.minute === minute ? current : { minute, count: 0 };
    if (window.count >= limit) return (minute + 1) * 60 - now;
    window.count += 1;
    this.windows.set(key, window);
    return 0;
  }
}
