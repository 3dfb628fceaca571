// The gateway's configuration: defaults < config file (JSON) < STRATUS_EDGE_* variables < flags.
// Structured options (intake lists, policies) take JSON in a flag or variable too.
import { readFileSync } from 'node:fs';
import { PRIVATE_SCOPE, SCOPE_NAME, STREAM_NAME, StratusError } from '../protocol/index.js';

export type LinkClass = 'unmetered' | 'metered' | 'offline';
export const LINK_CLASSES: readonly LinkClass[] = ['unmetered', 'metered', 'offline'];
export type Eviction = 'lowest-oldest' | 'oldest' | 'reject';
export const EVICTIONS: readonly Eviction[] = ['lowest-oldest', 'oldest', 'reject'];
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 9;

/** Where intake lines or files go upstream. */
export interface Route {
  scope: string;
  stream: string;
  priority: number;
  /** Seconds the message lives, here and upstream; null: the app's default upstream, forever here. */
  ttl: number | null;
}

export interface TcpIntake extends Route {
  host: string;
  port: number;
  /** Answer `ok <id>` per line once it is on disk (for programs that read); off for fire-and-forget ones. */
  ack: boolean;
}
export interface UnixIntake extends Route {
  path: string;
  ack: boolean;
}
export interface FolderIntake extends Route {
  path: string;
  /** Raw bytes per chunk; base64 makes a chunk message 4/3 of it (≤ 48000 keeps it under 64 KiB). */
  chunkBytes: number;
  /** What happens to a file once the server has all of it: `delete`, or moved into `archive`. */
  done: 'delete' | 'archive';
  archive: string | null;
  /** A file is taken once its mtime is this old (for writers that do not rename into the folder). */
  settleMs: number;
}
export interface Downstream {
  scope: string;
  stream: string;
  /** `unix:/path` or `tcp:host:port`: the gateway listens, local programs connect and read lines. */
  listen: string | null;
  /** Run per message with the value on stdin; exit 0 means delivered. */
  command: string | null;
  /** Kept in the store's inbox for GET /v1/messages on the local HTTP endpoint. */
  http: boolean;
}
export interface PriorityPolicy {
  links: LinkClass[];
  /** Local-time windows `HH:MM-HH:MM` (may wrap midnight); empty means always. */
  windows: string[];
}

export interface EdgeConfig {
  upstream: string;
  app: string;
  device: string;
  secret: string;
  dataDir: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  store: { maxBytes: number; priorityMaxBytes: Record<string, number>; eviction: Eviction };
  http: { host: string; port: number } | null;
  tcp: TcpIntake[];
  unix: UnixIntake[];
  folders: FolderIntake[];
  downstream: Downstream[];
  link: { command: string | null; pollMs: number; metered: string[]; unmetered: string[]; other: LinkClass };
  policy: { priorities: Record<string, PriorityPolicy>; rateBytesPerSecond: Partial<Record<LinkClass, number>> };
  uplink: { batchBytes: number; batchItems: number; pollMs: number; backoffMaxMs: number };
}

export const DEFAULT_CONFIG: EdgeConfig = {
  upstream: 'http://127.0.0.1:8080',
  app: '',
  device: '',
  secret: '',
  dataDir: './stratus-edge',
  logLevel: 'info',
  store: { maxBytes: 256 * 1024 * 1024, priorityMaxBytes: {}, eviction: 'lowest-oldest' },
  http: null,
  tcp: [],
  unix: [],
  folders: [],
  downstream: [],
  link: { command: null, pollMs: 5000, metered: ['wwan*', 'ppp*', 'wwp*', 'usb*'], unmetered: ['eth*', 'en*', 'wlan*', 'wl*', 'lo'], other: 'metered' },
  policy: { priorities: {}, rateBytesPerSecond: {} },
  uplink: { batchBytes: 768 * 1024, batchItems: 500, pollMs: 30_000, backoffMaxMs: 30_000 },
};

type Kind = 'string' | 'int' | 'json' | 'enum';
interface OptionSpec {
  /** Dotted path in EdgeConfig. */
  path: string;
  kind: Kind;
  help: string;
  values?: readonly string[];
}

/** Every option: `--flag` is the path in kebab case, the variable STRATUS_EDGE_ and the path in snake case. */
export const OPTIONS: readonly OptionSpec[] = [
  { path: 'upstream', kind: 'string', help: 'the Stratus server base URL' },
  { path: 'app', kind: 'string', help: 'the app name' },
  { path: 'device', kind: 'string', help: "the gateway's device GUID" },
  { path: 'secret', kind: 'string', help: "the app's secret" },
  { path: 'dataDir', kind: 'string', help: 'where the store (edge.db) lives' },
  { path: 'logLevel', kind: 'enum', values: ['error', 'warn', 'info', 'debug'], help: 'log level (JSON lines on stderr)' },
  { path: 'store.maxBytes', kind: 'int', help: 'bytes the store holds at most' },
  { path: 'store.priorityMaxBytes', kind: 'json', help: 'bytes per priority, e.g. {"0":1048576}' },
  { path: 'store.eviction', kind: 'enum', values: EVICTIONS, help: 'what makes room when full' },
  { path: 'http', kind: 'json', help: 'local HTTP endpoint, e.g. {"host":"127.0.0.1","port":7880}' },
  { path: 'tcp', kind: 'json', help: 'line intake ports, e.g. [{"port":7001,"scope":"plant","stream":"log"}]' },
  { path: 'unix', kind: 'json', help: 'line intake sockets, e.g. [{"path":"/run/stratus-edge/in.sock","stream":"log"}]' },
  { path: 'folders', kind: 'json', help: 'watched folders, e.g. [{"path":"/var/spool/out","stream":"files"}]' },
  { path: 'downstream', kind: 'json', help: 'subscriptions delivered locally, e.g. [{"scope":"plant","stream":"cmd","command":"logger"}]' },
  { path: 'link.command', kind: 'string', help: 'prints the link class (unmetered, metered, offline); default: the default route' },
  { path: 'link.pollMs', kind: 'int', help: 'how often the link class is checked' },
  { path: 'link.metered', kind: 'json', help: 'interface patterns of metered links' },
  { path: 'link.unmetered', kind: 'json', help: 'interface patterns of unmetered links' },
  { path: 'link.other', kind: 'enum', values: LINK_CLASSES, help: 'the class of any other interface' },
  { path: 'policy.priorities', kind: 'json', help: 'per priority, e.g. {"0":{"links":["unmetered"],"windows":["22:00-06:00"]}}' },
  { path: 'policy.rateBytesPerSecond', kind: 'json', help: 'byte-rate cap per link class, e.g. {"metered":2000}' },
  { path: 'uplink.batchBytes', kind: 'int', help: 'bytes of values per sync at most' },
  { path: 'uplink.batchItems', kind: 'int', help: 'messages per sync at most (server: 1000)' },
  { path: 'uplink.pollMs', kind: 'int', help: 'how often an idle gateway syncs (downstream, remote policy)' },
  { path: 'uplink.backoffMaxMs', kind: 'int', help: 'longest wait between failed syncs' },
];

export const flagOf = (path: string): string => path.replace(/\./g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const envOf = (path: string): string => `STRATUS_EDGE_${path.replace(/\./g, '_').replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

function parseText(spec: OptionSpec, text: string, where: string): unknown {
  if (spec.kind === 'int') {
    if (!/^\d+$/.test(text)) throw new StratusError('bad_request', `${where} must be a whole number (got "${text}")`);
    return Number(text);
  }
  if (spec.kind === 'enum' && !spec.values?.includes(text)) throw new StratusError('bad_request', `${where} must be one of ${spec.values?.join(', ')} (got "${text}")`);
  if (spec.kind === 'json') {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new StratusError('bad_request', `${where} must be JSON: ${(error as Error).message}`);
    }
  }
  return text;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts.at(-1) as string] = value;
}

/** Reads the file's JSON object (the same shape as EdgeConfig, any part of it). */
export function readConfigFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StratusError('bad_request', `--config ${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new StratusError('bad_request', `--config ${file}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}

/** Merges defaults, the file, the environment and the flags (each a text keyed by option path), then checks it all. */
export function resolveConfig(file: Record<string, unknown>, env: NodeJS.ProcessEnv, flags: Record<string, string | undefined>, needIdentity = true): EdgeConfig {
  const merged = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(file)) {
    if (!(key in DEFAULT_CONFIG)) throw new StratusError('bad_request', `config file: unknown key "${key}" (see docs/edge.md)`);
    const fallback = merged[key];
    merged[key] = fallback && typeof fallback === 'object' && !Array.isArray(fallback) && value && typeof value === 'object' ? { ...fallback, ...value } : value;
  }
  for (const spec of OPTIONS) {
    const fromEnv = env[envOf(spec.path)];
    if (fromEnv !== undefined && fromEnv !== '') setPath(merged, spec.path, parseText(spec, fromEnv, envOf(spec.path)));
    const fromFlag = flags[spec.path];
    if (fromFlag !== undefined) setPath(merged, spec.path, parseText(spec, fromFlag, `--${flagOf(spec.path)}`));
  }
  return validateConfig(merged, needIdentity);
}

const fail = (message: string): never => {
  throw new StratusError('bad_request', message);
};
const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;

function route(raw: Record<string, unknown>, where: string, defaults: Partial<Route> = {}): Route {
  const scope = raw.scope ?? defaults.scope ?? PRIVATE_SCOPE;
  const stream = raw.stream ?? defaults.stream;
  if (typeof scope !== 'string' || (scope !== PRIVATE_SCOPE && !SCOPE_NAME.test(scope))) fail(`${where}.scope must be PRIVATE or match ${SCOPE_NAME}`);
  if (typeof stream !== 'string' || !STREAM_NAME.test(stream)) fail(`${where}.stream must match ${STREAM_NAME}`);
  const priority = raw.priority ?? 0;
  if (!isInt(priority, MIN_PRIORITY, MAX_PRIORITY)) fail(`${where}.priority must be ${MIN_PRIORITY}–${MAX_PRIORITY}`);
  const ttl = raw.ttl ?? null;
  if (ttl !== null && !isInt(ttl, 1)) fail(`${where}.ttl must be whole seconds ≥ 1`);
  return { scope: scope as string, stream: stream as string, priority: priority as number, ttl: ttl as number | null };
}

function list(value: unknown, where: string): Record<string, unknown>[] {
  if (!Array.isArray(value) || !value.every((v) => v && typeof v === 'object')) fail(`${where} must be a list of objects`);
  return value as Record<string, unknown>[];
}

export function validateLinkClasses(value: unknown, where: string): LinkClass[] {
  if (!Array.isArray(value) || !value.every((v) => (LINK_CLASSES as readonly unknown[]).includes(v))) fail(`${where} must be a list of ${LINK_CLASSES.join(', ')}`);
  return value as LinkClass[];
}

export const WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;

export function validatePriorityPolicy(raw: unknown, where: string): PriorityPolicy {
  if (!raw || typeof raw !== 'object') fail(`${where} must be an object {links, windows}`);
  const r = raw as Record<string, unknown>;
  const links = r.links === undefined ? ['unmetered', 'metered'] : validateLinkClasses(r.links, `${where}.links`);
  const windows = r.windows ?? [];
  if (!Array.isArray(windows) || !windows.every((w) => typeof w === 'string' && WINDOW.test(w))) fail(`${where}.windows must be a list of HH:MM-HH:MM`);
  return { links: links as LinkClass[], windows: windows as string[] };
}

export function validateConfig(c: Record<string, unknown>, needIdentity = true): EdgeConfig {
  const config = c as unknown as EdgeConfig;
  if (!/^https?:\/\/./.test(config.upstream)) fail(`upstream must be an http:// or https:// URL (got "${config.upstream}")`);
  for (const key of needIdentity ? (['app', 'device', 'secret'] as const) : []) if (typeof config[key] !== 'string' || config[key] === '') fail(`${key} is required (--${key}, ${envOf(key)} or the config file)`);
  const { store } = config;
  if (!isInt(store.maxBytes, 1024)) fail('store.maxBytes must be a whole number ≥ 1024');
  if (!(EVICTIONS as readonly string[]).includes(store.eviction)) fail(`store.eviction must be one of ${EVICTIONS.join(', ')}`);
  for (const [p, bytes] of Object.entries(store.priorityMaxBytes ?? {})) {
    if (!isInt(Number(p), MIN_PRIORITY, MAX_PRIORITY) || !isInt(bytes, 1024)) fail(`store.priorityMaxBytes: "${p}" must be a priority ${MIN_PRIORITY}–${MAX_PRIORITY} with bytes ≥ 1024`);
  }
  if (config.http !== null) {
    const h = config.http as unknown as Record<string, unknown>;
    if (!isInt(h.port, 0, 65535)) fail('http.port must be 0–65535');
    config.http = { host: typeof h.host === 'string' ? h.host : '127.0.0.1', port: h.port as number };
  }
  config.tcp = list(config.tcp, 'tcp').map((raw, i) => {
    if (!isInt(raw.port, 0, 65535)) fail(`tcp[${i}].port must be 0–65535`);
    return { ...route(raw, `tcp[${i}]`), host: typeof raw.host === 'string' ? raw.host : '127.0.0.1', port: raw.port as number, ack: raw.ack === true };
  });
  config.unix = list(config.unix, 'unix').map((raw, i) => {
    if (typeof raw.path !== 'string' || raw.path === '') fail(`unix[${i}].path is required`);
    return { ...route(raw, `unix[${i}]`), path: raw.path as string, ack: raw.ack === true };
  });
  config.folders = list(config.folders, 'folders').map((raw, i) => {
    if (typeof raw.path !== 'string' || raw.path === '') fail(`folders[${i}].path is required`);
    const chunkBytes = raw.chunkBytes ?? 32 * 1024;
    if (!isInt(chunkBytes, 1, 48_000)) fail(`folders[${i}].chunkBytes must be 1–48000 (a base64 chunk stays under the server's 64 KiB)`);
    const done = raw.done ?? 'delete';
    if (done !== 'delete' && done !== 'archive') fail(`folders[${i}].done must be delete or archive`);
    if (done === 'archive' && typeof raw.archive !== 'string') fail(`folders[${i}].archive (a directory) is required with done: archive`);
    const settleMs = raw.settleMs ?? 1000;
    if (!isInt(settleMs, 0)) fail(`folders[${i}].settleMs must be a whole number of ms`);
    return {
      ...route(raw, `folders[${i}]`, { stream: 'files' }),
      path: raw.path as string,
      chunkBytes: chunkBytes as number,
      done: done as 'delete' | 'archive',
      archive: (raw.archive as string) ?? null,
      settleMs: settleMs as number,
    };
  });
  config.downstream = list(config.downstream, 'downstream').map((raw, i) => {
    const { scope, stream } = route(raw, `downstream[${i}]`);
    const listen = typeof raw.listen === 'string' ? raw.listen : null;
    const command = typeof raw.command === 'string' ? raw.command : null;
    const http = raw.http === true;
    if ([listen !== null, command !== null, http].filter(Boolean).length !== 1) fail(`downstream[${i}] needs exactly one of listen (unix:/path or tcp:host:port), command or "http": true`);
    if (http && config.http === null) fail(`downstream[${i}] has "http": true but the local HTTP endpoint (http) is off`);
    if (listen !== null && !/^(unix:.+|tcp:[^:]+:\d+)$/.test(listen)) fail(`downstream[${i}].listen must be unix:/path or tcp:host:port`);
    return { scope, stream, listen, command, http };
  });
  const { link } = config;
  if (!isInt(link.pollMs, 10)) fail('link.pollMs must be ≥ 10');
  validateLinkClasses([link.other], 'link.other');
  for (const key of ['metered', 'unmetered'] as const) if (!Array.isArray(link[key]) || !link[key].every((p) => typeof p === 'string')) fail(`link.${key} must be a list of interface patterns`);
  const priorities: Record<string, PriorityPolicy> = {};
  for (const [p, raw] of Object.entries(config.policy.priorities ?? {})) {
    if (!isInt(Number(p), MIN_PRIORITY, MAX_PRIORITY)) fail(`policy.priorities: "${p}" is not a priority ${MIN_PRIORITY}–${MAX_PRIORITY}`);
    priorities[p] = validatePriorityPolicy(raw, `policy.priorities.${p}`);
  }
  config.policy = { priorities, rateBytesPerSecond: config.policy.rateBytesPerSecond ?? {} };
  for (const [cls, rate] of Object.entries(config.policy.rateBytesPerSecond)) {
    validateLinkClasses([cls], 'policy.rateBytesPerSecond');
    if (!isInt(rate, 0)) fail(`policy.rateBytesPerSecond.${cls} must be bytes a second (0: no cap)`);
  }
  const { uplink } = config;
  if (!isInt(uplink.batchBytes, 1024, 900 * 1024)) fail('uplink.batchBytes must be 1024–921600 (the server takes 1 MiB a request)');
  if (!isInt(uplink.batchItems, 1, 1000)) fail('uplink.batchItems must be 1–1000');
  if (!isInt(uplink.pollMs, 10)) fail('uplink.pollMs must be ≥ 10');
  if (!isInt(uplink.backoffMaxMs, 10)) fail('uplink.backoffMaxMs must be ≥ 10');
  return config;
}
