/** Every server option with its default; units are in the names. docs/config.md has a row per option. */
export const DEFAULT_SERVER_OPTIONS = {
  host: '127.0.0.1',
  port: 8080,
  /** Largest request body. */
  bodyLimitBytes: 1_048_576,
  /** Largest message value (PROTOCOL §6: 64 KiB by default). */
  maxValueBytes: 65_536,
  maxPublishPerSync: 1000,
  maxSubscribePerSync: 100,
  /** Messages per stream in one answer, unless the subscription's `limit` is smaller. */
  pageSize: 100,
  maxPageSize: 1000,
  timeWindowSeconds: 300,
  /** A comment line on idle live streams, so proxies keep them open. */
  liveKeepAliveMs: 15_000,
  /** A live client that lets this much pile up unread is disconnected (it catches up with sync). */
  liveBufferBytes: 1_048_576,
  presenceFlushMs: 1000,
  sweepIntervalMs: 5000,
  sweepBatchRows: 10_000,
  /** Refresh interval assumed when the config has no `stratus.refresh`; online = seen within two. */
  defaultRefreshSeconds: 300,
  /** Requests per second per device (token bucket); 0 turns the limit off. */
  deviceRatePerSecond: 50,
  deviceRateBurst: 100,
  /** Devices kept in memory (~50 B each), so authentication needs no database read. */
  deviceCacheEntries: 2_000_000,
  /**
   * How long a node trusts a cached device record when it hears of no change: changes made through
   * any node reach every node at once; this bounds how late one is seen if that announcement is lost.
   */
  deviceCacheMs: 900_000,
  /** Quotas on what one holder of an app secret can make the server keep (0: no limit). */
  newDevicesPerAppPerMinute: 1000,
  newDevicesPerAddressPerMinute: 100,
  maxPendingDevicesPerApp: 1000,
  maxDevicesPerApp: 1_000_000,
  maxStreamsPerApp: 100_000,
  /** Streams one device may follow (hold a cursor on). */
  maxCursorsPerDevice: 1000,
  /** Rejections recorded in `$stratus/rejections` per app per minute (a device is refused either way). */
  rejectionsPerAppPerMinute: 60,
  /** How long a node trusts its cached app record and secrets. */
  appCacheMs: 5000,
  /** Read the client address from X-Forwarded-For (behind a load balancer). */
  trustProxy: false,
  /** A cap on the SQLite file (0: none); past it writes are refused as on a full disk. */
  sqliteMaxBytes: 0,
  /** A stop waits this long for requests in flight, then closes every connection. */
  shutdownTimeoutMs: 10_000,
  /** PEM certificate (chain) and key of the HTTPS listener; both or neither ('': plain HTTP). */
  tlsCert: '',
  tlsKey: '',
  /** With TLS: a plain-HTTP port that redirects every request to HTTPS (0: none). */
  httpRedirectPort: 0,
  /** With TLS: a plain-HTTP port serving only the signed device API, for devices without TLS (0: none). */
  plainDevicePort: 0,
  logLevel: 'info' as 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent',
  /** Serve Prometheus `/metrics` on a listener of its own, `host:port` (empty: not). docs/metrics.md. */
  metricsListen: '',
  /** Serve `/metrics` on the main port too, to requests bearing this token (empty: not). */
  metricsToken: '',
  /** Defaults for `stratus app create`. */
  defaultTtlSeconds: 86_400,
  maxTtlSeconds: 31_536_000,
};

export type ServerOptions = typeof DEFAULT_SERVER_OPTIONS;

/** Merges given options over the defaults; unknown names are an error, not silently ignored. */
export function resolveOptions(given: Partial<ServerOptions>): ServerOptions {
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(DEFAULT_SERVER_OPTIONS, key)) throw new Error(`unknown server option "${key}"`);
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_SERVER_OPTIONS, ...defined };
}
