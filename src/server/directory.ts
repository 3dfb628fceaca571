import type { ActiveSecret, AppRecord, DeviceRecord, Store } from '../store/types.js';
import { systemMillisClock, type MillisClock } from './clock.js';
import { LruMap } from './lru.js';

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

interface CachedDevice {
  device: DeviceRecord;
  loadedAtMs: number;
}

/**
 * The hot-path view of apps, their secrets and devices, so an authenticated poll needs no query.
 * Entries live `maxAgeMs` so changes made through another node are seen within that time; changes
 * made through this node invalidate at once.
 */
export class Directory {
  private readonly apps = new Map<string, CachedApp>();
  private readonly devices: LruMap<string, CachedDevice>;
  /** Bumped by every forget: a read that started before one is answered but not cached. */
  private generation = 0;

  constructor(
    private readonly store: Store,
    private readonly maxAgeMs: number,
    deviceEntries: number,
    private readonly clockMs: MillisClock = systemMillisClock,
  ) {
    this.devices = new LruMap(deviceEntries);
  }

  /** The cached app when fresh; the hot path takes it without a promise. */
  peekApp(name: string): CachedApp | undefined {
    const cached = this.apps.get(name);
    return cached && this.clockMs() - cached.loadedAtMs < this.maxAgeMs ? cached : undefined;
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

  /** The cached device when fresh. */
  peekDevice(appId: number, guid: string): DeviceRecord | undefined {
    const cached = this.devices.get(`${appId}:${guid}`);
    return cached && this.clockMs() - cached.loadedAtMs < this.maxAgeMs ? cached.device : undefined;
  }

  async device(appId: number, guid: string): Promise<DeviceRecord | null> {
    const key = `${appId}:${guid}`;
    const cached = this.devices.get(key);
    if (cached && this.clockMs() - cached.loadedAtMs < this.maxAgeMs) return cached.device;
    const generation = this.generation;
    const device = await this.store.getDevice(appId, guid);
    if (generation !== this.generation) return device;
    if (device) {
      // presence is written in batches: keep the newer time this node saw
      if (cached && cached.device.lastSeen > device.lastSeen) {
        device.lastSeen = cached.device.lastSeen;
        device.lastAddress = cached.device.lastAddress;
      }
      this.devices.set(key, { device, loadedAtMs: this.clockMs() });
    } else {
      this.devices.delete(key);
    }
    return device;
  }

  rememberDevice(device: DeviceRecord): void {
    this.devices.set(`${device.appId}:${device.guid}`, { device, loadedAtMs: this.clockMs() });
  }

  forgetApp(name: string): void {
    this.generation++;
    this.apps.delete(name);
  }

  forgetDevice(appId: number, guid: string): void {
    this.generation++;
    this.devices.delete(`${appId}:${guid}`);
  }

  forgetAll(): void {
    this.generation++;
    this.apps.clear();
    this.devices.clear();
  }
}
