import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RateLimiter } from './rate-limiter.js';

/** The obvious token bucket per key, in a Map. */
class ModelLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}
  take(key: string, nowMs: number): number {
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: nowMs };
    b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.at) / 1000) * this.perSecond);
    b.at = nowMs;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.perSecond);
  }
}

describe('RateLimiter', () => {
  it('answers as a token bucket per key while it holds every key', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.record({ key: fc.stringMatching(/^[a-e]{1,2}$/), stepMs: fc.integer({ min: 0, max: 400 }) }), { maxLength: 300 }),
        (perSecond, burst, requests) => {
          const limiter = new RateLimiter(perSecond, burst, 1000);
          const model = new ModelLimiter(perSecond, burst);
          let now = 1_000_000;
          let refused = 0;
          for (const r of requests) {
            now += r.stepMs;
            const expected = model.take(r.key, now);
            if (expected > 0) refused++;
            assert.equal(limiter.take(r.key, now), expected);
          }
          assert.equal(limiter.refused, refused);
        },
      ),
    );
  });

  it('keeps limiting a flooding device while a million others pass by', () => {
    // A key is dropped only when four newer keys land in its set of four before it comes again:
    // with 25,000 sets and a request from it every 100, about never.
    const limiter = new RateLimiter(1, 10, 100_000);
    let now = 0;
    let allowed = 0;
    for (let i = 0; i < 1_000_000; i++) {
      now += 1; // a request a millisecond from somebody else: 1,000 s in all
      limiter.take(`other-${i}`, now);
      if (i % 100 === 0 && limiter.take('flood', now) === 0) allowed++;
    }
    // 10,000 tries over 1,000 s at 1/s after a burst of 10: never more than the bucket refills
    assert.ok(allowed <= 10 + 1000 + 1, `allowed ${allowed}`);
    assert.ok(allowed >= 1000, `allowed ${allowed}`);
  });

  it('takes nothing when the limit is off', () => {
    const limiter = new RateLimiter(0, 1, 10);
    for (let i = 0; i < 100; i++) assert.equal(limiter.take('k', 0), 0);
  });
});
