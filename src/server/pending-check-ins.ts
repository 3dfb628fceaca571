import type { CheckIn } from '../store/types.js';

/**
 * Repeat check-ins wait in SLICES slices by device-id chunk and one slice is written a tick, so a
 * write touches a few contiguous pages of `device_seen` instead of one random page a device: ids
 * are sequential, and a chunk of SLICE_CHUNK ids is ~14 pages (~300 rows a page). With a million
 * devices a slice is 8 chunks (1/30 of the table) and a tick writes ~110 pages instead of ~2,100.
 * SLICES bounds how late a repeat time reaches the store (SLICES ticks); 30 keeps that well under
 * a default refresh interval (300 s), which is what keeps the stored times right for "online".
 */
export const SLICES = 30;
export const SLICE_CHUNK = 4096;
/**
 * Repeats that may wait (~40 B each in the slices' Maps, ~5 MB): a fleet polling every 300 s keeps
 * ~95k waiting with a million devices, a faster one would keep 31 s of its check-ins; past this a
 * tick writes the following slices too, in turn, so memory stays bounded whatever the rate.
 */
export const MAX_WAITING = 131_072;

export function sliceOf(deviceId: number): number {
  return Math.floor(deviceId / SLICE_CHUNK) % SLICES;
}

/**
 * The check-ins not yet written: news (written on the next tick) and repeat times in slices. A
 * device is in one of them at most; a slice keeps a time alone (news carries the addresses).
 */
export class PendingCheckIns {
  private news = new Map<number, CheckIn>();
  private readonly slices = Array.from({ length: SLICES }, () => new Map<number, number>());
  /** The slice the next tick writes. */
  private turn = 0;
  /** Entries in the slices. */
  private waiting = 0;

  constructor(private readonly maxWaiting = MAX_WAITING) {}

  get size(): number {
    return this.news.size + this.waiting;
  }

  /** Due on the next tick; merged with what is pending for the device (latest time, newest address). */
  addNews(checkIn: CheckIn): void {
    const slice = this.slices[sliceOf(checkIn.deviceId)] as Map<number, number>;
    const queued = slice.get(checkIn.deviceId);
    if (queued !== undefined && slice.delete(checkIn.deviceId)) this.waiting -= 1;
    const held = this.news.get(checkIn.deviceId);
    this.news.set(checkIn.deviceId, {
      deviceId: checkIn.deviceId,
      time: Math.max(checkIn.time, held?.time ?? 0, queued ?? 0),
      address: checkIn.address ?? held?.address ?? null,
    });
  }

  /** A time alone, written on its slice's turn (or with the news pending for the device). */
  addRepeat(deviceId: number, time: number): void {
    const held = this.news.get(deviceId);
    if (held) {
      if (time > held.time) held.time = time;
      return;
    }
    const slice = this.slices[sliceOf(deviceId)] as Map<number, number>;
    const queued = slice.get(deviceId);
    if (queued !== undefined && queued >= time) return;
    if (queued === undefined) this.waiting += 1;
    slice.set(deviceId, time);
  }

  /** The pending time of a device, 0 when nothing is pending. */
  timeOf(deviceId: number): number {
    return this.news.get(deviceId)?.time ?? this.slices[sliceOf(deviceId)]?.get(deviceId) ?? 0;
  }

  delete(deviceId: number): void {
    this.news.delete(deviceId);
    if (this.slices[sliceOf(deviceId)]?.delete(deviceId)) this.waiting -= 1;
  }

  /** What a tick writes: the news and the slice whose turn it is (and the next while too many wait), in device-id order. */
  takeTick(): CheckIn[] {
    const batch = this.takeNewsEntries();
    do {
      batch.push(...this.timesOf(this.slices[this.turn] as Map<number, number>));
      this.turn = (this.turn + 1) % SLICES;
    } while (this.waiting > this.maxWaiting);
    return byId(batch);
  }

  takeNews(): CheckIn[] {
    return byId(this.takeNewsEntries());
  }

  takeAll(): CheckIn[] {
    return byId([...this.takeNewsEntries(), ...this.slices.flatMap((slice) => this.timesOf(slice))]);
  }

  /** A batch that failed to be written, back as news (retried on the next tick) under anything newer. */
  putBack(batch: readonly CheckIn[]): void {
    for (const c of batch) this.addNews({ ...c, address: this.news.get(c.deviceId)?.address ?? c.address });
  }

  private takeNewsEntries(): CheckIn[] {
    const news = [...this.news.values()];
    this.news = new Map();
    return news;
  }

  private timesOf(slice: Map<number, number>): CheckIn[] {
    const batch: CheckIn[] = [];
    for (const [deviceId, time] of slice) batch.push({ deviceId, time, address: null });
    this.waiting -= slice.size;
    slice.clear();
    return batch;
  }
}

function byId(batch: CheckIn[]): CheckIn[] {
  return batch.sort((a, b) => a.deviceId - b.deviceId);
}
