import { StratusError } from '../protocol/index.js';
import type { AppRecord, DeviceCounts, Store, StreamRef } from '../store/types.js';
import { streamKey } from '../store/stream-key.js';
import { systemMillisClock, type MillisClock } from './clock.js';
import { LruMap } from './lru.js';
import { MinuteCounter } from './minute-counter.js';
import type { ServerOptions } from './options.js';

type QuotaOptions = Pick<
  ServerOptions,
  | 'newDevicesPerAppPerMinute'
  | 'newDevicesPerAddressPerMinute'
  | 'maxPendingDevicesPerApp'
  | 'maxDevicesPerApp'
  | 'maxStreamsPerApp'
  | 'maxCursorsPerDevice'
  | 'appCacheMs'
>;

/**
 * Counts read from the store at most once per `maxAgeMs` a key, one read shared by concurrent
 * callers, then kept up to date in place by the caller: every caller gets the same object, so a
 * check and its increment, done with no await between, cannot both pass on a stale copy.
 */
class CountCache<K, V extends object> {
  private readonly entries: LruMap<K, { value: V; loadedAtMs: number }>;
  private readonly loading = new Map<K, Promise<V>>();

  constructor(
    maxKeys: number,
    private readonly maxAgeMs: number,
    private readonly clockMs: MillisClock,
  ) {
    this.entries = new LruMap(maxKeys);
  }

  get(key: K, load: () => Promise<V>): Promise<V> {
    const cached = this.entries.get(key);
    if (cached && this.clockMs() - cached.loadedAtMs < this.maxAgeMs) return Promise.resolve(cached.value);
    let loading = this.loading.get(key);
    if (loading === undefined) {
      loading = load()
        .then((value) => {
          this.entries.set(key, { value, loadedAtMs: this.clockMs() });
          return value;
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, loading);
    }
    return loading;
  }
}

/**
 * The limits on what one holder of an app secret can make the server keep: new devices per app and
 * per source address each minute, pending devices per app, devices per app, streams per app, and
 * streams a device follows (cursors). Counts are this node's view (the store's count, at most
 * `appCacheMs` old, plus what this node added since), so on several nodes a quota can be passed by
 * what the others added meanwhile. Streams and cursors known to exist are remembered, so a sync to
 * streams it has used before costs no read.
 */
export class Quotas {
  private readonly perApp = new MinuteCounter(10_000);
  private readonly perAddress = new MinuteCounter(100_000);
  private readonly knownStreams = new LruMap<string, true>(100_000);
  private readonly knownCursors = new LruMap<string, true>(100_000);
  private readonly deviceCounts: CountCache<number, DeviceCounts>;
  private readonly streamCounts: CountCache<number, { count: number }>;
  private readonly cursorCounts: CountCache<number, { count: number }>;
  /** Refusals so far by quota (/metrics); a publish item refused alone counts once. */
  readonly refused = {
    new_devices_per_address: 0,
    new_devices_per_app: 0,
    devices_per_app: 0,
    pending_devices_per_app: 0,
    cursors_per_device: 0,
    streams_per_app: 0,
  };

  constructor(
    private readonly store: Store,
    private readonly options: QuotaOptions,
    clockMs: MillisClock = systemMillisClock,
  ) {
    this.deviceCounts = new CountCache(10_000, options.appCacheMs, clockMs);
    this.streamCounts = new CountCache(10_000, options.appCacheMs, clockMs);
    this.cursorCounts = new CountCache(100_000, options.appCacheMs, clockMs);
  }

  /** Throws `rate_limited` or `quota_exceeded` when the app may not register another device now. */
  async checkNewDevice(app: AppRecord, address: string, pending: boolean, now: number): Promise<void> {
    const o = this.options;
    const addressWait = this.perAddress.take(address, now, o.newDevicesPerAddressPerMinute);
    if (addressWait > 0) {
      this.refused.new_devices_per_address += 1;
      throw new StratusError('rate_limited', `more than ${o.newDevicesPerAddressPerMinute} new devices a minute from this address`, { retryAfterSeconds: addressWait });
    }
    const appWait = this.perApp.take(String(app.id), now, o.newDevicesPerAppPerMinute);
    if (appWait > 0) {
      this.refused.new_devices_per_app += 1;
      throw new StratusError('rate_limited', `more than ${o.newDevicesPerAppPerMinute} new devices a minute in app "${app.name}"`, { retryAfterSeconds: appWait });
    }
    // Checked and counted with no await in between, so concurrent first calls cannot all pass.
    const counts = await this.deviceCounts.get(app.id, () => this.store.deviceCounts(app.id));
    if (o.maxDevicesPerApp > 0 && counts.total >= o.maxDevicesPerApp) {
      this.refused.devices_per_app += 1;
      throw new StratusError('quota_exceeded', `app "${app.name}" has ${counts.total} devices, its limit`);
    }
    if (pending && o.maxPendingDevicesPerApp > 0 && counts.pending >= o.maxPendingDevicesPerApp) {
      this.refused.pending_devices_per_app += 1;
      throw new StratusError('quota_exceeded', `app "${app.name}" has ${counts.pending} devices waiting for approval, its limit`);
    }
    counts.total += 1;
    if (pending) counts.pending += 1;
  }

  /**
   * Before a device's sync: refuses (quota_exceeded) subscriptions that would create streams past
   * the app's quota or cursors past the device's; returns the publish items (by index) that would
   * create a stream past the quota, to be rejected on their own.
   */
  async checkStreams(appId: number, deviceId: number, publish: readonly StreamRef[], subscribe: readonly StreamRef[]): Promise<Set<number>> {
    const o = this.options;
    const refused = new Set<number>();
    const newStreams = new Map<string, number[]>(); // key → publish indexes (-1: a subscription)
    const note = async (ref: StreamRef, index: number) => {
      const key = streamKey(ref);
      if (this.knownStreams.get(key)) return;
      if (!newStreams.has(key) && (await this.store.streamExists(ref))) {
        this.knownStreams.set(key, true);
        return;
      }
      newStreams.set(key, [...(newStreams.get(key) ?? []), index]);
    };
    for (const ref of subscribe) await note(ref, -1);
    for (const [i, ref] of publish.entries()) await note(ref, i);

    const newCursors: string[] = [];
    for (const ref of subscribe) {
      const key = `${deviceId}\u0000${streamKey(ref)}`;
      if (this.knownCursors.get(key)) continue;
      if (await this.store.cursorExists(deviceId, ref)) this.knownCursors.set(key, true);
      else newCursors.push(key);
    }
    if (newCursors.length > 0 && o.maxCursorsPerDevice > 0) {
      const cursors = await this.cursorCounts.get(deviceId, async () => ({ count: await this.store.cursorCount(deviceId) }));
      if (cursors.count + newCursors.length > o.maxCursorsPerDevice) {
        this.refused.cursors_per_device += 1;
        throw new StratusError('quota_exceeded', `a device may follow ${o.maxCursorsPerDevice} streams; this one follows ${cursors.count}`);
      }
      cursors.count += newCursors.length;
    }

    if (newStreams.size > 0 && o.maxStreamsPerApp > 0) {
      const streams = await this.streamCounts.get(appId, async () => ({ count: await this.store.streamCount(appId) }));
      for (const [key, indexes] of newStreams) {
        if (streams.count < o.maxStreamsPerApp) {
          streams.count += 1;
          continue;
        }
        this.refused.streams_per_app += indexes.includes(-1) ? 1 : indexes.length;
        if (indexes.includes(-1)) throw new StratusError('quota_exceeded', `the app has ${streams.count} streams, its limit`);
        for (const i of indexes) refused.add(i);
        newStreams.delete(key); // not created: the next publish to it is checked again
      }
    }
    for (const key of newStreams.keys()) this.knownStreams.set(key, true);
    for (const key of newCursors) this.knownCursors.set(key, true);
    return refused;
  }
}
