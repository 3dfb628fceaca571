/**
 * Nonces seen inside the time window (PROTOCOL §2). A nonce is kept until its request's own time
 * leaves the window (time + window): after that a replay is refused as `stale_time` anyway. Entries
 * sit in arrival order and expire from the front; an entry whose request time ran ahead of its
 * neighbours only keeps those behind it a little longer (at most twice the window), never shorter.
 * Memory: one entry per request in the last window, about 100 bytes each.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowSeconds: number) {}

  /** Records the nonce of a request signed at `time`; false when it was seen already. */
  remember(app: string, device: string, nonce: string, time: number, now: number): boolean {
    this.expire(now);
    const key = `${app}\u0000${device}\u0000${nonce}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, time + this.windowSeconds);
    return true;
  }

  /** Whether the nonce was seen inside the window, without recording it. */
  has(app: string, device: string, nonce: string): boolean {
    return this.seen.has(`${app}\u0000${device}\u0000${nonce}`);
  }

  private expire(now: number): void {
    for (const [key, until] of this.seen) {
      if (until >= now) break;
      this.seen.delete(key);
    }
  }

  get size(): number {
    return this.seen.size;
  }
}
