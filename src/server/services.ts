import type { FastifyBaseLogger } from 'fastify';
import type { Store, StoreSyncInput, StoreSyncResult } from '../store/types.js';
import { systemMillisClock, type Clock, type MillisClock } from './clock.js';
import { Cluster } from './cluster.js';
import { ConfigViews, type ConfigView } from './config-view.js';
import { Directory } from './directory.js';
import { LiveHub } from './live-hub.js';
import { FleetActivity } from './metrics/activity.js';
import { syncAndNotify } from './messaging.js';
import { NonceCache } from './nonce-cache.js';
import type { ServerOptions } from './options.js';
import { Presence } from './presence.js';
import { Quotas } from './quotas.js';
import { RateLimiter } from './rate-limiter.js';
import { SystemEvents } from './system-events.js';

/**
 * Token buckets kept: the devices heard from most recently, which a flooding device always is
 * (a device whose bucket was dropped comes back with a full one).
 */
const RATE_LIMITED_DEVICES = 100_000;

/** What the routes share: the store and the in-memory views in front of it. */
export interface Services {
  store: Store;
  options: ServerOptions;
  clock: Clock;
  /** Milliseconds, for caches and rate limits. */
  clockMs: MillisClock;
  directory: Directory;
  configs: ConfigViews;
  nonces: NonceCache;
  rateLimiter: RateLimiter;
  quotas: Quotas;
  presence: Presence;
  events: SystemEvents;
  live: LiveHub;
  /** Messages published and delivered, per app and stream (/metrics, stratus top). */
  activity: FleetActivity;
  /** Cache changes told to, and messages heard from, the other nodes on the database. */
  cluster: Cluster;
  /** Every messaging write goes through here: the store, then live subscribers. */
  sync(input: StoreSyncInput): Promise<StoreSyncResult>;
}

export function createServices(
  store: Store,
  options: ServerOptions,
  clock: Clock,
  log: FastifyBaseLogger,
  clockMs: MillisClock = systemMillisClock,
): Services {
  const live = new LiveHub();
  const activity = new FleetActivity(live);
  const sync = (input: StoreSyncInput) => syncAndNotify(store, live, input, activity);
  const events = new SystemEvents(sync, log, options.rejectionsPerAppPerMinute);
  const directory = new Directory(store, options.appCacheMs, options.deviceCacheMs, options.deviceCacheEntries, clockMs);
  const configs = new ConfigViews(store, options.appCacheMs, clockMs);
  return {
    store,
    options,
    clock,
    clockMs,
    directory,
    configs,
    cluster: new Cluster(store, directory, configs, live, log),
    nonces: new NonceCache(options.timeWindowSeconds),
    rateLimiter: new RateLimiter(options.deviceRatePerSecond, options.deviceRateBurst, RATE_LIMITED_DEVICES),
    quotas: new Quotas(store, options, clockMs),
    presence: new Presence(store, events, log, directory),
    events,
    live,
    activity,
    sync,
  };
}

/** Seconds between a device's updates, from its merged config (`stratus.refresh`). */
export function refreshSecondsIn(view: ConfigView, fallbackSeconds: number): number {
  const refresh = Number(view.values['stratus.refresh']);
  return Number.isFinite(refresh) && refresh > 0 ? refresh : fallbackSeconds;
}

export async function refreshSecondsOf(services: Services, appId: number, deviceId: number): Promise<number> {
  const view = services.configs.peek(appId, deviceId) ?? (await services.configs.forDevice(appId, deviceId));
  return refreshSecondsIn(view, services.options.defaultRefreshSeconds);
}
