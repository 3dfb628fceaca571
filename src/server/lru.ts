const NONE = -1;

/**
 * A Map bounded in entries that drops the least recently used, each operation O(1): the recency
 * order is a doubly linked list over slots in typed arrays, and the Map is only looked up, never
 * iterated. (Evicting with `map.keys().next()` after moving entries by delete-and-set walks over
 * the deleted entries V8 keeps at the front until it rehashes: O(n) per eviction, which made a
 * million-device fleet's polls 2–3 times slower.) Clients choose many of the keys (GUIDs,
 * addresses), so no operation may depend on how many there are.
 */
export class LruMap<K, V> {
  private readonly slots = new Map<K, number>();
  private keys: (K | undefined)[] = [];
  private values: (V | undefined)[] = [];
  /** Per slot, the slot used next after it and the one used just before it. */
  private newer = new Int32Array(16);
  private older = new Int32Array(16);
  private newest = NONE;
  private oldest = NONE;
  private free: number[] = [];

  constructor(private readonly maxEntries: number) {}

  get(key: K): V | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    this.touch(slot);
    return this.values[slot];
  }

  set(key: K, value: V): void {
    if (this.maxEntries < 1) return;
    const existing = this.slots.get(key);
    if (existing !== undefined) {
      this.values[existing] = value;
      this.touch(existing);
      return;
    }
    if (this.slots.size >= this.maxEntries) this.delete(this.keys[this.oldest] as K);
    const slot = this.free.pop() ?? this.addSlot();
    this.keys[slot] = key;
    this.values[slot] = value;
    this.slots.set(key, slot);
    this.linkNewest(slot);
  }

  delete(key: K): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.unlink(slot);
    this.slots.delete(key);
    this.keys[slot] = undefined;
    this.values[slot] = undefined;
    this.free.push(slot);
  }

  clear(): void {
    this.slots.clear();
    this.keys = [];
    this.values = [];
    this.free = [];
    this.newest = NONE;
    this.oldest = NONE;
  }

  get size(): number {
    return this.slots.size;
  }

  private addSlot(): number {
    const slot = this.keys.length;
    this.keys.push(undefined);
    this.values.push(undefined);
    if (slot >= this.newer.length) {
      // grown as entries arrive: a cache sized for a million devices costs nothing until it is used
      const grown = (links: Int32Array) => {
        const bigger = new Int32Array(Math.min(links.length * 2, Math.max(this.maxEntries, slot + 1)));
        bigger.set(links);
        return bigger;
      };
      this.newer = grown(this.newer);
      this.older = grown(this.older);
    }
    return slot;
  }

  private touch(slot: number): void {
    if (slot === this.newest) return;
    this.unlink(slot);
    this.linkNewest(slot);
  }

  private linkNewest(slot: number): void {
    this.older[slot] = this.newest;
    this.newer[slot] = NONE;
    if (this.newest !== NONE) this.newer[this.newest] = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  private unlink(slot: number): void {
    const newer = this.newer[slot] as number;
    const older = this.older[slot] as number;
    if (older !== NONE) this.newer[older] = newer;
    else this.oldest = newer;
    if (newer !== NONE) this.older[newer] = older;
    else this.newest = older;
  }
}
