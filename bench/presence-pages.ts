// What presence writes cost SQLite with a million devices: the same check-ins (a million devices
// polling every 300 s, 3,333 a second at random), written each second all at once as before, or
// news-free repeats through PendingCheckIns one slice a second (src/server/pending-check-ins.ts).
// Counts the bytes the process writes (/proc/self/io, WAL and checkpoints) on the store's pragmas.
//   node dist/bench/presence-pages.js [--devices 1000000] [--seconds 120]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PendingCheckIns, SLICES } from '../src/server/pending-check-ins.js';
import type { CheckIn } from '../src/store/types.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const devices = arg('devices', 1_000_000);
const seconds = arg('seconds', 120);
const perSecond = Math.round(devices / 300);
const WARM_UP = SLICES + 1;

const writtenBytes = () => Number(/write_bytes: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);

function run(label: string, schedule: (second: number, checkIns: CheckIn[]) => CheckIn[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'presence-pages-'));
  try {
    const db = new Database(join(dir, 'seen.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE device_seen (device_id INTEGER PRIMARY KEY, last_seen INTEGER NOT NULL)');
    const insert = db.prepare('INSERT INTO device_seen VALUES (?, ?)');
    db.transaction(() => {
      for (let id = 1; id <= devices; id++) insert.run(id, 1);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const seen = db.prepare(
      'INSERT INTO device_seen (device_id, last_seen) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)',
    );
    const write = db.transaction((batch: CheckIn[]) => {
      for (const c of batch) seen.run(c.deviceId, c.time);
    });
    let random = 12345; // mulberry32: the same devices for both schedules
    const next = () => {
      random = (random + 0x6d2b79f5) | 0;
      let t = Math.imul(random ^ (random >>> 15), 1 | random);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (t ^ (t >>> 14)) >>> 0;
    };
    let before = 0;
    let rows = 0;
    let writing = 0;
    // counted after WARM_UP seconds: by then every slice holds a full round of check-ins
    for (let second = 2 - WARM_UP; second < 2 + seconds; second++) {
      if (second === 2) [before, rows, writing] = [writtenBytes(), 0, 0];
      const checkIns = Array.from({ length: perSecond }, () => ({ deviceId: 1 + (next() % devices), time: 1_000 + second, address: null }));
      const batch = schedule(second, checkIns);
      const started = performance.now();
      write(batch);
      writing += performance.now() - started;
      rows += batch.length;
    }
    const mb = (writtenBytes() - before) / 1e6;
    console.log(
      `${label}: ${(mb / seconds).toFixed(2)} MB/s written, ${Math.round(rows / seconds)} rows and ${(writing / seconds).toFixed(1)} ms of writing a second`,
    );
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${devices.toLocaleString('en-US')} devices, ${perSecond} check-ins a second, ${seconds} s after ${WARM_UP} s of warm-up`);
run('each second at once (before)', (_second, checkIns) => {
  const latest = new Map(checkIns.map((c) => [c.deviceId, c]));
  return [...latest.values()];
});
const pending = new PendingCheckIns();
run('one slice a second', (_second, checkIns) => {
  for (const c of checkIns) pending.addRepeat(c.deviceId, c.time);
  return pending.takeTick();
});
