import { LruMap } from './lru.js';

/**
 * A token bucket per key. Returns 0 when a request may go, else the seconds to wait. Bounded in
 * keys: past `maxKeys` the least recently used bucket is dropped (it comes back full), so many new
 * keys cannot grow it, nor make it forget every device at once.
 */
export class RateLimiter {
  private readonly buckets: LruMap<string, { tokens: number; at: number }>;
  /** Requests refused so far (/metrics). */
  refused = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    maxKeys: number,
  ) {
    this.buckets = new LruMap(maxKeys);
  }

  take(key: string, nowMs: number): number {
    if (this.perSecond <= 0) return 0;
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: nowMs };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.perSecond);
    bucket.at = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    this.refused += 1;
    return Math.ceil((1 - bucket.tokens) / this.perSecond);
  }
}
