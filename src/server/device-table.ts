import type { DeviceStatus, Grant } from '../protocol/index.js';
import type { DeviceRecord } from '../store/types.js';
import { finish, fnvMix, fnvStart, randomSeed } from './keyed-hash.js';
import { EMPTY_SLOT as EMPTY, grown, reindex, unindex } from './typed-arrays.js';

/** GUIDs are kept one byte a character. */
const PRINTABLE_ASCII = /^[\x21-\x7e]{1,255}$/;
const STATUSES: readonly DeviceStatus[] = ['approved', 'pending', 'denied'];

/**
 * The devices a node has met, keyed by app and GUID, in typed arrays: a million devices cost
 * ~40 B each plus their GUIDs' bytes, where a Map of record objects costs ~350 B each and gives the
 * garbage collector a million objects to trace. It holds the whole fleet, so a device polling every
 * few minutes is found without a database read.
 *
 * Layout: dense entries (one index per device, reused), an open-addressing index of entry numbers
 * (linear probing, deletion by backward shift), GUID bytes in an arena (GUIDs are ASCII,
 * PROTOCOL §1). Full at `maxEntries`: the CLOCK hand evicts an entry not used since it last
 * passed. The hash is keyed per process, so GUIDs chosen by a client cannot be made to collide.
 */
export class DeviceTable {
  private index = new Int32Array(32).fill(EMPTY);
  private ids = new Int32Array(16);
  private appIds = new Int32Array(16);
  private hashes = new Uint32Array(16);
  private statuses = new Uint8Array(16);
  private used = new Uint8Array(16);
  private firstSeen = new Uint32Array(16);
  private lastSeen = new Uint32Array(16);
  /**
   * A hash of the last address, 0 when unknown: presence writes an address only when it changes,
   * and the table keeps no address text (a million of them would cost ~40 MB).
   */
  private addressHashes = new Uint32Array(16);
  /** When the record was read from the store (or written by this node), in clock milliseconds. */
  private loadedAt = new Float64Array(16);
  private guidAt = new Uint32Array(16);
  private guidLength = new Uint8Array(16);
  private arena = new Uint8Array(256);
  private arenaUsed = 0;
  /** Arena bytes of removed entries, reclaimed when the arena is compacted. */
  private arenaFree = 0;
  /** Entry numbers in use: 0..entries-1, except those on the free list. */
  private entries = 0;
  private free: number[] = [];
  private hand = 0;
  /** The few devices with grants of their own, by entry number. */
  private readonly grants = new Map<number, Grant[]>();
  private readonly seed = randomSeed();
  private readonly homeOf = (entry: number): number => (this.hashes[entry] as number) & (this.index.length - 1);

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries - this.free.length;
  }

  /** The entry of a device, or -1. */
  find(appId: number, guid: string): number {
    const hash = this.hash(appId, guid);
    const mask = this.index.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.index[slot] as number;
      if (entry === EMPTY) return EMPTY;
      if (this.hashes[entry] === hash && this.appIds[entry] === appId && this.guidIs(entry, guid)) {
        this.used[entry] = 1;
        return entry;
      }
    }
  }

  loadedAtOf(entry: number): number {
    return this.loadedAt[entry] as number;
  }

  lastSeenOf(entry: number): number {
    return this.lastSeen[entry] as number;
  }

  /** Presence moves a device's last-seen time forwards between store reads. */
  setLastSeen(entry: number, time: number): void {
    if (time > (this.lastSeen[entry] as number)) this.lastSeen[entry] = time;
  }

  /** Records the device's address; true when it differs from the one the entry had (or that was unknown). */
  moveAddress(entry: number, address: string): boolean {
    const hash = this.addressHash(address);
    if (this.addressHashes[entry] === hash) return false;
    this.addressHashes[entry] = hash;
    return true;
  }

  /** A new record object for the entry (the caller owns it); `guid` is the one it was found by. */
  record(entry: number, guid: string): DeviceRecord {
    return {
      id: this.ids[entry] as number,
      appId: this.appIds[entry] as number,
      guid,
      status: STATUSES[this.statuses[entry] as number] as DeviceStatus,
      grants: this.grants.get(entry) ?? null,
      firstSeen: this.firstSeen[entry] as number,
      lastSeen: this.lastSeen[entry] as number,
      lastAddress: null,
    };
  }

  /** Adds or replaces the device's entry. */
  put(device: DeviceRecord, loadedAt: number): void {
    if (!PRINTABLE_ASCII.test(device.guid)) return; // not a GUID the protocol allows: never cached
    let entry = this.find(device.appId, device.guid);
    if (entry === EMPTY) entry = this.add(device.appId, device.guid);
    this.ids[entry] = device.id;
    this.statuses[entry] = STATUSES.indexOf(device.status);
    this.firstSeen[entry] = device.firstSeen;
    this.lastSeen[entry] = device.lastSeen;
    this.addressHashes[entry] = device.lastAddress === null ? 0 : this.addressHash(device.lastAddress);
    this.loadedAt[entry] = loadedAt;
    if (device.grants) this.grants.set(entry, device.grants);
    else this.grants.delete(entry);
  }

  delete(appId: number, guid: string): void {
    const entry = this.find(appId, guid);
    if (entry !== EMPTY) this.remove(entry);
  }

  clear(): void {
    this.index.fill(EMPTY);
    this.entries = 0;
    this.free = [];
    this.arenaUsed = 0;
    this.arenaFree = 0;
    this.hand = 0;
    this.grants.clear();
  }

  private add(appId: number, guid: string): number {
    let entry: number;
    if (this.free.length > 0) entry = this.free.pop() as number;
    else if (this.entries < this.maxEntries) {
      if (this.entries === this.ids.length) this.growEntries();
      entry = this.entries++;
    } else {
      entry = this.evict();
    }
    if ((this.size + 1) * 2 > this.index.length) this.growIndex();
    this.appIds[entry] = appId;
    this.hashes[entry] = this.hash(appId, guid);
    this.used[entry] = 1;
    this.storeGuid(entry, guid);
    reindex(this.index, entry, this.homeOf(entry));
    return entry;
  }

  /** CLOCK: the first entry from the hand not used since the hand last passed; it is removed. */
  private evict(): number {
    for (;;) {
      const entry = this.hand;
      this.hand = (this.hand + 1) % this.entries;
      if (this.used[entry] === 1) this.used[entry] = 0;
      else {
        this.remove(entry);
        return this.free.pop() as number;
      }
    }
  }

  private remove(entry: number): void {
    unindex(this.index, entry, this.homeOf);
    this.arenaFree += this.guidLength[entry] as number;
    this.guidLength[entry] = 0;
    this.used[entry] = 0;
    this.grants.delete(entry);
    this.free.push(entry);
  }

  private guidIs(entry: number, guid: string): boolean {
    const length = this.guidLength[entry] as number;
    if (length !== guid.length) return false;
    const at = this.guidAt[entry] as number;
    for (let i = 0; i < length; i++) if (this.arena[at + i] !== guid.charCodeAt(i)) return false;
    return true;
  }

  private storeGuid(entry: number, guid: string): void {
    if (this.arenaUsed + guid.length > this.arena.length) this.compactArena(guid.length);
    const at = this.arenaUsed;
    for (let i = 0; i < guid.length; i++) this.arena[at + i] = guid.charCodeAt(i);
    this.guidAt[entry] = at;
    this.guidLength[entry] = guid.length;
    this.arenaUsed += guid.length;
  }

  /**
   * Copies the live GUIDs into an arena with room for `more` bytes: the same size when at least half
   * was garbage, else twice the size (a million 12-byte GUIDs take a 16 MiB arena).
   */
  private compactArena(more: number): void {
    const live = this.arenaUsed - this.arenaFree;
    let size = 2 * live > this.arena.length ? 2 * this.arena.length : this.arena.length;
    while (size < live + more) size *= 2;
    const old = this.arena;
    this.arena = new Uint8Array(size);
    this.arenaUsed = 0;
    for (let entry = 0; entry < this.entries; entry++) {
      const length = this.guidLength[entry] as number;
      if (length === 0) continue;
      this.arena.set(old.subarray(this.guidAt[entry] as number, (this.guidAt[entry] as number) + length), this.arenaUsed);
      this.guidAt[entry] = this.arenaUsed;
      this.arenaUsed += length;
    }
    this.arenaFree = 0;
  }

  private growEntries(): void {
    const size = Math.min(this.ids.length * 2, Math.max(this.maxEntries, 16));
    this.ids = grown(this.ids, size);
    this.appIds = grown(this.appIds, size);
    this.hashes = grown(this.hashes, size);
    this.statuses = grown(this.statuses, size);
    this.used = grown(this.used, size);
    this.firstSeen = grown(this.firstSeen, size);
    this.lastSeen = grown(this.lastSeen, size);
    this.addressHashes = grown(this.addressHashes, size);
    this.loadedAt = grown(this.loadedAt, size);
    this.guidAt = grown(this.guidAt, size);
    this.guidLength = grown(this.guidLength, size);
  }

  private growIndex(): void {
    this.index = new Int32Array(this.index.length * 2).fill(EMPTY);
    for (let entry = 0; entry < this.entries; entry++) {
      if (this.guidLength[entry] !== 0) reindex(this.index, entry, this.homeOf(entry)); // 0: a free entry
    }
  }

  private hash(appId: number, guid: string): number {
    return finish(fnvMix(fnvStart(this.seed, appId), guid));
  }

  /** Never 0 (unknown). Two addresses sharing a hash (2^-32) hide one move until the next. */
  private addressHash(address: string): number {
    return finish(fnvMix(fnvStart(this.seed, 1), address)) || 1;
  }
}
