import { RESERVED_KEYS, sha256Hex, verifyStaticConfig, type ConfigSnapshot, type ConfigValues } from '../protocol/index.js';
import { ClientError } from './errors.js';
import type { ClientStorage } from './outbox.js';

const DEFAULT_REFRESH_SECONDS = 300;

export interface ConfigCacheOptions {
  storage: ClientStorage;
  server: string;
  app: string;
  device: string;
  secret: string;
  onChange: (values: ConfigValues) => void;
  report: (error: Error) => void;
}

/** What the cache keeps in the storage, read back at start. */
export interface SavedConfig {
  config: string | null;
  server: string | null;
  configUrl: string | null;
}

/**
 * The device's config as last received, kept in the storage across restarts, and the reserved keys
 * the SDK acts on: `stratus.server` (where requests go), `stratus.config_url` (a static signed
 * export instead of the server), `stratus.refresh` and `stratus.debug`.
 */
export class ConfigCache {
  private snapshot: ConfigSnapshot | null = null;
  private base: string;
  /** Set by `stratus.config_url`: where the config comes from from then on (a relocation, kept). */
  private url: string | null = null;

  constructor(private readonly options: ConfigCacheOptions) {
    this.base = options.server;
  }

  static readonly keys = ['config', 'server', 'configUrl'] as const;

  restore(saved: SavedConfig): void {
    this.snapshot = JSON.parse(saved.config ?? 'null') as ConfigSnapshot | null;
    this.base = saved.server ?? this.options.server;
    this.url = saved.configUrl;
  }

  /** The base URL requests go to now (after any `stratus.server` move). */
  get server(): string {
    return this.base;
  }

  get staticUrl(): string | null {
    return this.url;
  }

  get values(): ConfigValues {
    return this.snapshot?.values ?? {};
  }

  /** The sync request's `config` field: the ETag held, or nothing when the config comes from a static URL. */
  get request(): { config?: string | null } {
    return this.url ? {} : { config: this.snapshot?.etag ?? null };
  }

  get(key: string, fallback: string | number | boolean): string | number | boolean {
    const raw = this.snapshot?.values[key];
    if (raw === undefined) return fallback;
    if (typeof fallback === 'number') {
      const n = Number(raw);
      return raw.trim() !== '' && Number.isFinite(n) ? n : fallback;
    }
    if (typeof fallback === 'boolean') {
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      return fallback;
    }
    return raw;
  }

  get refreshSeconds(): number {
    return this.get(RESERVED_KEYS.refresh, DEFAULT_REFRESH_SECONDS) as number;
  }

  /** `stratus.debug` as a level: 0 silent, 1 error, 2 warn (the default), 3 info, 4 debug, 5+ trace. */
  get debugLevel(): number {
    const raw = this.get(RESERVED_KEYS.debug, 'warn') as string;
    const named = ['error', 'warn', 'info', 'debug', 'trace'].indexOf(raw);
    return named >= 0 ? named + 1 : /^\d$/.test(raw) ? Number(raw) : 2;
  }

  async apply(snapshot: ConfigSnapshot): Promise<void> {
    const { storage } = this.options;
    this.snapshot = snapshot;
    await storage.setState('config', JSON.stringify(snapshot));
    const server = snapshot.values[RESERVED_KEYS.server];
    if (server && server !== this.base) {
      this.base = server;
      await storage.setState('server', server);
    }
    const configUrl = snapshot.values[RESERVED_KEYS.configUrl];
    if (configUrl && configUrl !== this.url) {
      this.url = configUrl;
      await storage.setState('configUrl', configUrl);
    }
    this.options.onChange(snapshot.values);
  }

  /** `stratus.config_url`: the config comes from a signed static export there (PROTOCOL §5). True when it changed. */
  async fetchStatic(): Promise<boolean> {
    const url = this.url;
    if (url === null) return false;
    const { secret, app, device } = this.options;
    try {
      const response = await fetch(url);
      if (!response.ok) throw new ClientError('bad_response', `${url} answered ${response.status}`);
      const text = await response.text();
      const values = verifyStaticConfig(secret, text, { app, device });
      if (values === null) throw new ClientError('bad_response', `${url} is not a config signed with the app's secret for this device`);
      const etag = `static-${sha256Hex(text).slice(0, 24)}`;
      if (etag === this.snapshot?.etag) return false;
      await this.apply({ etag, values });
      return true;
    } catch (error) {
      this.options.report(error as Error); // the cached config stays in force
      return false;
    }
  }
}
