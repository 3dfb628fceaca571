import type { ActiveSecret, AppRecord, DeviceRecord, Store } from '../store/types.js';
import { systemMillisClock, type MillisClock } from './clock.js';
import { DeviceTable } from './device-table.js';

export interface CachedApp {
  app: AppRecord;
  secrets: ActiveSecret[];
  /** The secrets' texts, in the same order. */
  secretTexts: string[];
  loadedAtMs: number;
}

/** The cached secrets still valid at `now`, newest first: expiry is checked on every use, not only on reload. */
export function secretsAt(cached: CachedApp, now: number): readonly string[] {
  // the hot path: no secret has run out (outside a rotation's last second, always), no allocation
  if (cached.secrets.every((s) => s.expiresAt === null || s.expiresAt > now)) return cached.secretTexts;
  return cached.secrets.filter((s) => s.expiresAt === null || s.expiresAt > now).map((s) => s.secret);
}

/**
 * The hot-path view of apps, their secrets and devices, so an authenticated poll needs no query.
 * Changes made through any node drop the cached record at once (this node's own, and those the
 * cluster hears of); the entries' ages bound how late a change is seen when an announcement is
 * lost: apps `appMaxAgeMs` (seconds: secrets rotate), devices `deviceMaxAgeMs` (longer than a
 * device's refresh interval, or every poll of a big fleet would read the database).
 */
export class Directory {
  private readonly apps = new Map<string, CachedApp>();
  private readonly devices: DeviceTable;
  /** Bumped by every forget: a read that started before one is answered but not cached. */
  private generation = 0;

  constructor(
    private readonly store: Store,
    private readonly appMaxAgeMs: number,
    private readonly deviceMaxAgeMs: number,
    deviceEntries: number,
    private readonly clockMs: MillisClock = systemMillisClock,
  ) {
    this.devices = new DeviceTable(deviceEntries);
  }

  /** The cached app when fresh; the hot path takes it without a promise. */
  peekApp(name: string): CachedApp | undefined {
    const cached = this.apps.get(name);
    return cached && this.clockMs() - cached.loadedAtMs < this.appMaxAgeMs ? cached : undefined;
  }

  async app(name: string, now: number): Promise<CachedApp | null> {
    const cached = this.peekApp(name);
    if (cached) return cached;
    const generation = this.generation;
    const app = await this.store.getApp(name);
    if (!app) {
      this.apps.delete(name);
      return null;
    }
    const secrets = await this.store.activeSecrets(app.id, now);
    const entry = { app, secrets, secretTexts: secrets.map((s) => s.secret), loadedAtMs: this.clockMs() };
    if (generation === this.generation) this.apps.set(name, entry);
    return entry;
  }

  /** The cached device when fresh: a new record object, the caller's to change. */
  peekDevice(appId: number, guid: string): DeviceRecord | undefined {
    const entry = this.freshEntry(appId, guid);
    return entry < 0 ? undefined : this.devices.record(entry, guid);
  }

  async device(appId: number, guid: string): Promise<DeviceRecord | null> {
    const cached = this.peekDevice(appId, guid);
    if (cached) return cached;
    const generation = this.generation;
    const device = await this.store.getDevice(appId, guid);
    if (generation !== this.generation) return device;
    if (device) {
      // presence is written in batches: keep the newer time this node saw
      const held = this.devices.find(appId, guid);
      if (held >= 0) device.lastSeen = Math.max(device.lastSeen, this.devices.lastSeenOf(held));
      this.rememberDevice(device);
    } else {
      this.devices.delete(appId, guid);
    }
    return device;
  }

  rememberDevice(device: DeviceRecord): void {
    this.devices.put(device, this.clockMs());
  }

  /**
   * A check-in: the cached device's last-seen time moves forwards until its next read, and its
   * address is compared with the last one. True when the address is news: it differs from the
   * cached one, or the device is not cached and it differs from the record's.
   */
  seen(device: DeviceRecord, address: string | null): boolean {
    const entry = this.devices.find(device.appId, device.guid);
    if (entry < 0) return address !== null && address !== device.lastAddress;
    this.devices.setLastSeen(entry, device.lastSeen);
    return address !== null && this.devices.moveAddress(entry, address);
  }

  private freshEntry(appId: number, guid: string): number {
    const entry = this.devices.find(appId, guid);
    if (entry < 0) return entry;
    return this.clockMs() - this.devices.loadedAtOf(entry) < this.deviceMaxAgeMs ? entry : -1;
  }

  forgetApp(name: string): void {
    this.generation++;
    this.apps.delete(name);
  }

  forgetDevice(appId: number, guid: string): void {
    this.generation++;
    this.devices.delete(appId, guid);
  }

  forgetAll(): void {
    this.generation++;
    this.apps.clear();
    this.devices.clear();
  }
}
