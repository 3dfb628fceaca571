// A mutation fuzzer of the HTTP API (issue 14): signed and unsigned device requests and admin calls,
// mutated and sent over real sockets to a server on loopback. It holds two properties: no answer is
// a 5xx, and a refused request (4xx) changes no stored state. State changes are counted by SQLite
// triggers the fuzzer adds to its own database, inside the writer's transactions, so the check
// costs one read per request however large the database grows.
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { requestHeaders, sha256Hex, signRequest } from '../../src/protocol/index.js';
import { issueAdminToken } from '../../src/server/admin-auth.js';
import { buildServer } from '../../src/server/app.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { removeDir } from '../support/server-process.js';
import { seededRandom } from '../support/random.js';

export interface FuzzOptions {
  requests: number;
  seed: number;
  /** Called every 1% or so with the count done. */
  progress?: (done: number) => void;
}

export interface FuzzReport {
  requests: number;
  byStatus: Record<string, number>;
  /** 5xx answers and refused requests that changed state, with the request that did it. */
  failures: { kind: '5xx' | 'state changed by a refused request'; status: number; sample: string }[];
  /** Devices registered by authenticated requests (some then refused: pending, bad body…), by design. */
  registrations: number;
  /** State changes made by accepted requests: shows the triggers see what they watch. */
  acceptedChanges: number;
  seconds: number;
}

/**
 * What counts as stored state, per table: the events watched and, for a row (NEW or OLD), when it
 * counts. The server's own records (`$stratus` streams: access requests, rejections, presence) and
 * presence times are not user state; device registration is counted apart.
 */
const WATCHED: [table: string, events: ('INSERT' | 'UPDATE' | 'DELETE')[], when?: (row: 'NEW' | 'OLD') => string][] = [
  ['admin_tokens', ['INSERT', 'UPDATE', 'DELETE']],
  ['apps', ['INSERT', 'UPDATE', 'DELETE']],
  ['app_secrets', ['INSERT', 'UPDATE', 'DELETE']],
  ['config_entries', ['INSERT', 'UPDATE', 'DELETE']],
  ['config_history', ['INSERT']],
  ['streams', ['INSERT', 'UPDATE', 'DELETE'], (row) => `${row}.scope <> '$stratus'`],
  ['messages', ['INSERT', 'DELETE'], (row) => `(SELECT scope FROM streams WHERE id = ${row}.stream_id) <> '$stratus'`],
  ['cursors', ['INSERT', 'UPDATE', 'DELETE']],
];

function installTriggers(path: string): Database.Database {
  const db = new Database(path);
  db.exec("CREATE TABLE fuzz_changes (what TEXT PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO fuzz_changes VALUES ('state', 0), ('registrations', 0);");
  for (const [table, events, when] of WATCHED) {
    for (const event of events) {
      const guard = when ? `WHEN ${when(event === 'DELETE' ? 'OLD' : 'NEW')}` : '';
      db.exec(`CREATE TRIGGER fz_${table}_${event} AFTER ${event} ON ${table} ${guard} BEGIN UPDATE fuzz_changes SET n = n + 1 WHERE what = 'state'; END;`);
    }
  }
  db.exec("CREATE TRIGGER fz_devices_status AFTER UPDATE OF status, grants ON devices BEGIN UPDATE fuzz_changes SET n = n + 1 WHERE what = 'state'; END;");
  db.exec("CREATE TRIGGER fz_devices_delete AFTER DELETE ON devices BEGIN UPDATE fuzz_changes SET n = n + 1 WHERE what = 'state'; END;");
  db.exec("CREATE TRIGGER fz_devices_insert AFTER INSERT ON devices BEGIN UPDATE fuzz_changes SET n = n + 1 WHERE what = 'registrations'; END;");
  return db;
}

interface Seed {
  method: string;
  target: string;
  body: string;
  contentType?: string;
  kind: 'device' | 'admin' | 'anonymous';
}

const SEEDS: Seed[] = [
  { kind: 'device', method: 'GET', target: '/v1/config', body: '' },
  { kind: 'device', method: 'POST', target: '/v1/sync', body: '{"publish":[{"id":"a-1","scope":"home","stream":"temp","value":"21.5","ttl":60}],"subscribe":[{"scope":"home","stream":"cmd","after":0,"limit":5}],"config":null}' },
  { kind: 'device', method: 'POST', target: '/v1/sync', body: '{"subscribe":[{"stream":"settings","reset":true}],"config":"\\"abc\\""}' },
  { kind: 'device', method: 'POST', target: '/v1/publish', body: 'scope=home&stream=note&value=%C3%A9t%C3%A9&id=n-1', contentType: 'application/x-www-form-urlencoded' },
  { kind: 'device', method: 'POST', target: '/v1/publish', body: '{"scope":"home","stream":"j","value":"x","ttl":30}' },
  { kind: 'device', method: 'GET', target: '/v1/messages?scope=home&stream=temp&after=0&limit=5', body: '' },
  { kind: 'admin', method: 'PATCH', target: '/v1/admin/apps/fz/config', body: '{"set":{"debug":"1"},"unset":["x"]}' },
  { kind: 'admin', method: 'PATCH', target: '/v1/admin/apps/fz/devices/d1/config', body: '{"set":{"stratus.refresh":"60"}}' },
  { kind: 'admin', method: 'POST', target: '/v1/admin/apps', body: '{"name":"made","policy":"approval"}' },
  { kind: 'admin', method: 'PATCH', target: '/v1/admin/apps/fz', body: '{"defaultGrants":[{"action":"publish","scope":"*","stream":"*"}]}' },
  { kind: 'admin', method: 'PUT', target: '/v1/admin/apps/fz/devices/d2/grants', body: '{"grants":[{"action":"publish","scope":"home","stream":"t*"}]}' },
  { kind: 'admin', method: 'POST', target: '/v1/admin/apps/fz/devices/d3/approve', body: '' },
  { kind: 'admin', method: 'DELETE', target: '/v1/admin/apps/fz/messages?scope=home&stream=temp&seq=1', body: '' },
  { kind: 'admin', method: 'POST', target: '/v1/admin/apps/fz/messages', body: '{"scope":"home","stream":"cmd","value":"on"}' },
  { kind: 'admin', method: 'GET', target: '/v1/admin/apps/fz/devices?status=pending&limit=5', body: '' },
  { kind: 'anonymous', method: 'GET', target: '/readyz', body: '' },
];

const NASTY = ['', '\u0000', '\ud800', '\uffff', '%', '%FF', '"', '\\', '{', '[', ']', '}', ',', ':', 'null', 'true', '-1', '1e309', '9007199254740993', '$stratus', 'PRIVATE', '*', '../', '\r\n', ' ', 'é', '😀', 'x'.repeat(70_000)];

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const at = Math.floor(rnd() * (text.length + 1));
  switch (Math.floor(rnd() * 6)) {
    case 0: // flip a character
      return text.length === 0 ? text : text.slice(0, at) + String.fromCharCode(text.charCodeAt(at % text.length) ^ (1 << Math.floor(rnd() * 7))) + text.slice(at + 1);
    case 1: // insert something nasty
      return text.slice(0, at) + pick(NASTY) + text.slice(at);
    case 2: // cut
      return text.slice(0, at);
    case 3: // delete a run
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 8));
    case 4: // replace a JSON value or form field with something nasty
      return text.replace(/(":|=)("[^"]*"|[^,&}\]]*)/, (_, sep: string) => `${sep}${JSON.stringify(pick(NASTY)).slice(rnd() < 0.5 ? 0 : 1)}`);
    default: // duplicate a run
      return text.slice(0, at) + text.slice(Math.max(0, at - 16), at) + text.slice(at);
  }
}

export async function fuzzServer(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const rnd = seededRandom(options.seed);
  const dir = mkdtempSync(join(tmpdir(), 'stratus-fuzz-'));
  const path = join(dir, 'stratus.db');
  // The schema first, then the triggers, then the server on that file.
  await new SqliteStore({ path }).close();
  const watch = installTriggers(path);
  const store = new SqliteStore({ path });
  // The clock moves a second every 50 requests, so rate limits refill as they would at 50 req/s. No
  // TTL sweep or presence flush runs meanwhile: their writes are the server's own, not a request's.
  let now = 1_800_000_000;
  const server = await buildServer({ store, logger: false, clock: () => now, options: { port: 0, presenceFlushMs: 3_600_000, sweepIntervalMs: 3_600_000 } });
  const url = new URL(await server.listen());
  const token = await issueAdminToken(store, 'fuzz', now);
  await store.insertApp({ name: 'fz', policy: 'open', defaultTtlSeconds: 60, maxTtlSeconds: 3600, defaultGrants: [{ action: 'publish', scope: '*', stream: '*' }, { action: 'subscribe', scope: '*', stream: '*' }] }, 'fz-secret', now);
  await store.insertApp({ name: 'wait', policy: 'approval', defaultTtlSeconds: 60, maxTtlSeconds: 3600, defaultGrants: [] }, 'wait-secret', now);
  const changes = watch.prepare("SELECT what, n FROM fuzz_changes");
  const counters = () => Object.fromEntries((changes.all() as { what: string; n: number }[]).map((r) => [r.what, r.n])) as Record<string, number>;

  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const report: FuzzReport = { requests: 0, byStatus: {}, failures: [], registrations: 0, acceptedChanges: 0, seconds: 0 };
  let nonce = 0;
  try {
    for (let i = 0; i < options.requests; i++) {
      if (i % 50 === 49) now += 1;
      const seed = SEEDS[Math.floor(rnd() * SEEDS.length)] as Seed;
      let target = seed.target;
      let body = seed.body;
      const mutations = 1 + Math.floor(rnd() * 3);
      for (let m = 0; m < mutations; m++) {
        if (rnd() < 0.2) target = mutate(target, rnd);
        else body = mutate(body, rnd);
      }
      if (!/^\/[\x21-\x7e]*$/.test(target)) target = printable(target);
      const headers: Record<string, string> = {};
      if (body !== '' || seed.method !== 'GET') headers['content-type'] = rnd() < 0.1 ? mutate(seed.contentType ?? 'application/json', rnd).replace(/[^\x20-\x7e]/g, '') : (seed.contentType ?? 'application/json');
      if (seed.kind === 'admin') headers.authorization = `Bearer ${rnd() < 0.1 ? 'wrong' : token}`;
      if (seed.kind === 'device') {
        const app = rnd() < 0.8 ? 'fz' : rnd() < 0.5 ? 'wait' : 'nope';
        const device = rnd() < 0.9 ? `d${Math.floor(rnd() * 4)}` : mutate('d1', rnd).replace(/[^\x21-\x7e]/g, '');
        const time = rnd() < 0.95 ? now : now + Math.floor((rnd() - 0.5) * 2000);
        const n = rnd() < 0.97 ? `fz-${nonce++}` : 'fz-0';
        const secret = rnd() < 0.9 ? `${app}-secret` : 'other-secret';
        const signed = { method: seed.method, target, app, device, time, nonce: n, bodySha256: sha256Hex(Buffer.from(body)) };
        const signature = signRequest(secret, signed);
        Object.assign(headers, requestHeaders(signed, rnd() < 0.95 ? signature : mutate(signature, rnd).replace(/[^\x20-\x7e]/g, '')));
      }
      const before = counters();
      const status = await send(url, agent, seed.method, target, headers, body);
      const after = counters();
      report.requests += 1;
      report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
      report.registrations += (after.registrations ?? 0) - (before.registrations ?? 0);
      const sample = `${seed.method} ${target} ${JSON.stringify(headers)} ${JSON.stringify(body.slice(0, 300))}`;
      if (status < 400) report.acceptedChanges += (after.state ?? 0) - (before.state ?? 0);
      if (status >= 500) report.failures.push({ kind: '5xx', status, sample });
      else if (status >= 400 && after.state !== before.state) report.failures.push({ kind: 'state changed by a refused request', status, sample });
      if (options.progress && i % Math.max(1, Math.floor(options.requests / 100)) === 0) options.progress(i);
    }
  } finally {
    agent.destroy();
    await server.close();
    watch.close();
    removeDir(dir);
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** A request target node:http will send: a leading slash, bytes outside printable ASCII %-escaped. */
function printable(target: string): string {
  const bytes = Buffer.from(target.replace(/^\/?/, '/'), 'utf8');
  return [...bytes].map((b) => (b >= 0x21 && b <= 0x7e ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
}

function send(url: URL, agent: Agent, method: string, target: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: target, headers, agent }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end(body);
  });
}
