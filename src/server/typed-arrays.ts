type TypedArray = Int32Array | Uint32Array | Uint8Array | Float64Array;

/** A longer copy of a typed array (the tables' columns grow by doubling). */
export function grown<T extends TypedArray>(old: T, length: number): T {
  const next = new (old.constructor as new (length: number) => T)(length);
  next.set(old);
  return next;
}

/** The empty slot of an index of entry numbers. */
export const EMPTY_SLOT = -1;

/** Puts `entry` in the first empty slot from its home on, in an index of entry numbers (linear probing). */
export function reindex(index: Int32Array, entry: number, home: number): void {
  const mask = index.length - 1;
  let slot = home;
  while (index[slot] !== EMPTY_SLOT) slot = (slot + 1) & mask;
  index[slot] = entry;
}

/**
 * Takes `entry` out of an open-addressing index of entry numbers (linear probing) whose home
 * slots `homeOf` gives: later entries of its probe run shift back into the hole, so lookups need
 * no tombstones.
 */
export function unindex(index: Int32Array, entry: number, homeOf: (entry: number) => number): void {
  const mask = index.length - 1;
  let hole = homeOf(entry);
  while (index[hole] !== entry) hole = (hole + 1) & mask;
  for (let probe = (hole + 1) & mask; index[probe] !== EMPTY_SLOT; probe = (probe + 1) & mask) {
    const home = homeOf(index[probe] as number);
    // the entry may move into the hole only if the hole lies between its home and where it sits
    const movable = hole <= probe ? home <= hole || home > probe : home <= hole && home > probe;
    if (!movable) continue;
    index[hole] = index[probe] as number;
    hole = probe;
  }
  index[hole] = EMPTY_SLOT;
}
