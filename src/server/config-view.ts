import { configEtag, formatConfigText, type ConfigValues } from '../protocol/index.js';
import type { Store } from '../store/types.js';
import { systemMillisClock, type MillisClock } from './clock.js';

/** A device's merged config as served: values, text and ETag (quoted, as in the header). */
export interface ConfigView {
  etag: string;
  values: ConfigValues;
  text: string;
}

interface AppConfig {
  appWide: Map<string, string>;
  overrides: Map<number, Map<string, string>>;
  views: Map<number, ConfigView>;
  loadedAtMs: number;
}

function view(values: Record<string, string>): ConfigView {
  const text = formatConfigText(values);
  return { etag: configEtag(text), values: Object.freeze(values), text };
}

/** Strips quotes and a weak prefix so `"abc"`, `W/"abc"` and `abc` compare equal. */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** Does an If-None-Match header (one or more ETags) name this ETag? */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  const wanted = normalizeEtag(etag);
  return ifNoneMatch.split(',').some((t) => normalizeEtag(t.trim()) === wanted);
}

/**
 * Merged configs per app (PROTOCOL §5): app-wide entries, overridden per device. One load per app
 * holds every override (they are few), so a poll, and a 304 above all, touches no database.
 */
export class ConfigViews {
  private readonly apps = new Map<number, AppConfig>();
  private readonly loading = new Map<number, Promise<AppConfig>>();
  /** Bumped by every invalidation: a load that started before one must not be kept. */
  private generation = 0;

  constructor(
    private readonly store: Store,
    private readonly maxAgeMs: number,
    private readonly clockMs: MillisClock = systemMillisClock,
  ) {}

  private async load(appId: number): Promise<AppConfig> {
    const generation = this.generation;
    const appWide = new Map<string, string>();
    const overrides = new Map<number, Map<string, string>>();
    for (const e of await this.store.configEntries(appId)) {
      if (e.deviceId === null) appWide.set(e.key, e.value);
      else {
        const own = overrides.get(e.deviceId) ?? new Map<string, string>();
        own.set(e.key, e.value);
        overrides.set(e.deviceId, own);
      }
    }
    const config = { appWide, overrides, views: new Map(), loadedAtMs: this.clockMs() };
    // Read before a change that was invalidated meanwhile: answer this caller, cache nothing.
    if (generation === this.generation) this.apps.set(appId, config);
    return config;
  }

  private async appConfig(appId: number): Promise<AppConfig> {
    const cached = this.apps.get(appId);
    if (cached && this.clockMs() - cached.loadedAtMs < this.maxAgeMs) return cached;
    let pending = this.loading.get(appId);
    if (!pending) {
      const started = this.load(appId).finally(() => {
        if (this.loading.get(appId) === started) this.loading.delete(appId);
      });
      pending = started;
      this.loading.set(appId, pending);
    }
    return pending;
  }

  /** The merged view when the app's config is loaded and fresh: the poll path needs no promise. */
  peek(appId: number, deviceId: number | null): ConfigView | undefined {
    const cached = this.apps.get(appId);
    return cached && this.clockMs() - cached.loadedAtMs < this.maxAgeMs ? this.merge(cached, deviceId) : undefined;
  }

  /** The merged view for a device; `deviceId` null gives the app-wide default. */
  async forDevice(appId: number, deviceId: number | null): Promise<ConfigView> {
    return this.peek(appId, deviceId) ?? this.merge(await this.appConfig(appId), deviceId);
  }

  private merge(config: AppConfig, deviceId: number | null): ConfigView {
    const own = deviceId === null ? undefined : config.overrides.get(deviceId);
    const key = own ? (deviceId as number) : 0; // devices without overrides share the app-wide view
    let merged = config.views.get(key);
    if (!merged) {
      merged = view(Object.fromEntries([...config.appWide, ...(own ?? [])]));
      config.views.set(key, merged);
    }
    return merged;
  }

  invalidate(appId: number): void {
    this.generation++;
    this.apps.delete(appId);
    this.loading.delete(appId);
  }

  invalidateAll(): void {
    this.generation++;
    this.apps.clear();
    this.loading.clear();
  }
}
