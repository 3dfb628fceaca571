// Status of a gateway that is not running, read from its store without writing to it.
import Database from 'better-sqlite3';
import type { EdgeConfig } from './config.js';
import type { EdgeStatus } from './status.js';

export function offlineStatus(path: string, config: EdgeConfig): EdgeStatus {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const now = Date.now();
    const rows = db.prepare('SELECT priority, count(*) AS count, sum(bytes) AS bytes, min(created_ms) AS oldestMs FROM messages GROUP BY priority ORDER BY priority DESC').all() as {
      priority: number;
      count: number;
      bytes: number;
      oldestMs: number;
    }[];
    const state = (key: string): string | null => (db.prepare('SELECT value FROM state WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
    const lastContactMs = Number(state('lastContactMs') ?? 0);
    return {
      device: config.device,
      upstream: config.upstream,
      link: { class: 'offline', detail: 'the gateway is not running' },
      lastContact: lastContactMs ? new Date(lastContactMs).toISOString() : null,
      lastError: null,
      store: { bytes: rows.reduce((s, r) => s + r.bytes, 0), maxBytes: config.store.maxBytes, eviction: config.store.eviction, messages: rows.reduce((s, r) => s + r.count, 0) },
      priorities: rows.map((r) => ({
        priority: r.priority,
        messages: r.count,
        bytes: r.bytes,
        maxBytes: config.store.priorityMaxBytes[String(r.priority)] ?? null,
        oldestAgeSeconds: Math.max(0, Math.round((now - r.oldestMs) / 1000)),
        sendableNow: false,
      })),
      files: db.prepare('SELECT id, name, size, chunks, acked, state FROM files ORDER BY priority DESC, created_ms').all() as EdgeStatus['files'],
      evicted: db.prepare('SELECT priority, reason, count, bytes FROM evictions ORDER BY priority, reason').all() as EdgeStatus['evicted'],
      policy: config.policy,
      counters: { stored: 0, sent: 0, rejected: 0, failures: 0, filesSent: 0, delivered: 0 },
    };
  } finally {
    db.close();
  }
}
