import { StratusError } from '../protocol/index.js';
import type { AppRecord, DeviceCounts, Store } from '../store/types.js';
import { MinuteCounter } from './minute-counter.js';
import type { ServerOptions } from './options.js';

type QuotaOptions = Pick<
  ServerOptions,
  'newDevicesPerAppPerMinute' | 'newDevicesPerAddressPerMinute' | 'maxPendingDevicesPerApp' | 'maxDevicesPerApp' | 'appCacheMs'
>;

/**
 * The limits on what one holder of an app secret can make the server keep: new devices per app and
 * per source address each minute, pending devices per app, devices per app. Counts are this node's
 * view (the store's count, at most `appCacheMs` old, plus what this node registered since), so on
 * several nodes a quota can be passed by what the others registered meanwhile.
 */
export class Quotas {
  private readonly perApp = new MinuteCounter(10_000);
  private readonly perAddress = new MinuteCounter(100_000);
  private readonly counts = new Map<number, { counts: DeviceCounts; loadedAtMs: number }>();
  private readonly loading = new Map<number, Promise<DeviceCounts>>();

  constructor(
    private readonly store: Store,
    private readonly options: QuotaOptions,
  ) {}

  /** Throws `rate_limited` or `quota_exceeded` when the app may not register another device now. */
  async checkNewDevice(app: AppRecord, address: string, pending: boolean, now: number): Promise<void> {
    const o = this.options;
    const addressWait = this.perAddress.take(address, now, o.newDevicesPerAddressPerMinute);
    if (addressWait > 0) {
      throw new StratusError('rate_limited', `more than ${o.newDevicesPerAddressPerMinute} new devices a minute from this address`, { retryAfterSeconds: addressWait });
    }
    const appWait = this.perApp.take(String(app.id), now, o.newDevicesPerAppPerMinute);
    if (appWait > 0) {
      throw new StratusError('rate_limited', `more than ${o.newDevicesPerAppPerMinute} new devices a minute in app "${app.name}"`, { retryAfterSeconds: appWait });
    }
    // Checked and counted with no await in between, so concurrent first calls cannot all pass.
    const counts = await this.deviceCounts(app.id);
    if (o.maxDevicesPerApp > 0 && counts.total >= o.maxDevicesPerApp) {
      throw new StratusError('quota_exceeded', `app "${app.name}" has ${counts.total} devices, its limit`);
    }
    if (pending && o.maxPendingDevicesPerApp > 0 && counts.pending >= o.maxPendingDevicesPerApp) {
      throw new StratusError('quota_exceeded', `app "${app.name}" has ${counts.pending} devices waiting for approval, its limit`);
    }
    counts.total += 1;
    if (pending) counts.pending += 1;
  }

  /** The app's counts: loaded once per `appCacheMs` (one load shared by concurrent callers), then counted here. */
  private async deviceCounts(appId: number): Promise<DeviceCounts> {
    const cached = this.counts.get(appId);
    if (cached && Date.now() - cached.loadedAtMs < this.options.appCacheMs) return cached.counts;
    const loading = this.loading.get(appId) ?? this.store.deviceCounts(appId);
    this.loading.set(appId, loading);
    try {
      const counts = await loading;
      if (this.loading.get(appId) === loading) this.counts.set(appId, { counts, loadedAtMs: Date.now() });
      return (this.counts.get(appId) as { counts: DeviceCounts }).counts;
    } finally {
      this.loading.delete(appId);
    }
  }
}
