import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuthThrottle } from '../auth-throttle.js';
import type { Services } from '../services.js';

/** Node's process metrics from prom-client (CPU, memory, event loop lag…), under these prefixes. */
export const PROCESS_METRIC_PREFIXES = ['process_', 'nodejs_'] as const;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const COMMIT_SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const COMMIT_JOBS_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** Sets a counter to totals kept elsewhere (read on scrape): the module counts, the registry reports. */
function setTotals<T extends string>(counter: Counter<T>, totals: Iterable<[Partial<Record<T, string>>, number]>): void {
  counter.reset();
  for (const [labels, value] of totals) counter.inc(labels, value);
}

/**
 * The server's Prometheus metrics (docs/metrics.md has a row per name). Request counts and latencies
 * are observed as requests end; everything else is read from the modules that keep it when scraped,
 * so serving requests costs nothing more while nobody scrapes.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'code'>;
  private readonly latency: Histogram<'method' | 'route'>;

  constructor(services: Services, adminThrottle: AuthThrottle) {
    const registers = [this.registry];
    services.activity.watch(); // for the life of the server
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'stratus_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'code'],
      registers,
    });
    this.latency = new Histogram({
      name: 'stratus_http_request_duration_seconds',
      help: 'Time from request to answer, by method and route pattern (event streams excluded)',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });

    const writePath = services.store.writePath;
    if (writePath) {
      const jobs = new Histogram({
        name: 'stratus_store_commit_batch_size',
        help: 'Write calls committed together in one group-commit transaction (SQLite)',
        buckets: COMMIT_JOBS_BUCKETS,
        registers,
      });
      const fsync = new Histogram({
        name: 'stratus_store_commit_seconds',
        help: 'Time COMMIT took, its fsync included (SQLite writer thread)',
        buckets: COMMIT_SECONDS_BUCKETS,
        registers,
      });
      writePath.onCommit = (figure) => {
        jobs.observe(figure.jobs);
        fsync.observe(figure.seconds);
      };
      new Gauge({
        name: 'stratus_store_writer_queue_depth',
        help: 'Write calls made and not yet committed and answered (SQLite writer thread)',
        registers,
        collect() {
          this.set(writePath.queueDepth);
        },
      });
    }

    const appNames = async (): Promise<Map<number, string>> => {
      const apps = await services.store.listApps().catch(() => []);
      return new Map(apps.map((a) => [a.id, a.name]));
    };
    new Gauge({
      name: 'stratus_devices_online',
      help: 'Devices this node holds online (seen within two refresh intervals), per app',
      labelNames: ['app'],
      registers,
      async collect() {
        const names = await appNames();
        this.reset();
        for (const name of names.values()) this.set({ app: name }, 0);
        for (const [id, n] of services.presence.onlineByApp()) this.set({ app: names.get(id) ?? String(id) }, n);
      },
    });
    new Gauge({
      name: 'stratus_live_connections',
      help: 'Open live streams (device GET /v1/live and the admin live tail and event stream)',
      registers,
      collect() {
        this.set(services.live.openStreams);
      },
    });
    new Gauge({
      name: 'stratus_nonce_cache_entries',
      help: 'Request nonces remembered to refuse replays within the time window',
      registers,
      collect() {
        this.set(services.nonces.size);
      },
    });
    new Counter({
      name: 'stratus_refusals_total',
      help: 'Requests (or publish items) refused by a rate limit or quota, by reason',
      labelNames: ['reason'],
      registers,
      collect() {
        setTotals(this, [
          [{ reason: 'device_rate' }, services.rateLimiter.refused],
          [{ reason: 'admin_auth_throttle' }, adminThrottle.refused],
          ...Object.entries(services.quotas.refused).map(([reason, n]): [{ reason: string }, number] => [{ reason }, n]),
        ]);
      },
    });
    new Counter({
      name: 'stratus_cluster_notifications_total',
      help: 'Cache changes told to the other nodes and notifications heard from them, by kind',
      labelNames: ['kind'],
      registers,
      collect() {
        setTotals(this, Object.entries(services.cluster.notifications).map(([kind, n]): [{ kind: string }, number] => [{ kind }, n]));
      },
    });
    for (const [field, name, help] of [
      ['published', 'stratus_messages_published_total', 'Messages committed, per app (on PostgreSQL also those other nodes committed)'],
      ['delivered', 'stratus_messages_delivered_total', 'Messages this node delivered to devices (sync pages and live events), per app'],
    ] as const) {
      new Counter({
        name,
        help,
        labelNames: ['app'],
        registers,
        async collect() {
          const names = await appNames();
          setTotals(this, [...services.activity.apps].map(([id, a]): [{ app: string }, number] => [{ app: names.get(id) ?? String(id) }, a[field]]));
        },
      });
    }
  }

  /** One answered request; `route` is the route's pattern, never the URL (bounded label values). */
  observeRequest(method: string, route: string, code: number, seconds: number | null): void {
    this.requests.inc({ method, route, code: String(code) });
    if (seconds !== null) this.latency.observe({ method, route }, seconds);
  }
}
