import type { FastifyBaseLogger } from 'fastify';
import type { AppRecord, CheckIn, DeviceRecord, Store } from '../store/types.js';
import type { Directory } from './directory.js';
import { OnlineTable } from './online-table.js';
import type { SystemEvents } from './system-events.js';

/**
 * Presence (PROTOCOL §8): every authenticated request is a check-in. Check-ins update the cached
 * device at once and reach the store in one batch per interval, not one write per request.
 * A device is online while seen within two refresh intervals; going online or offline is recorded
 * in `$stratus/presence`.
 */
export class Presence {
  private pending = new Map<number, CheckIn>();
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
    this.timer = setInterval(() => void this.tick(clock()), flushMs);
    this.timer.unref();
  }

  /** What the timer does: writes the check-ins, then records the devices gone offline by `now`. */
  async tick(now: number): Promise<void> {
    await this.flush();
    await this.markOffline(now);
    await Promise.all(this.recording);
  }

  /** `lastSeen`: when the device was seen before this request, null for a device seen the first time. */
  checkIn(app: AppRecord, device: DeviceRecord, lastSeen: number | null, address: string | null, now: number, refreshSeconds: number): void {
    const held = this.online.set(device.id, app.id, now + 2 * refreshSeconds, 2 * refreshSeconds);
    const wasOnline = held || (lastSeen !== null && lastSeen >= now - 2 * refreshSeconds);
    // the store is told of an address only when it changes: most check-ins write a time alone
    const moved = address !== null && address !== device.lastAddress ? address : (this.pending.get(device.id)?.address ?? null);
    device.lastSeen = Math.max(device.lastSeen, now);
    device.lastAddress = address ?? device.lastAddress;
    this.cache.seen(device);
    this.pending.set(device.id, { deviceId: device.id, time: device.lastSeen, address: moved });
    if (this.apps.get(app.id) !== app) this.apps.set(app.id, app);
    if (!wasOnline) this.record(app, { device: device.guid, online: true, address }, now);
  }

  private record(app: AppRecord, event: Record<string, unknown>, now: number): void {
    const written = this.events.record(app, 'presence', event, now).finally(() => this.recording.delete(written));
    this.recording.add(written);
  }

  /**
   * Devices this node has not seen for two refresh intervals. With several nodes, the device may be
   * talking to another one: the stored last-seen time (every node flushes its check-ins before
   * this) decides, so only a device that no node has seen goes offline, and the event is recorded
   * once per node that had it online, not on every node it ever visited.
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

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.store.writePresence(batch);
    } catch (error) {
      this.log.error({ err: error, devices: batch.length }, 'presence flush failed; will retry');
      for (const c of batch) if (!this.pending.has(c.deviceId)) this.pending.set(c.deviceId, c);
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
