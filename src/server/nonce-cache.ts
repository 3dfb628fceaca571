import { finish, fnvMix, fnvStart, randomSeed } from './keyed-hash.js';

/**
 * Nonces seen inside the time window (PROTOCOL §2), as 64-bit keyed hashes in open-addressed typed
 * arrays: 16–32 bytes a request instead of a string and a map entry (~100 B), and nothing for the
 * garbage collector to trace. A Map of minutes of requests made every major GC pause longer.
 *
 * A replay passes the time check while the server's clock is within a window of the request's
 * time, which may itself be a window ahead of its arrival: so a nonce must be kept two windows
 * after it arrived. Entries go into generations one window long and the newest three are searched:
 * an entry lives between two and three windows. Two nonces of a device share a 64-bit hash with a
 * chance of about n / 2^64 (n: requests kept); the hash is keyed per process.
 */
export class NonceCache {
  private generations: HashSet64[] = [new HashSet64(), new HashSet64(), new HashSet64()];
  private current = 0;
  private readonly seeds: [number, number];

  constructor(private readonly windowSeconds: number) {
    this.seeds = [randomSeed(), randomSeed()];
  }

  /** Records the nonce of a request arriving at `now`; false when it was seen already. */
  remember(app: string, device: string, nonce: string, now: number): boolean {
    this.rotate(now);
    const hi = hash32(this.seeds[0], app, device, nonce);
    const lo = (hash32(this.seeds[1], app, device, nonce) | 1) >>> 0; // never the empty slot (0, 0)
    const [newest, middle, oldest] = this.generations as [HashSet64, HashSet64, HashSet64];
    if (middle.has(hi, lo) || oldest.has(hi, lo)) return false;
    return newest.add(hi, lo);
  }

  private rotate(now: number): void {
    const generation = Math.floor(now / this.windowSeconds);
    if (generation <= this.current) return;
    const steps = Math.min(generation - this.current, 3);
    for (let i = 0; i < steps; i++) {
      this.generations.pop();
      this.generations.unshift(new HashSet64());
    }
    this.current = generation;
  }

  get size(): number {
    return this.generations.reduce((sum, g) => sum + g.size, 0);
  }
}

function hash32(seed: number, a: string, b: string, c: string): number {
  return finish(fnvMix(fnvMix(fnvMix(fnvStart(seed), a), b), c));
}

/** A set of 64-bit values (two unsigned 32-bit halves, never both 0), open addressing with linear probing. */
class HashSet64 {
  private slots = new Uint32Array(2 * 1024);
  private mask = 1023;
  size = 0;

  has(hi: number, lo: number): boolean {
    for (let i = (hi ^ lo) & this.mask; ; i = (i + 1) & this.mask) {
      const sHi = this.slots[2 * i] as number;
      const sLo = this.slots[2 * i + 1] as number;
      if (sHi === 0 && sLo === 0) return false;
      if (sHi === hi && sLo === lo) return true;
    }
  }

  /** False when the value is in the set already. */
  add(hi: number, lo: number): boolean {
    if (2 * (this.size + 1) > this.mask + 1) this.grow();
    for (let i = (hi ^ lo) & this.mask; ; i = (i + 1) & this.mask) {
      const sHi = this.slots[2 * i] as number;
      const sLo = this.slots[2 * i + 1] as number;
      if (sHi === hi && sLo === lo) return false;
      if (sHi === 0 && sLo === 0) {
        this.slots[2 * i] = hi;
        this.slots[2 * i + 1] = lo;
        this.size++;
        return true;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = old.length - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.add(old[i] as number, old[i + 1] as number);
    }
  }
}
