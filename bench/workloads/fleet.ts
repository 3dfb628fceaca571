// Workload 6: does the poll stay fast with a big fleet? The same 304 poll, from devices picked at
// random across the fleet, with 1k vs `devices` registered devices and `messages` retained
// messages; poll latency p99 and the server's resident memory. The fleet is written straight into
// the SQLite file (as a restore would), which is faster than a million signed requests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { rssMb, startStratus } from '../peers/processes.js';
import type { Figure } from '../report/stats.js';
import { CONNECTIONS, load, presigned, type Settings } from './http-load.js';

export interface FleetScale {
  devices: number;
  messages: number;
}

/** Adds `devices` approved devices of the demo app and `messages` messages over 1000 streams. */
function populate(path: string, scale: FleetScale): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF'); // a bulk load, not acknowledged writes
  const app = (db.prepare("SELECT id FROM apps WHERE name = 'demo'").get() as { id: number }).id;
  const now = Math.floor(Date.now() / 1000);
  const device = db.prepare("INSERT INTO devices (app_id, guid, status, grants, first_seen, last_seen, last_address) VALUES (?, ?, 'approved', NULL, ?, ?, '10.0.0.1')");
  const stream = db.prepare("INSERT INTO streams (app_id, scope, owner, name, head) VALUES (?, 'fleet', '', ?, ?)");
  const message = db.prepare("INSERT INTO messages (stream_id, seq, writer, client_id, value, time, expires_at) VALUES (?, ?, 'w', NULL, ?, ?, ?)");
  const chunk = 200_000;
  for (let start = 0; start < scale.devices; start += chunk) {
    db.transaction(() => {
      for (let i = start; i < Math.min(scale.devices, start + chunk); i++) device.run(app, `fleet-${i}`, now, now);
    })();
  }
  const streams = 1000;
  const perStream = Math.floor(scale.messages / streams);
  const value = 'x'.repeat(64);
  for (let s = 0; s < streams; s++) {
    db.transaction(() => {
      const id = Number(stream.run(app, `s${s}`, perStream).lastInsertRowid);
      for (let seq = 1; seq <= perStream; seq++) message.run(id, seq, value, now, now + 86_400 * 30);
    })();
    if (s % 100 === 99) process.stderr.write(`  fleet: ${((s + 1) * perStream).toLocaleString('en-US')} messages written\n`);
  }
  db.close();
}

async function measure(scale: FleetScale, s: Settings): Promise<{ p99: number[]; rss: number[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  try {
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
      const result = { p99: [] as number[], rss: [] as number[] };
      for (let run = 0; run < s.runs; run++) {
        const pick = () => `fleet-${Math.floor(Math.random() * scale.devices)}`;
        const requests = presigned(secret, 'GET', '/v1/config', 30_000 * s.seconds, { device: pick, headers: { 'if-none-match': etag } });
        const r = await load(stratus.url, s.seconds, requests);
        result.p99.push(r.p99Ms);
        result.rss.push(rssMb(stratus.pid));
        process.stderr.write(`  fleet ${scale.devices} run ${run + 1}: ${Math.round(r.perSecond)} polls/s, p99 ${r.p99Ms} ms, RSS ${result.rss.at(-1)?.toFixed(0)} MB, ${r.errors} errors (${CONNECTIONS} connections)\n`);
      }
      return result;
    } finally {
      await stratus.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function fleetWorkload(big: FleetScale, s: Settings): Promise<Figure[]> {
  const small = await measure({ devices: 1000, messages: 0 }, s);
  const large = await measure(big, s);
  const label = `${big.devices.toLocaleString('en-US')} devices, ${big.messages.toLocaleString('en-US')} messages`;
  return [
    { name: 'poll p99, 1,000 devices', system: 'stratus', unit: 'ms', runs: small.p99, better: 'lower' },
    { name: `poll p99, ${label}`, system: 'stratus', unit: 'ms', runs: large.p99, better: 'lower' },
    { name: 'server RSS, 1,000 devices', system: 'stratus', unit: 'MB', runs: small.rss, better: 'lower' },
    { name: `server RSS, ${label}`, system: 'stratus', unit: 'MB', runs: large.rss, better: 'lower' },
  ];
}
