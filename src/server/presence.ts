import type { FastifyBaseLogger } from 'fastify';
import type { AppRecord, CheckIn, DeviceRecord, Store } from '../store/types.js';
import type { SystemEvents } from './system-events.js';

interface Online {
  app: AppRecord;
  guid: string;
  /** Offline unless seen again before this second. */
  offlineAt: number;
  /** Two refresh intervals: seen within this long is online. */
  windowSeconds: number;
}

/**
 * Presence (PROTOCOL §8): every authenticated request is a check-in. Check-ins update the cached
 * device at once and reach the store in one batch per interval, not one write per request.
 * A device is online while seen within two refresh intervals; going online or offline is recorded
 * in `$stratus/presence`.
 */
export class Presence {
  private pending = new Map<number, CheckIn>();
  private readonly online = new Map<number, Online>();
  /**
   * Online devices by the second they go offline unless seen again, so that each flush visits only
   * the devices due, not every device online (a million of them would stall the event loop).
   */
  private readonly due = new Map<number, Set<number>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly events: SystemEvents,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(flushMs: number, clock: () => number): void {
    this.timer = setInterval(() => {
      void this.flush().then(() => this.markOffline(clock()));
    }, flushMs);
    this.timer.unref();
  }

  /** `lastSeen`: when the device was seen before this request, null for a device seen the first time. */
  checkIn(app: AppRecord, device: DeviceRecord, lastSeen: number | null, address: string | null, now: number, refreshSeconds: number): void {
    const entry = this.online.get(device.id);
    const wasOnline = entry !== undefined || (lastSeen !== null && lastSeen >= now - 2 * refreshSeconds);
    device.lastSeen = Math.max(device.lastSeen, now);
    device.lastAddress = address ?? device.lastAddress;
    this.pending.set(device.id, { deviceId: device.id, time: device.lastSeen, address: device.lastAddress });
    const offlineAt = now + 2 * refreshSeconds;
    if (entry === undefined) {
      this.online.set(device.id, { app, guid: device.guid, offlineAt, windowSeconds: 2 * refreshSeconds });
      this.schedule(device.id, offlineAt);
    } else {
      entry.app = app;
      entry.windowSeconds = 2 * refreshSeconds;
      if (entry.offlineAt !== offlineAt) {
        this.unschedule(device.id, entry.offlineAt);
        this.schedule(device.id, offlineAt);
        entry.offlineAt = offlineAt;
      }
    }
    if (!wasOnline) void this.events.record(app, 'presence', { device: device.guid, online: true, address }, now);
  }

  private schedule(deviceId: number, at: number): void {
    let ids = this.due.get(at);
    if (ids === undefined) this.due.set(at, (ids = new Set()));
    ids.add(deviceId);
  }

  private unschedule(deviceId: number, at: number): void {
    const ids = this.due.get(at);
    ids?.delete(deviceId);
    if (ids?.size === 0) this.due.delete(at);
  }

  /**
   * Devices this node has not seen for two refresh intervals. With several nodes, the device may be
   * talking to another one: the stored last-seen time (every node flushes its check-ins before
   * this) decides, so only a device that no node has seen goes offline, and the event is recorded
   * once per node that had it online, not on every node it ever visited.
   */
  private async markOffline(now: number): Promise<void> {
    const gone: Online[] = [];
    // one bucket per second of the longest window: a few hundred keys, not a million devices
    for (const [at, ids] of this.due) {
      if (at > now) continue;
      this.due.delete(at);
      for (const id of ids) {
        const entry = this.online.get(id);
        this.online.delete(id);
        if (entry) gone.push(entry);
      }
    }
    for (const entry of gone) {
      const stored = await this.store.getDevice(entry.app.id, entry.guid).catch(() => null);
      if (stored && stored.lastSeen + entry.windowSeconds > now) continue; // seen through another node
      void this.events.record(entry.app, 'presence', { device: entry.guid, online: false }, now);
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

  forget(deviceId: number): void {
    this.pending.delete(deviceId);
    const entry = this.online.get(deviceId);
    if (entry) this.unschedule(deviceId, entry.offlineAt);
    this.online.delete(deviceId);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
