import type { FastifyBaseLogger } from 'fastify';
import type { AppRecord, CheckIn, DeviceRecord, Store } from '../store/types.js';
import type { Directory } from './directory.js';
import { OnlineTable } from './online-table.js';
import { PendingCheckIns, SLICES } from './pending-check-ins.js';
import type { SystemEvents } from './system-events.js';

/**
 * Presence (PROTOCOL §8): every authenticated request is a check-in. Check-ins update the cached
 * device at once and reach the store in batches, not one write per request: news (a device this
 * node did not hold online, a new address, a device near the end of its window) on the next tick,
 * the repeat check-ins of a device held online in device-id slices, one slice a tick
 * (pending-check-ins.ts), so each write touches a few pages. A device is online while seen within
 * two refresh intervals; going online or offline is recorded in `$stratus/presence`.
 */
export class Presence {
  private readonly pending = new PendingCheckIns();
  /** How late a repeat check-in may reach the store: SLICES ticks, and one more for the tick's own phase. */
  private lagSeconds = SLICES + 1;
  /**
   * Online devices with the second each goes offline unless seen again, in typed arrays: each flush
   * visits only the devices due, and a million online devices cost ~50 MB, not ~140 MB of objects.
   */
  private readonly online = new OnlineTable();
  /** The apps of online devices (few), for the offline events. */
  private readonly apps = new Map<number, AppRecord>();
  private timer: NodeJS.Timeout | null = null;
  /** Presence events being written: a tick and stop wait for them. */
  private readonly recording = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly events: SystemEvents,
    private readonly log: FastifyBaseLogger,
    /** The cached devices: a check-in moves the cached last-seen time at once. */
    private readonly cache: Pick<Directory, 'seen'>,
  ) {}

  start(flushMs: number, clock: () => number): void {
    this.lagSeconds = Math.ceil(((SLICES + 1) * flushMs) / 1000);
    this.timer = setInterval(() => void this.tick(clock()), flushMs);
    this.timer.unref();
  }

  /** What the timer does: writes the news and one slice, then records the devices gone offline by `now`. */
  async tick(now: number): Promise<void> {
    await this.write(this.pending.takeTick());
    await this.markOffline(now);
    await Promise.all(this.recording);
  }

  /** `lastSeen`: when the device was seen before this request, null for a device seen the first time. */
  checkIn(app: AppRecord, device: DeviceRecord, lastSeen: number | null, address: string | null, now: number, refreshSeconds: number): void {
    const window = 2 * refreshSeconds;
    const seenHere = this.online.seenAt(device.id);
    const held = this.online.set(device.id, app.id, now + window, window);
    const wasOnline = held || (lastSeen !== null && lastSeen >= now - window);
    device.lastSeen = Math.max(device.lastSeen, now);
    // the store is told of an address only when it changes: most check-ins write a time alone
    // (the cache knows the last address; a cached record carries none)
    const moved = this.cache.seen(device, address);
    device.lastAddress = address ?? device.lastAddress;
    // Written on the next tick: a device new here (other nodes' markOffline must see it), a new
    // address, and a device silent here for more than its window less the lag: then the time of
    // every device online on some node is in the store before any node's window for it closes
    // (docs/scaling.md), so the stored times stay right for markOffline and the admin views.
    if (seenHere === undefined || moved || now - seenHere > window - this.lagSeconds) {
      this.pending.addNews({ deviceId: device.id, time: device.lastSeen, address: moved ? address : null });
    } else {
      this.pending.addRepeat(device.id, device.lastSeen);
    }
    if (this.apps.get(app.id) !== app) this.apps.set(app.id, app);
    if (!wasOnline) this.record(app, { device: device.guid, online: true, address }, now);
  }

  private record(app: AppRecord, event: Record<string, unknown>, now: number): void {
    const written = this.events.record(app, 'presence', event, now).finally(() => this.recording.delete(written));
    this.recording.add(written);
  }

  /**
   * Devices this node has not seen for two refresh intervals. With several nodes, the device may be
   * talking to another one: the stored last-seen time decides (a node writes a check-in that could
   * keep a device online past another node's window on its next tick, see checkIn), so only a
   * device that no node has seen goes offline, and the event is recorded once per node that had it
   * online, not on every node it ever visited. This node's own pending time cannot keep the device
   * online: it is the time the due second was counted from.
   */
  private async markOffline(now: number): Promise<void> {
    for (const entry of this.online.takeDue(now)) {
      const stored = await this.store.getDeviceById(entry.deviceId).catch(() => null);
      const app = this.apps.get(entry.appId);
      if (!stored || !app) continue; // deleted meanwhile
      if (stored.lastSeen + entry.windowSeconds > now) continue; // seen through another node
      this.record(app, { device: stored.guid, online: false }, now);
    }
  }

  /** Writes every pending check-in (stop, and tests). */
  async flush(): Promise<void> {
    await this.write(this.pending.takeAll());
  }

  /**
   * Writes the news only (new devices, addresses): what a reader of the store needs from this node
   * at once. Repeat times it can take from `pendingSeen`.
   */
  async flushNews(): Promise<void> {
    await this.write(this.pending.takeNews());
  }

  /** The time of this node's check-in of the device not yet in the store, 0 when none. */
  pendingSeen(deviceId: number): number {
    return this.pending.timeOf(deviceId);
  }

  private async write(batch: CheckIn[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await this.store.writePresence(batch);
    } catch (error) {
      this.log.error({ err: error, devices: batch.length }, 'presence flush failed; will retry');
      this.pending.putBack(batch);
    }
  }

  /** Devices this node holds online, per app id. */
  onlineByApp(): Map<number, number> {
    return this.online.countByApp();
  }

  forget(deviceId: number): void {
    this.pending.delete(deviceId);
    this.online.delete(deviceId);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    await Promise.all(this.recording);
  }
}
