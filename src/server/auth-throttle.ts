import { LruMap } from './lru.js';

interface Failures {
  count: number;
  /** Unix second of the first failure of this run. */
  since: number;
  /** No admin call from this address is looked at before this second. */
  blockedUntil: number;
}

/**
 * Slows down guessing of admin tokens per client address: a few failures a minute are free, each
 * one after that blocks the address for twice as long as the last (1, 2, 4 … up to 60 s). A success
 * clears the address. Bounded in addresses, so a scan from many addresses cannot grow it.
 */
export class AuthThrottle {
  private readonly failures: LruMap<string, Failures>;
  /** Admin requests refused while their address was blocked (/metrics). */
  refused = 0;

  constructor(
    private readonly freeFailures = 5,
    private readonly windowSeconds = 60,
    private readonly maxBlockSeconds = 60,
    maxAddresses = 10_000,
  ) {
    this.failures = new LruMap(maxAddresses);
  }

  /** Seconds the address must wait before it is heard again, or 0. */
  waitSeconds(address: string, now: number): number {
    const f = this.failures.get(address);
    if (!f || f.blockedUntil <= now) return 0;
    this.refused += 1;
    return f.blockedUntil - now;
  }

  failed(address: string, now: number): void {
    const previous = this.failures.get(address);
    const f = previous && now - previous.since < this.windowSeconds ? previous : { count: 0, since: now, blockedUntil: 0 };
    f.count += 1;
    if (f.count > this.freeFailures) f.blockedUntil = now + Math.min(this.maxBlockSeconds, 2 ** (f.count - this.freeFailures - 1));
    this.failures.set(address, f);
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }
}
