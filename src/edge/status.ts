// What `stratus edge status` shows: the queue per priority, the link, the last upstream contact,
// files in transit, evictions; as a JSON object and as Prometheus metrics.
import type { LinkClass } from './config.js';
import type { Policy } from './policy.js';
import type { EdgeStore } from './store.js';

export interface EdgeStatus {
  device: string;
  upstream: string;
  link: { class: LinkClass; detail: string };
  lastContact: string | null;
  lastError: string | null;
  store: { bytes: number; maxBytes: number; eviction: string; messages: number };
  priorities: { priority: number; messages: number; bytes: number; maxBytes: number | null; oldestAgeSeconds: number | null; sendableNow: boolean }[];
  files: { id: string; name: string; size: number; chunks: number; acked: number; state: string }[];
  evicted: { priority: number; reason: string; count: number; bytes: number }[];
  counters: { stored: number; sent: number; rejected: number; failures: number; filesSent: number; delivered: number };
  /** The policy in force: the config file's with the remote edge.* keys over it. */
  policy: Policy;
}

export interface Runtime {
  device: string;
  upstream: string;
  link: { class: LinkClass; detail: string };
  sendable: readonly number[];
  lastContactMs: number | null;
  lastError: string | null;
  counters: EdgeStatus['counters'];
  policy: Policy;
}

export function buildStatus(store: EdgeStore, runtime: Runtime, nowMs: number): EdgeStatus {
  const figures = store.figures();
  const priorities = [...new Set([...figures.keys(), ...Object.keys(store.limits.priorityMaxBytes).map(Number)])].sort((a, b) => b - a);
  let messages = 0;
  for (const f of figures.values()) messages += f.count;
  return {
    device: runtime.device,
    upstream: runtime.upstream,
    link: runtime.link,
    lastContact: runtime.lastContactMs ? new Date(runtime.lastContactMs).toISOString() : null,
    lastError: runtime.lastError,
    store: { bytes: store.totalBytes, maxBytes: store.limits.maxBytes, eviction: store.limits.eviction, messages },
    priorities: priorities.map((priority) => {
      const f = figures.get(priority);
      return {
        priority,
        messages: f?.count ?? 0,
        bytes: f?.bytes ?? 0,
        maxBytes: store.limits.priorityMaxBytes[String(priority)] ?? null,
        oldestAgeSeconds: f?.oldestMs ? Math.max(0, Math.round((nowMs - f.oldestMs) / 1000)) : null,
        sendableNow: runtime.sendable.includes(priority),
      };
    }),
    files: store.files.all().map((f) => ({ id: f.id, name: f.name, size: f.size, chunks: f.chunks, acked: f.acked, state: f.state })),
    evicted: store.evictionCounts(),
    counters: runtime.counters,
    policy: runtime.policy,
  };
}

export function statusText(s: EdgeStatus): string {
  const lines = [
    `device        ${s.device} → ${s.upstream}`,
    `link          ${s.link.class} (${s.link.detail})`,
    `last contact  ${s.lastContact ?? 'never'}${s.lastError ? `  (last error: ${s.lastError})` : ''}`,
    `store         ${s.store.messages} messages, ${s.store.bytes} of ${s.store.maxBytes} bytes (eviction ${s.store.eviction})`,
    'PRIORITY  MESSAGES  BYTES       OLDEST(s)  SENDABLE',
    ...s.priorities.map((p) => `${String(p.priority).padEnd(10)}${String(p.messages).padEnd(10)}${String(p.bytes).padEnd(12)}${String(p.oldestAgeSeconds ?? '-').padEnd(11)}${p.sendableNow ? 'yes' : 'no'}`),
    `files         ${s.files.length} in transit${s.files.map((f) => `\n  ${f.name}  ${f.acked}/${f.chunks} chunks  ${f.state}`).join('')}`,
    `evicted       ${s.evicted.length === 0 ? 'none' : s.evicted.map((e) => `p${e.priority} ${e.reason}: ${e.count} (${e.bytes} bytes)`).join(', ')}`,
    `counters      stored ${s.counters.stored}, sent ${s.counters.sent}, rejected ${s.counters.rejected}, files sent ${s.counters.filesSent}, delivered ${s.counters.delivered}, failed syncs ${s.counters.failures}`,
  ];
  return lines.join('\n') + '\n';
}

/** Prometheus text exposition. */
export function statusMetrics(s: EdgeStatus): string {
  const out: string[] = [];
  const metric = (name: string, help: string, type: string, rows: [string, number][]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows.map(([labels, v]) => `${name}${labels} ${v}`));
  };
  metric('stratus_edge_queue_messages', 'Messages waiting in the store.', 'gauge', s.priorities.map((p) => [`{priority="${p.priority}"}`, p.messages]));
  metric('stratus_edge_queue_bytes', 'Accounted bytes waiting in the store.', 'gauge', s.priorities.map((p) => [`{priority="${p.priority}"}`, p.bytes]));
  metric('stratus_edge_oldest_age_seconds', 'Age of the oldest waiting message.', 'gauge', s.priorities.filter((p) => p.oldestAgeSeconds !== null).map((p) => [`{priority="${p.priority}"}`, p.oldestAgeSeconds as number]));
  metric('stratus_edge_store_max_bytes', 'The store bound.', 'gauge', [['', s.store.maxBytes]]);
  metric('stratus_edge_link', 'The link class now (1).', 'gauge', [[`{class="${s.link.class}"}`, 1]]);
  metric('stratus_edge_last_contact_timestamp_seconds', 'Last successful sync.', 'gauge', [['', s.lastContact ? Math.floor(Date.parse(s.lastContact) / 1000) : 0]]);
  metric('stratus_edge_files_in_transit', 'Files not yet complete on the server.', 'gauge', [['', s.files.length]]);
  metric('stratus_edge_evicted_total', 'Messages evicted, by priority and reason.', 'counter', s.evicted.map((e) => [`{priority="${e.priority}",reason="${e.reason}"}`, e.count]));
  metric('stratus_edge_stored_total', 'Local writes stored since start.', 'counter', [['', s.counters.stored]]);
  metric('stratus_edge_sent_total', 'Items the server took since start.', 'counter', [['', s.counters.sent]]);
  metric('stratus_edge_sync_failures_total', 'Failed syncs since start.', 'counter', [['', s.counters.failures]]);
  return out.join('\n') + '\n';
}
