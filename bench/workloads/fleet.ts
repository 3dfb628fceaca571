// Workload 6: does the poll stay fast with a big fleet? The same 304 poll, from devices picked at
// random across the fleet, with 1k vs `devices` registered devices and `messages` retained
// messages: poll latency p99 at the steady rate of a million devices refreshing every 300 s (at
// full speed a p99 measures the queue, not the poll), polls a second at full speed, and the
// server's resident memory with every device of the fleet online (each has checked in once). The
// fleet is written straight into the SQLite file (as a restore would), which is faster than a
// million signed requests. Both servers run at once and are measured in turns (`turns`).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { rssMb, startStratus } from '../peers/processes.js';
import { quantile, type Figure } from '../report/stats.js';
import { BenchDevice, benchAgent, paced } from './bench-device.js';
import { SLICES } from '../../src/server/pending-check-ins.js';
import { CONNECTIONS, load, presigned, signedHeaders, type Settings } from './http-load.js';

export interface FleetScale {
  devices: number;
  messages: number;
}

/**
 * Adds `messages` messages over 1000 streams, then `devices` approved devices of the demo app, seen
 * just now: written last, so that in both fleets a poll comes from a device already online (two
 * refresh intervals), not from one coming back, which records a presence event.
 */
function populate(path: string, scale: FleetScale): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // a bulk load, not acknowledged writes
  const app = (db.prepare("SELECT id FROM apps WHERE name = 'demo'").get() as { id: number }).id;
  const stream = db.prepare("INSERT INTO streams (app_id, scope, owner, name, head) VALUES (?, 'fleet', '', ?, ?)");
  const message = db.prepare("INSERT INTO messages (stream_id, seq, writer, client_id, value, time, expires_at) VALUES (?, ?, 'w', NULL, ?, ?, ?)");
  const streams = 1000;
  const perStream = Math.floor(scale.messages / streams);
  const value = 'x'.repeat(64);
  const written = Math.floor(Date.now() / 1000);
  for (let s = 0; s < streams && perStream > 0; s++) {
    db.transaction(() => {
      const id = Number(stream.run(app, `s${s}`, perStream).lastInsertRowid);
      for (let seq = 1; seq <= perStream; seq++) message.run(id, seq, value, written, written + 86_400 * 30);
    })();
    if (s % 100 === 99) process.stderr.write(`  fleet: ${((s + 1) * perStream).toLocaleString('en-US')} messages written\n`);
  }
  const device = db.prepare("INSERT INTO devices (app_id, guid, status, grants, first_seen, last_address) VALUES (?, ?, 'approved', NULL, ?, '10.0.0.1')");
  const now = Math.floor(Date.now() / 1000);
  const chunk = 200_000;
  for (let start = 0; start < scale.devices; start += chunk) {
    db.transaction(() => {
      for (let i = start; i < Math.min(scale.devices, start + chunk); i++) device.run(app, `fleet-${i}`, now);
    })();
  }
  db.close();
}

/** A million devices polling every 300 s (the default refresh): the load p99 is measured at, for both fleets. */
const POLL_RATE = Math.round(1_000_000 / 300);

/**
 * Every device of the fleet checks in once (a signed 304 poll each, signed as it is sent), so the
 * server holds the whole fleet online, as it would a quarter of an hour into a fleet's day.
 */
async function bringOnline(url: string, secret: string, devices: number, etag: string): Promise<void> {
  const started = performance.now();
  let next = 0;
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    amount: devices,
    requests: [
      {
        setupRequest: (req: object) => {
          const device = `fleet-${next++}`;
          const headers = { ...signedHeaders(secret, 'GET', '/v1/config', device, '', randomBytes(8).toString('hex')), 'if-none-match': etag };
          return Object.assign(req, { method: 'GET' as const, path: '/v1/config', headers });
        },
      },
    ],
  });
  const failed = r.non2xx - r['3xx'] + r.errors;
  process.stderr.write(`  fleet of ${devices} online in ${((performance.now() - started) / 1000).toFixed(0)} s (${failed} failed)\n`);
  if (failed > 0) throw new Error(`${failed} of ${devices} check-ins failed`);
}

interface FleetResult {
  p99: number[];
  perSecond: number[];
  rss: number[];
}

/** A fleet's server, up with every device online. */
interface Fleet {
  scale: FleetScale;
  stratus: Awaited<ReturnType<typeof startStratus>>;
  secret: string;
  etag: string;
  agent: ReturnType<typeof benchAgent>;
  dataDir: string;
  result: FleetResult;
}

async function openFleet(scale: FleetScale, s: Settings): Promise<Fleet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  const first = await startStratus({ dataDir });
  const secret = first.secret;
  await first.stop();
  const started = performance.now();
  populate(join(dataDir, 'stratus.db'), scale);
  process.stderr.write(`  fleet of ${scale.devices} devices and ${scale.messages} messages written in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  const stratus = await startStratus({ dataDir, nodeArgs: s.nodeArgs });
  try {
    const probe = presigned(secret, 'GET', '/v1/config', 1, { device: () => 'fleet-0' })({}) as { headers: Record<string, string> };
    const etag = (await fetch(`${stratus.url}/v1/config`, { headers: probe.headers })).headers.get('etag') as string;
    await bringOnline(stratus.url, secret, scale.devices, etag);
    return { scale, stratus, secret, etag, agent: benchAgent(CONNECTIONS), dataDir, result: { p99: [], perSecond: [], rss: [] } };
  } catch (error) {
    await stratus.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function closeFleet(fleet: Fleet): Promise<void> {
  fleet.agent.destroy();
  await fleet.stratus.stop();
  rmSync(fleet.dataDir, { recursive: true, force: true });
}

const pick = (fleet: Fleet) => () => `fleet-${Math.floor(Math.random() * fleet.scale.devices)}`;

/**
 * Latency at a fleet's steady rate, each poll timed on its own, after a second of the same load
 * not recorded: a fleet that sat out the other's turn has lost its keep-alive connections, and
 * reopening them would be timed as polls.
 */
async function steady(fleet: Fleet, seconds: number): Promise<{ p99: number; errors: number }> {
  const device = pick(fleet);
  const poll = () => new BenchDevice(fleet.stratus.url, fleet.secret, device(), fleet.agent).poll(fleet.etag);
  await paced(POLL_RATE, 1, poll);
  const latencies: number[] = [];
  const errors = await paced(POLL_RATE, seconds, async () => {
    const sent = performance.now();
    await poll();
    latencies.push(performance.now() - sent);
  });
  return { p99: quantile(latencies, 0.99), errors };
}

async function fullSpeed(fleet: Fleet, seconds: number): Promise<{ perSecond: number; errors: number }> {
  const requests = presigned(fleet.secret, 'GET', '/v1/config', 30_000 * seconds, { device: pick(fleet), headers: { 'if-none-match': fleet.etag } });
  return load(fleet.stratus.url, seconds, requests);
}

/**
 * A window leaves check-ins that the server writes one slice a second for SLICES seconds
 * (pending-check-ins.ts): a big fleet's backlog is waited out before the small fleet is measured,
 * so neither is measured beside the other's leftover work. (The small fleet's is ~1,000 rows.)
 */
const BACKLOG_MS = (SLICES + 1) * 1000;

/**
 * Both fleets stay up and take turns, window by window (ABBA: small-big, big-small, …), so that
 * whatever else the shared machine does falls on both alike; the ratio of two phases minutes apart
 * measured the machine's drift as much as the fleet's size.
 */
function turns(small: Fleet, big: Fleet): (runs: number, measure: (fleet: Fleet, run: number) => Promise<unknown>) => Promise<void> {
  let last: Fleet | null = null;
  return async (runs, measure) => {
    for (let run = 0; run < runs; run++) {
      for (const fleet of run % 2 === 0 ? [small, big] : [big, small]) {
        if (last === big && fleet === small) await new Promise((resolve) => setTimeout(resolve, BACKLOG_MS));
        await measure(fleet, run);
        last = fleet;
      }
    }
  };
}

export async function fleetWorkload(big: FleetScale, s: Settings): Promise<Figure[]> {
  const fleets: Fleet[] = [];
  try {
    const small = await openFleet({ devices: 1000, messages: 0 }, s);
    fleets.push(small);
    const large = await openFleet(big, s);
    fleets.push(large);
    const inTurns = turns(small, large);
    await inTurns(s.runs, async (fleet, run) => {
      const { p99, errors } = await steady(fleet, s.seconds);
      fleet.result.p99.push(p99);
      process.stderr.write(`  fleet ${fleet.scale.devices} run ${run + 1}: poll p99 ${p99.toFixed(2)} ms at ${POLL_RATE} polls/s (${errors} errors)\n`);
    });
    // the full-speed runs last: their backlog would spill into a steady run
    await inTurns(s.runs, async (fleet, run) => {
      const full = await fullSpeed(fleet, s.seconds);
      fleet.result.perSecond.push(full.perSecond);
      fleet.result.rss.push(rssMb(fleet.stratus.pid));
      process.stderr.write(`  fleet ${fleet.scale.devices} run ${run + 1}: ${Math.round(full.perSecond)} polls/s at full speed (${full.errors} errors), RSS ${fleet.result.rss.at(-1)?.toFixed(0)} MB\n`);
    });
    const label = `${big.devices.toLocaleString('en-US')} devices, ${big.messages.toLocaleString('en-US')} messages`;
    const rate = `at ${POLL_RATE.toLocaleString('en-US')} polls/s`;
    return [
      { name: `poll p99 ${rate}, 1,000 devices`, system: 'stratus', unit: 'ms', runs: small.result.p99, better: 'lower' },
      { name: `poll p99 ${rate}, ${label}`, system: 'stratus', unit: 'ms', runs: large.result.p99, better: 'lower' },
      { name: 'polls at full speed, 1,000 devices', system: 'stratus', unit: 'req/s', runs: small.result.perSecond, better: 'higher' },
      { name: `polls at full speed, ${label}`, system: 'stratus', unit: 'req/s', runs: large.result.perSecond, better: 'higher' },
      { name: 'server RSS, 1,000 devices', system: 'stratus', unit: 'MB', runs: small.result.rss, better: 'lower' },
      { name: `server RSS, ${label}`, system: 'stratus', unit: 'MB', runs: large.result.rss, better: 'lower' },
    ];
  } finally {
    for (const fleet of fleets) await closeFleet(fleet);
  }
}
