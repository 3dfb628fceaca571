// Issue 17: `stratus backup` while a server publishes, `stratus restore` into a new directory, and
// `stratus migrate` of the same data into PostgreSQL, where the hidden state carries on (docs/backup.md).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { TABLES } from '../../src/ops/tables.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/schema.js';
import { cleanEnv, runCli } from '../support/cli.js';
import { TestDevice, admin } from '../support/device-client.js';
import { freshDatabase, testPostgres, type TestPostgres } from '../support/postgres.js';
import { CLI, ROOT, removeDir, startServer, type RunningServer } from '../support/server-process.js';

/** Messages loaded before the backup, as issue 17 asks. */
const MESSAGES = 100_000;
const PUBLISHERS = 4;
const PER_SYNC = 1000;
/** Where each subscriber's cursor on stream s0 is left: the hidden state a restore and a migrate must keep. */
const CURSORS = [1000, 2500, 4999];

const mode = (path: string): number => statSync(path).mode & 0o777;

async function readStream(server: RunningServer, token: string, stream: string): Promise<Map<string, number>> {
  const seqOf = new Map<string, number>();
  for (let afterSeq = 0; ; ) {
    const page = await admin(server.url, token, 'GET', `/v1/admin/apps/demo/messages?scope=load&stream=${stream}&after=${afterSeq}&limit=1000`);
    assert.equal(page.status, 200);
    for (const m of page.json.messages as { seq: number; value: string }[]) seqOf.set(m.value, m.seq);
    if (page.json.messages.length < 1000) return seqOf;
    afterSeq = page.json.messages.at(-1).seq;
  }
}

/**
 * What the admin API shows of the state a restore must keep: devices as far as a sync does not change
 * them, and the loaded streams (the `live` one and its device keep changing while the backup runs).
 */
async function visibleState(server: RunningServer, token: string) {
  const get = async (path: string) => (await admin(server.url, token, 'GET', path)).json;
  const all = (await get('/v1/admin/apps/demo/devices?limit=1000')).devices as { guid: string; status: string; grants: unknown; firstSeen: number }[];
  const devices = all.filter((d) => d.guid !== 'live-pub');
  const gated = (await get('/v1/admin/apps/gated/devices?limit=1000')).devices as { guid: string; status: string }[];
  return {
    config: (await get('/v1/admin/apps/demo/config')).entries,
    override: (await get('/v1/admin/apps/demo/devices/sub-0/config')).entries,
    history: (await get('/v1/admin/apps/demo/config/history?limit=1000')).history,
    devices: devices.map((d) => ({ guid: d.guid, status: d.status, grants: d.grants, firstSeen: d.firstSeen })).sort((a, b) => a.guid.localeCompare(b.guid)),
    gated: gated.map((d) => ({ guid: d.guid, status: d.status })),
    streams: ((await get('/v1/admin/apps/demo/streams?scope=load')).streams as { stream: string }[]).filter((s) => s.stream !== 'live'),
  };
}

describe('backup, restore and migrate a loaded server', () => {
  const dirs: string[] = [];
  const dbs: { drop: () => Promise<void> }[] = [];
  let cluster: TestPostgres;
  let original: RunningServer;
  let restored: RunningServer | null = null;
  let onPostgres: RunningServer | null = null;
  let secondNode: RunningServer | null = null;
  let token: string;
  let oldSecret: string;
  let secret: string;
  let backupFile: string;
  let acked: Map<string, number>;
  let ackedLive: Map<string, number>;
  let stateBefore: Awaited<ReturnType<typeof visibleState>>;
  let counts: Record<string, number>;

  before(async () => {
    cluster = await testPostgres();
    original = await startServer();
    dirs.push(original.dataDir);
    token = original.adminToken;
    oldSecret = original.demoSecret;
    // a rotated secret: the old one stays valid for a day, with its expiry in app_secrets
    secret = (await admin(original.url, token, 'POST', '/v1/admin/apps/demo/rotate-secret', { overlapSeconds: 86_400 })).json.secret;
    assert.ok(secret);
    const gated = await admin(original.url, token, 'POST', '/v1/admin/apps', { name: 'gated', policy: 'approval' });
    assert.equal(gated.status, 201, JSON.stringify(gated.json));
    assert.equal((await new TestDevice(original.url, 'gated', gated.json.secret, 'knocker').sync({})).status, 403);

    acked = new Map();
    await Promise.all(
      Array.from({ length: PUBLISHERS }, async (_, p) => {
        const device = new TestDevice(original.url, 'demo', secret, `pub-${p}`);
        for (let b = 0; b < MESSAGES / PUBLISHERS / PER_SYNC; b++) {
          const publish = Array.from({ length: PER_SYNC }, (_, j) => ({ id: `p${p}-${b}-${j}`, scope: 'load', stream: `s${p}`, value: `p${p}-${b}-${j}` }));
          const r = await device.sync({ publish });
          assert.equal(r.status, 200, r.text);
          for (const a of r.json.accepted as { id: string; seq: number }[]) acked.set(a.id, a.seq);
        }
      }),
    );
    assert.equal(acked.size, MESSAGES);
    for (const [i, cursor] of CURSORS.entries()) {
      const r = await new TestDevice(original.url, 'demo', secret, `sub-${i}`).sync({ subscribe: [{ scope: 'load', stream: 's0', after: cursor, limit: 1 }] });
      assert.equal(r.json.cursors[0].cursor, cursor, r.text);
    }
    const config = async (path: string, body: object) => assert.equal((await admin(original.url, token, 'PATCH', path, body)).status, 200);
    await config('/v1/admin/apps/demo/config', { set: { mode: 'eco', level: '1' } });
    await config('/v1/admin/apps/demo/config', { set: { mode: 'boost' }, unset: ['level'] });
    await config('/v1/admin/apps/demo/devices/sub-0/config', { set: { debug: '3' } });
    const grants = [{ action: 'subscribe', scope: 'load', stream: '*' }];
    assert.equal((await admin(original.url, token, 'PUT', '/v1/admin/apps/demo/devices/sub-1/grants', { grants })).status, 200);
    stateBefore = await visibleState(original, token);
    assert.deepEqual(stateBefore.gated, [{ guid: 'knocker', status: 'pending' }]);
    assert.equal(stateBefore.streams.length, PUBLISHERS);
  });

  after(async () => {
    for (const server of [original, restored, onPostgres, secondNode]) if (server && server.process.exitCode === null) await server.stop();
    for (const db of dbs) await db.drop();
    await cluster?.stop();
    dirs.forEach(removeDir);
  });

  it('backs up while a device keeps publishing: a private file with every message acknowledged before it began', async () => {
    const work = mkdtempSync(join(tmpdir(), 'stratus-backup-'));
    dirs.push(work);
    backupFile = join(work, 'stratus-backup.db');
    const live = new TestDevice(original.url, 'demo', secret, 'live-pub');
    ackedLive = new Map();
    let publishing = true;
    let during = 0;
    let backupRunning = false;
    // resolved once 500 messages are acknowledged, or when the publisher stops (failed)
    let warmedUp = (): void => undefined;
    const warm = new Promise<void>((resolve) => (warmedUp = resolve));
    const publisher = (async () => {
      try {
        for (let b = 0; publishing; b++) {
          const r = await live.sync({ publish: Array.from({ length: 50 }, (_, j) => ({ id: `l${b}-${j}`, scope: 'load', stream: 'live', value: `l${b}-${j}` })) });
          assert.equal(r.status, 200);
          for (const a of r.json.accepted as { id: string; seq: number }[]) ackedLive.set(a.id, a.seq);
          if (ackedLive.size >= 500) warmedUp();
          if (backupRunning) during += 1;
        }
      } finally {
        publishing = false;
        warmedUp();
      }
    })();
    await warm;
    if (!publishing) await publisher; // it failed: say why
    // a forgotten device, the newest: SQLite never hands its id out again, nor may PostgreSQL after the move
    assert.equal((await new TestDevice(original.url, 'demo', secret, 'forgotten').sync({})).status, 200);
    assert.equal((await admin(original.url, token, 'DELETE', '/v1/admin/apps/demo/devices/forgotten')).status, 204);
    const ackedBefore = new Map(ackedLive);
    backupRunning = true;
    const result = await runCli(['--json', 'backup', '--data', original.dataDir, '--out', backupFile, '--pages-per-step', '10'], cleanEnv());
    backupRunning = false;
    publishing = false;
    await publisher;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(during > 0, 'the device published while the backup ran');
    assert.match(result.stderr, /^backup: 100% \(\d+\/\d+ pages\)$/m, 'progress on stderr');
    const summary = JSON.parse(result.stdout);
    counts = summary.counts;
    assert.equal(summary.file, backupFile);
    assert.equal(summary.bytes, statSync(backupFile).size);
    assert.ok(counts.messages! >= MESSAGES + ackedBefore.size, JSON.stringify(counts));
    assert.equal(counts.cursors, CURSORS.length);
    assert.equal(mode(backupFile), 0o600);
    assert.ok(!existsSync(`${backupFile}-wal`) && !existsSync(`${backupFile}-journal`), 'one self-contained file');
    ackedLive = ackedBefore;

    const again = await runCli(['backup', '--data', original.dataDir, '--out', backupFile], cleanEnv());
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists: choose another --out, or add --force/);
    const usage = await runCli(['backup', '--data', original.dataDir], cleanEnv());
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--out/);
    const missing = await runCli(['backup', '--data', join(work, 'nothing-here'), '--out', join(work, 'x.db')], cleanEnv());
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no database at/);
  });

  it('restore checks the file, refuses a directory in use, and a server on it has every message, cursor and config entry', async () => {
    const work = mkdtempSync(join(tmpdir(), 'stratus-restore-'));
    dirs.push(work);
    const damaged = join(work, 'damaged.db');
    writeFileSync(damaged, 'not a database at all, just text '.repeat(200));
    const bad = await runCli(['restore', damaged, '--data', join(work, 'never')], cleanEnv());
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a SQLite database/);
    assert.ok(!existsSync(join(work, 'never')), 'nothing was created');
    const busy = await runCli(['restore', backupFile, '--data', original.dataDir], cleanEnv());
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /is not empty .*--force/);

    const dataDir = join(work, 'data');
    const result = await runCli(['--json', 'restore', backupFile, '--data', dataDir], cleanEnv());
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout).counts, counts);
    assert.equal(mode(dataDir), 0o700);
    assert.equal(mode(join(dataDir, 'stratus.db')), 0o600);

    restored = await startServer({ dataDir });
    assert.equal(restored.adminToken, '', 'no first start: the token and apps came back');
    assert.deepEqual(await visibleState(restored, token), stateBefore);
    for (let p = 0; p < PUBLISHERS; p++) {
      const stored = await readStream(restored, token, `s${p}`);
      for (const [id, seq] of acked) if (id.startsWith(`p${p}-`)) assert.equal(stored.get(id), seq, `${id} at seq ${seq}`);
    }
    const live = await readStream(restored, token, 'live');
    for (const [id, seq] of ackedLive) assert.equal(live.get(id), seq, `${id} acknowledged before the backup`);
    const seqs = [...live.values()].sort((a, b) => a - b);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1), 'the backup is one moment: a prefix of the stream without gaps');
    for (const [i, cursor] of CURSORS.entries()) {
      const r = await new TestDevice(restored.url, 'demo', secret, `sub-${i}`).sync({ subscribe: [{ scope: 'load', stream: 's0', limit: 10 }] });
      assert.equal(r.json.cursors[0].cursor, cursor);
      assert.equal(r.json.messages[0].seq, cursor + 1);
    }
    await restored.stop();
  });

  it('migrate copies the backup into PostgreSQL, verified; two nodes on it carry on where devices left off', async () => {
    const db = await freshDatabase(cluster.url, 'stratus_backup');
    dbs.push(db);
    const result = await runCli(['--json', 'migrate', '--from', backupFile, '--to', db.url], cleanEnv());
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.verified, true);
    for (const t of summary.tables) assert.equal(t.targetRows, counts[t.table], t.table);
    assert.match(result.stderr, /^migrate: messages \d+\/\d+ \(100%\) done$/m);
    assert.match(result.stderr, /^migrate: verifying: rows and SHA-256 of every table on both sides$/m);
    const refused = await runCli(['migrate', '--from', backupFile, '--to', db.url], cleanEnv());
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /finished migration from this database: add --resume/);

    onPostgres = await startServer({ args: ['--db', db.url] });
    secondNode = await startServer({ args: ['--db', db.url] });
    assert.equal(onPostgres.adminToken, '', 'no first start on the migrated database');
    const state = await visibleState(onPostgres, token);
    assert.deepEqual(state, stateBefore);

    // a subscriber continues from its cursor: no redelivery, no gap; its acknowledgement, sent to the
    // other node, moves it on
    const sub = new TestDevice(onPostgres.url, 'demo', secret, 'sub-0');
    const first = await sub.sync({ subscribe: [{ scope: 'load', stream: 's0', limit: 5 }] });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.signatureValid, true, 'the migrated secret signs the answer');
    assert.equal(first.json.cursors[0].cursor, CURSORS[0]);
    assert.deepEqual(first.json.messages.map((m: { seq: number }) => m.seq), [1, 2, 3, 4, 5].map((i) => (CURSORS[0] as number) + i));
    const next = await new TestDevice(secondNode.url, 'demo', secret, 'sub-0').sync({ subscribe: [{ scope: 'load', stream: 's0', after: (CURSORS[0] as number) + 5, limit: 5 }] });
    assert.equal(next.json.messages[0].seq, (CURSORS[0] as number) + 6);
    const config = await sub.send('GET', '/v1/config', { headers: { accept: 'application/json' } });
    assert.equal(config.json.mode, 'boost');
    assert.equal(config.json.debug, '3');

    // the next publish gets the next seq; a retried publish answers its first seq and stores nothing
    const pub = new TestDevice(secondNode.url, 'demo', secret, 'pub-0');
    const head = (stateBefore.streams as { stream: string; head: number }[]).find((s) => s.stream === 's0')?.head as number;
    const published = await pub.sync({ publish: [{ id: 'after-migrate', scope: 'load', stream: 's0', value: 'after-migrate' }, { id: 'p0-0-7', scope: 'load', stream: 's0', value: 'p0-0-7' }] });
    assert.deepEqual(published.json.accepted, [
      { id: 'after-migrate', seq: head + 1 },
      { id: 'p0-0-7', seq: acked.get('p0-0-7') },
    ]);
    // the rotated-out secret is still valid for its overlap
    const old = await new TestDevice(onPostgres.url, 'demo', oldSecret, 'pub-1').sync({});
    assert.equal(old.status, 200);
    assert.equal(old.signatureValid, true);
    // new rows get new ids: the identity sequences were moved past the copied ones and the forgotten device's
    const source = new Database(backupFile, { readonly: true });
    const lastDeviceId = (source.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'devices'").get() as { seq: number }).seq;
    const maxDeviceId = (source.prepare('SELECT max(id) AS id FROM devices').get() as { id: number }).id;
    source.close();
    assert.ok(lastDeviceId > maxDeviceId, 'the forgotten device had the highest id');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const name = (await client.query("SELECT pg_get_serial_sequence('devices', 'id') AS name")).rows[0].name as string;
    const sequence = await client.query(`SELECT last_value FROM ${name}`);
    await client.end();
    assert.equal(Number(sequence.rows[0].last_value), lastDeviceId);
    const fresh = await new TestDevice(onPostgres.url, 'demo', secret, 'fresh-device').sync({ publish: [{ id: 'n1', scope: 'load', stream: 'brand-new', value: 'x' }] });
    assert.deepEqual(fresh.json.accepted, [{ id: 'n1', seq: 1 }], fresh.text);
    assert.equal((await admin(onPostgres.url, token, 'PATCH', '/v1/admin/apps/demo/config', { set: { mode: 'calm' } })).status, 200);
    assert.equal((await admin(onPostgres.url, token, 'POST', '/v1/admin/apps', { name: 'another', policy: 'open' })).status, 201);
    assert.equal((await admin(onPostgres.url, token, 'POST', '/v1/admin/apps/demo/rotate-secret', {})).status, 200);
  });

  it('an interrupted migrate is refused without --resume and finishes with it, verified', async () => {
    const db = await freshDatabase(cluster.url, 'stratus_backup');
    dbs.push(db);
    const child = spawn(process.execPath, [CLI, 'migrate', '--from', backupFile, '--to', db.url, '--batch', '200'], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, signal) => done(signal)));
    await new Promise<void>((done) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/^migrate: messages \d+\/\d+ \(\d+%\)$/m.test(stderr)) done();
      });
      void exited.then(() => done());
    });
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL', `killed mid-copy, not finished:\n${stderr}`);

    const refused = await runCli(['migrate', '--from', backupFile, '--to', db.url], cleanEnv());
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /interrupted migration from this database: add --resume/);
    const other = await startServer(); // another database: its own token and demo app
    dirs.push(other.dataDir);
    await other.stop();
    const foreign = await runCli(['migrate', '--from', other.dataDir, '--to', db.url, '--resume'], cleanEnv());
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /a migration from another database/);

    const resumed = await runCli(['--json', 'migrate', '--from', backupFile, '--to', db.url, '--resume', '--batch', '200'], cleanEnv());
    assert.equal(resumed.code, 0, resumed.stderr);
    const summary = JSON.parse(resumed.stdout);
    assert.equal(summary.resumed, true);
    assert.match(resumed.stderr, new RegExp(`^migrate: resuming: \\d+ of ${TABLES.length} tables were done$`, 'm'));
    assert.equal(summary.verified, true);
    const messages = summary.tables.find((t: { table: string }) => t.table === 'messages');
    assert.equal(messages.targetRows, counts.messages);
    assert.ok(messages.copied > 0 && messages.copied < (counts.messages as number), `resumed mid-table: ${messages.copied} copied this run`);
    assert.equal(summary.tables.find((t: { table: string }) => t.table === 'apps').copied, 0, 'tables done before the kill are not copied again');
  });
});

describe('backup, restore and migrate: help, docs and usage errors', () => {
  const commands = ['backup', 'restore', 'migrate'];

  it('--help exits 0, and docs/cli.md has a section naming every option', async () => {
    const doc = readFileSync(join(ROOT, 'docs/cli.md'), 'utf8');
    for (const name of commands) {
      const help = await runCli([name, '--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^Usage: stratus ${name} `));
      const section = doc.split(/^### /m).find((s) => s.startsWith(`\`stratus ${name} `));
      assert.ok(section, `docs/cli.md has a section for stratus ${name}`);
      const options = [...(help.stdout.split(/^Options:$/m)[1] ?? '').matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1] as string).filter((o) => o !== '--help');
      assert.ok(options.length > 0);
      for (const option of options) assert.ok(section.includes(`\`${option}`), `docs: stratus ${name} ${option}`);
    }
  });

  it("docs/backup.md's backup and restore commands run as written", async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'stratus-docs-'));
    const server = await startServer({ dataDir: join(cwd, 'data') });
    try {
      const doc = readFileSync(join(ROOT, 'docs/backup.md'), 'utf8');
      const lines = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => (m[1] as string).split('\n')).filter((l) => /^stratus (backup|restore) /.test(l));
      assert.equal(lines.length, 3, lines.join('\n'));
      const script = `stratus() { "${process.execPath}" "${CLI}" "$@"; }\n${lines.join('\n')}\n`;
      const run = await new Promise<{ code: number | null; out: string }>((done) => {
        const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env: cleanEnv() });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.once('exit', (code) => done({ code, out }));
      });
      assert.equal(run.code, 0, run.out);
      assert.match(run.out, new RegExp(`^restored .* \\(integrity ok, schema version ${SQLITE_MIGRATIONS.length}\\): 1 apps`, 'm'));
      assert.equal(mode(join(cwd, 'data-restored', 'stratus.db')), 0o600);
      assert.equal(mode(join(cwd, 'to-migrate.db')), 0o600);
    } finally {
      await server.stop();
      removeDir(cwd);
    }
  });

  it('bad usage exits 2 with a message that says what to fix, before touching anything', async () => {
    const cases: [string[], RegExp][] = [
      [['backup'], /required option '--out <file>'/],
      [['backup', '--out', 'x.db', '--db', 'postgres://h/db'], /pg_dump/],
      [['backup', '--out', join(tmpdir(), 'no-such-dir', 'x.db'), '--pages-per-step', '0'], /--pages-per-step must be a whole number ≥ 1/],
      [['restore'], /missing required argument 'file'/],
      [['migrate', '--from', 'x.db'], /required option '--to <url>'/],
      [['migrate', '--from', 'x.db', '--to', 'mysql://h/db'], /--to must be a postgres:\/\/ URL/],
      [['migrate', '--from', 'x.db', '--to', 'postgres://127.0.0.1:9/db', '--batch', '20000'], /--batch must be at most 10000/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, cleanEnv())));
    for (const [i, [args, message]] of cases.entries()) {
      const r = results[i] as { code: number; stdout: string; stderr: string };
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });
});
