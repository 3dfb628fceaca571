import { finish, fnvMix, fnvStart, randomSeed, shiftMix } from './keyed-hash.js';

const WAYS = 4;

/**
 * A token bucket per key. Returns 0 when a request may go, else the seconds to wait.
 *
 * The buckets live in typed arrays, set-associative: a key hashes (64 bits, keyed per process) to
 * a set of four; a new key takes the set's least recently used bucket, which comes back full if
 * its key returns. So at least `maxKeys` recent keys are held, many new keys cannot grow the table
 * nor make it forget a flooding key (it is always recent), and a fleet of a million devices
 * allocates nothing per request: a Map of bucket objects, churned by a big fleet, filled the old
 * generation and made the garbage collector pause the event loop.
 */
export class RateLimiter {
  private readonly hashHi: Uint32Array;
  private readonly hashLo: Uint32Array;
  private readonly tokens: Float64Array;
  private readonly atMs: Float64Array;
  private readonly setMask: number;
  private readonly seeds = [randomSeed(), randomSeed()];
  /** Requests refused so far (/metrics). */
  refused = 0;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    maxKeys: number,
  ) {
    const sets = 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(maxKeys / WAYS))));
    this.setMask = sets - 1;
    this.hashHi = new Uint32Array(sets * WAYS);
    this.hashLo = new Uint32Array(sets * WAYS); // 0: an empty bucket
    this.tokens = new Float64Array(sets * WAYS);
    this.atMs = new Float64Array(sets * WAYS);
  }

  take(key: string, nowMs: number): number {
    if (this.perSecond <= 0) return 0;
    const bucket = this.bucketOf(key, nowMs);
    const tokens = Math.min(this.burst, (this.tokens[bucket] as number) + ((nowMs - (this.atMs[bucket] as number)) / 1000) * this.perSecond);
    this.atMs[bucket] = nowMs;
    if (tokens >= 1) {
      this.tokens[bucket] = tokens - 1;
      return 0;
    }
    this.tokens[bucket] = tokens;
    this.refused += 1;
    return Math.ceil((1 - tokens) / this.perSecond);
  }

  /** The key's bucket, or a full one in place of its set's least recently used. */
  private bucketOf(key: string, nowMs: number): number {
    const hi = finish(fnvMix(fnvStart(this.seeds[0] as number), key));
    const lo = (finish(shiftMix(fnvStart(this.seeds[1] as number), key)) | 1) >>> 0; // another kind of mix: keyed-hash.ts
    const first = (hi & this.setMask) * WAYS;
    let victim = first;
    for (let b = first; b < first + WAYS; b++) {
      if (this.hashHi[b] === hi && this.hashLo[b] === lo) return b;
      if (this.hashLo[b] === 0 || (this.atMs[b] as number) < (this.atMs[victim] as number)) victim = b;
      if (this.hashLo[b] === 0) break;
    }
    this.hashHi[victim] = hi;
    this.hashLo[victim] = lo;
    this.tokens[victim] = this.burst;
    this.atMs[victim] = nowMs;
    return victim;
  }
}
