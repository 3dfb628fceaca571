import { finish, fnvMix, fnvStart, randomSeed, shiftMix } from './keyed-hash.js';

/**
 * Nonces seen inside the time window (PROTOCOL §2), as 64-bit keyed hashes in open-addressed typed
 * arrays: 11–21 bytes a request instead of a string and a map entry (~100 B), and nothing for the
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
    const [hi, lo] = nonceHalves(this.seeds, app, device, nonce);
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

/**
 * The two 32-bit halves of a nonce's 64-bit hash, from two mixes of different kinds (keyed-hash.ts
 * shiftMix): two FNV halves collide together about once in 500 pairs that collide in one.
 */
export function nonceHalves(seeds: readonly [number, number], app: string, device: string, nonce: string): [number, number] {
  const hi = finish(fnvMix(fnvMix(fnvMix(fnvStart(seeds[0]), app), device), nonce));
  const lo = finish(shiftMix(shiftMix(shiftMix(fnvStart(seeds[1]), app), device), nonce));
  return [hi, (lo | 1) >>> 0]; // never the empty slot (0, 0)
}

/** Old slots moved to the new table per search while growing (512 bytes scanned): the old table is freed soon after. */
const MOVE_PER_SEARCH = 64;

/**
 * A set of 64-bit values (two unsigned 32-bit halves, never both 0), open addressing with linear
 * probing. It grows incrementally: the old table is kept and searched while its slots are moved
 * over a few per search, so no request waits for a rehash of millions of entries (a 2M-entry rehash
 * held the event loop for tens of milliseconds).
 */
class HashSet64 {
  private slots = new Uint32Array(2 * 1024);
  private mask = 1023;
  /** While growing: the smaller table, whose slots are moving to `slots`. */
  private old: Uint32Array | null = null;
  private oldMask = 0;
  /** The next old slot to move. */
  private moved = 0;
  size = 0;

  has(hi: number, lo: number): boolean {
    // a generation that stopped taking adds mid-move finishes moving as it is searched
    if (this.old !== null) this.moveSome();
    return probe(this.slots, this.mask, hi, lo) >= 0 || (this.old !== null && probe(this.old, this.oldMask, hi, lo) >= 0);
  }

  /** False when the value is in the set already. */
  add(hi: number, lo: number): boolean {
    // linear probing stays short up to 3/4 full with 64-bit values hashed per process
    if (this.old === null && 4 * (this.size + 1) > 3 * (this.mask + 1)) this.startGrowing();
    if (this.has(hi, lo)) return false;
    const slot = probe(this.slots, this.mask, hi, lo);
    this.put(-slot - 1, hi, lo);
    this.size++;
    return true;
  }

  private put(slot: number, hi: number, lo: number): void {
    this.slots[2 * slot] = hi;
    this.slots[2 * slot + 1] = lo;
  }

  private startGrowing(): void {
    this.old = this.slots;
    this.oldMask = this.mask;
    this.moved = 0;
    this.slots = new Uint32Array(this.old.length * 2);
    this.mask = this.old.length - 1;
  }

  /** Copies a few old slots into the new table; the old table stays intact (its probe runs unbroken) until all are moved. */
  private moveSome(): void {
    const old = this.old as Uint32Array;
    const end = Math.min(this.moved + MOVE_PER_SEARCH, this.oldMask + 1);
    for (let i = this.moved; i < end; i++) {
      const hi = old[2 * i] as number;
      const lo = old[2 * i + 1] as number;
      if (hi === 0 && lo === 0) continue;
      const slot = probe(this.slots, this.mask, hi, lo);
      if (slot < 0) this.put(-slot - 1, hi, lo);
    }
    this.moved = end;
    if (end > this.oldMask) this.old = null;
  }
}

/** The slot holding the value, or -(the empty slot where it would go) - 1. */
function probe(slots: Uint32Array, mask: number, hi: number, lo: number): number {
  for (let i = (hi ^ lo) & mask; ; i = (i + 1) & mask) {
    const sHi = slots[2 * i] as number;
    const sLo = slots[2 * i + 1] as number;
    if (sHi === hi && sLo === lo) return i;
    if (sHi === 0 && sLo === 0) return -i - 1;
  }
}
