// backupDatabase and restoreDatabase on real SQLite files: a consistent copy while the store's writer
// thread keeps committing, private modes, and a restore that checks before it writes anything.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { StratusError } from '../protocol/index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import type { NewMessage } from '../store/types.js';
import { backupDatabase } from './backup.js';
import { restoreDatabase } from './restore.js';

const T0 = 1_732_300_000;
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-ops-'));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const mode = (path: string): number => statSync(path).mode & 0o777;

async function loadedStore(path: string): Promise<{ store: SqliteStore; publish: (n: number, tag: string) => Promise<void> }> {
  const store = new SqliteStore({ path });
  const app = await store.insertApp({ name: 'ops', policy: 'open', defaultTtlSeconds: 86_400, maxTtlSeconds: 86_400, defaultGrants: [] }, 'secret', T0);
  const device = await store.insertDevice({ appId: app.id, guid: 'dev', status: 'approved', now: T0, address: null });
  const publish = async (n: number, tag: string): Promise<void> => {
    const messages: NewMessage[] = Array.from({ length: n }, (_, i) => ({
      appId: app.id, scope: 'load', owner: '', stream: 'x', clientId: `${tag}-${i}`, writer: 'dev', value: `${tag}-${i}`.padEnd(200, '.'), time: T0, expiresAt: T0 + 86_400,
    }));
    await store.sync({ deviceId: device.id, now: T0, publish: messages, subscribe: [] });
  };
  return { store, publish };
}

const countMessages = (path: string): number => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('backupDatabase', () => {
  it('copies one moment of a database the writer thread keeps writing to, into a 0600 file', async () => {
    const dir = tempDir();
    const path = join(dir, 'stratus.db');
    const { store, publish } = await loadedStore(path);
    await publish(5000, 'before');
    let writing = true;
    let written = 0;
    const writer = (async () => {
      for (let b = 0; writing; b++) {
        await publish(20, `during-${b}`);
        written += 20;
      }
    })();
    let steps = 0;
    const out = join(dir, 'copy.db');
    const summary = await backupDatabase(path, out, {
      pagesPerStep: 5,
      onProgress: () => {
        steps += 1;
      },
    });
    writing = false;
    await writer;
    await store.close();
    assert.ok(steps > 20, `copied in many steps (${steps})`);
    assert.ok(written > 0, 'the store wrote while the copy ran');
    assert.equal(mode(out), 0o600);
    assert.ok(summary.counts.messages! >= 5000);
    assert.equal(countMessages(out), summary.counts.messages, 'the copy holds exactly the snapshot it counted');
    assert.equal(new Database(out, { readonly: true }).pragma('journal_mode', { simple: true }), 'delete');
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('copy.db')), ['copy.db'], 'no temporary file left');
  });

  it('refuses an existing --out unless forced, a missing database, and a file that is not one', async () => {
    const dir = tempDir();
    const path = join(dir, 'stratus.db');
    const { store } = await loadedStore(path);
    await store.close();
    const out = join(dir, 'taken.db');
    writeFileSync(out, 'keep me');
    await assert.rejects(backupDatabase(path, out), (e: StratusError) => e.code === 'conflict' && /add --force/.test(e.message));
    assert.equal(readFileSync(out, 'utf8'), 'keep me');
    assert.equal((await backupDatabase(path, out, { force: true })).counts.apps, 1);
    await assert.rejects(backupDatabase(join(dir, 'none.db'), join(dir, 'x.db')), (e: StratusError) => e.code === 'not_found');
    await assert.rejects(backupDatabase(out, join(dir, 'nodir', 'x.db')), (e: StratusError) => e.code === 'bad_request' && /does not exist/.test(e.message));
    writeFileSync(join(dir, 'text.db'), 'plain text, not SQLite '.repeat(100));
    await assert.rejects(backupDatabase(join(dir, 'text.db'), join(dir, 'y.db')), (e: StratusError) => e.code === 'bad_request' && /not a SQLite database/.test(e.message));
    assert.ok(!existsSync(join(dir, 'y.db')));
  });
});

describe('restoreDatabase', () => {
  async function backupOf(messages: number): Promise<string> {
    const dir = tempDir();
    const { store, publish } = await loadedStore(join(dir, 'stratus.db'));
    await publish(messages, 'm');
    await store.close();
    const out = join(dir, 'backup.db');
    await backupDatabase(join(dir, 'stratus.db'), out);
    return out;
  }

  it('refuses a damaged file and a file of a newer schema, writing nothing', async () => {
    const file = await backupOf(2000);
    const damaged = join(tempDir(), 'damaged.db');
    writeFileSync(damaged, readFileSync(file));
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 8 * 4096); // a page in the middle of the messages
    closeSync(fd);
    const target = join(tempDir(), 'data');
    await assert.rejects(restoreDatabase(damaged, target), (e: StratusError) => e.code === 'conflict' && /integrity_check/.test(e.message));
    assert.ok(!existsSync(target));

    const newer = join(tempDir(), 'newer.db');
    writeFileSync(newer, readFileSync(file));
    const db = new Database(newer);
    db.pragma('user_version = 99');
    db.close();
    await assert.rejects(restoreDatabase(newer, target), (e: StratusError) => e.code === 'conflict' && /newer than this Stratus/.test(e.message));
    assert.ok(!existsSync(target));
  });

  it('creates the data directory 0700 and the database 0600; --force replaces a database and drops its old WAL', async () => {
    const small = await backupOf(10);
    const large = await backupOf(300);
    const data = join(tempDir(), 'nested', 'data');
    const first = await restoreDatabase(small, data);
    assert.equal(first.counts.messages, 10);
    assert.equal(mode(data), 0o700);
    assert.equal(mode(join(data, 'stratus.db')), 0o600);

    // a server ran on it: a WAL with commits of the old database sits beside the file
    const running = new Database(join(data, 'stratus.db'));
    running.pragma('journal_mode = WAL');
    running.pragma('wal_autocheckpoint = 0');
    running.exec("INSERT INTO admin_tokens VALUES ('old-wal-token', 'x', 1)");
    const wal = readFileSync(join(data, 'stratus.db-wal'));
    running.close(); // checkpoints and removes the WAL; put one back as a crash would leave it
    writeFileSync(join(data, 'stratus.db-wal'), wal);

    await assert.rejects(restoreDatabase(large, data), (e: StratusError) => e.code === 'conflict' && /not empty/.test(e.message));
    const forced = await restoreDatabase(large, data, { force: true });
    assert.equal(forced.counts.messages, 300);
    assert.ok(!existsSync(join(data, 'stratus.db-wal')));
    const store = new SqliteStore({ path: join(data, 'stratus.db') });
    try {
      assert.equal((await store.stats()).messages, 300);
      assert.equal(await store.hasAdminToken('old-wal-token'), false);
    } finally {
      await store.close();
    }
  });
});
