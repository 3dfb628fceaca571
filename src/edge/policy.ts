// When a priority may leave: link classes and local-time windows per priority, a byte-rate cap per
// link class. The file's policy can be changed remotely by `edge.*` keys of the gateway's config.
import {
  EVICTIONS,
  MAX_PRIORITY,
  MIN_PRIORITY,
  WINDOW,
  validateLinkClasses,
  type EdgeConfig,
  type Eviction,
  type LinkClass,
  type PriorityPolicy,
} from './config.js';
import type { StoreLimits } from './store.js';

export interface Policy {
  priorities: Record<string, PriorityPolicy>;
  rateBytesPerSecond: Partial<Record<LinkClass, number>>;
}

const ALWAYS: PriorityPolicy = { links: ['unmetered', 'metered'], windows: [] };

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Whether `date` (local time) falls in one of the windows; an empty list is always. */
export function inWindows(windows: readonly string[], date: Date): boolean {
  if (windows.length === 0) return true;
  const now = date.getHours() * 60 + date.getMinutes();
  return windows.some((w) => {
    const [from, to] = w.split('-').map(minutes) as [number, number];
    return from <= to ? now >= from && now < to : now >= from || now < to;
  });
}

export function priorityPolicy(policy: Policy, priority: number): PriorityPolicy {
  return policy.priorities[String(priority)] ?? ALWAYS;
}

/** The priorities that may be sent on `link` at `date`, highest first. */
export function sendablePriorities(policy: Policy, link: LinkClass, date: Date): number[] {
  if (link === 'offline') return [];
  const out: number[] = [];
  for (let p = MAX_PRIORITY; p >= MIN_PRIORITY; p--) {
    const rule = priorityPolicy(policy, p);
    if (rule.links.includes(link) && inWindows(rule.windows, date)) out.push(p);
  }
  return out;
}

export interface Overrides {
  policy: Policy;
  limits: StoreLimits;
  /** Keys that were refused, with why (logged, and the file's value stays). */
  refused: { key: string; reason: string }[];
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * The config file's policy and limits with the remote `edge.*` keys over them:
 * `edge.policy.<p>.links` (e.g. `unmetered,metered`), `edge.policy.<p>.windows` (`22:00-06:00,…`),
 * `edge.rate.<link class>` (bytes a second, 0 = no cap), `edge.store.max_bytes`,
 * `edge.store.priority.<p>.max_bytes`, `edge.store.eviction`.
 */
export function applyRemote(config: EdgeConfig, values: Record<string, string>): Overrides {
  const policy: Policy = structuredClone(config.policy);
  const limits: StoreLimits = structuredClone(config.store);
  const refused: Overrides['refused'] = [];
  const priority = (text: string): number | null => (/^\d$/.test(text) && Number(text) >= MIN_PRIORITY && Number(text) <= MAX_PRIORITY ? Number(text) : null);
  const bytes = (text: string, min: number): number | null => (/^\d+$/.test(text) && Number(text) >= min ? Number(text) : null);
  for (const [key, raw] of Object.entries(values)) {
    if (!key.startsWith('edge.')) continue;
    const value = raw.trim();
    const parts = key.split('.');
    let ok = false;
    if (parts[1] === 'policy' && parts.length === 4) {
      const p = priority(parts[2] as string);
      if (p !== null && parts[3] === 'links') {
        try {
          policy.priorities[String(p)] = { ...priorityPolicy(policy, p), links: validateLinkClasses(list(value), key) };
          ok = true;
        } catch {
          ok = false;
        }
      } else if (p !== null && parts[3] === 'windows') {
        const windows = list(value);
        ok = windows.every((w) => WINDOW.test(w));
        if (ok) policy.priorities[String(p)] = { ...priorityPolicy(policy, p), windows };
      }
    } else if (parts[1] === 'rate' && parts.length === 3 && ['unmetered', 'metered'].includes(parts[2] as string)) {
      const rate = bytes(value, 0);
      ok = rate !== null;
      if (rate !== null) policy.rateBytesPerSecond[parts[2] as LinkClass] = rate;
    } else if (key === 'edge.store.max_bytes') {
      const n = bytes(value, 1024);
      ok = n !== null;
      if (n !== null) limits.maxBytes = n;
    } else if (key === 'edge.store.eviction') {
      ok = (EVICTIONS as readonly string[]).includes(value);
      if (ok) limits.eviction = value as Eviction;
    } else if (parts[1] === 'store' && parts[2] === 'priority' && parts[4] === 'max_bytes' && parts.length === 5) {
      const p = priority(parts[3] as string);
      const n = bytes(value, 1024);
      ok = p !== null && n !== null;
      if (p !== null && n !== null) limits.priorityMaxBytes = { ...limits.priorityMaxBytes, [String(p)]: n };
    }
    if (!ok) refused.push({ key, reason: `"${value}" is not a valid value for this key, or the key is unknown (docs/edge.md lists the edge.* keys)` });
  }
  return { policy, limits, refused };
}

/**
 * A token bucket per link class, one second deep. `take` answers how long to wait before `bytes`
 * may leave (0: now) and books them; a cap of 0 or none means no cap.
 */
export class RateCap {
  private tokens = 0;
  private lastMs: number;

  constructor(private readonly nowMs: () => number) {
    this.lastMs = nowMs();
  }

  take(bytes: number, ratePerSecond: number | undefined): number {
    if (!ratePerSecond) return 0;
    const now = this.nowMs();
    this.tokens = Math.min(ratePerSecond, this.tokens + ((now - this.lastMs) * ratePerSecond) / 1000);
    this.lastMs = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / ratePerSecond);
  }
}
