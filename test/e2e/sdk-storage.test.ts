// The SQLite outbox keeps a schema version (PRAGMA user_version): a new file gets it, a file from
// before versions were kept is adopted with what it holds, one from a newer SDK is refused untouched.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ClientError } from '../../src/client/errors.js';
import { SCHEMA_VERSION, SqliteStorage } from '../../src/client/sqlite-storage.js';
import { removeDir } from '../support/server-process.js';

const dir = mkdtempSync(join(tmpdir(), 'stratus-sdk-storage-'));
after(() => removeDir(dir));

describe('SqliteStorage schema version', () => {
  it('a new file is at SCHEMA_VERSION', () => {
    const path = join(dir, 'new.db');
    new SqliteStorage(path).close();
    const db = new Database(path);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    db.close();
  });

  it('a file from before versions were kept is adopted with its outbox and state', async () => {
    const path = join(dir, 'unversioned.db');
    const old = new Database(path); // the schema the SDK wrote before it kept a version
    old.exec(`
      CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, scope TEXT NOT NULL,
        stream TEXT NOT NULL, value TEXT NOT NULL, ttl INTEGER, priority INTEGER NOT NULL);
      CREATE INDEX outbox_order ON outbox (priority DESC, seq);
      CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO outbox (id, scope, stream, value, ttl, priority) VALUES ('kept-1', 'home', 'temp', '21.5', 60, 2);
      INSERT INTO state (key, value) VALUES ('acks', '{"home/cmd":7}');
    `);
    old.close();
    const storage = new SqliteStorage(path);
    assert.deepEqual(storage.pending(10), [{ id: 'kept-1', scope: 'home', stream: 'temp', value: '21.5', ttl: 60, priority: 2 }]);
    assert.equal(storage.getState('acks'), '{"home/cmd":7}');
    storage.close();
    const db = new Database(path);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    db.close();
  });

  it('a file from a newer SDK is refused with storage_version and left as it was', () => {
    const path = join(dir, 'newer.db');
    const newer = new Database(path);
    newer.exec("CREATE TABLE outbox2 (x); INSERT INTO outbox2 VALUES ('future')");
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    assert.throws(() => new SqliteStorage(path), (e: unknown) => e instanceof ClientError && e.code === 'storage_version' && /newer than this SDK's/.test(e.message));
    const db = new Database(path);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION + 1);
    assert.deepEqual(db.prepare('SELECT name FROM sqlite_master WHERE type = ?').pluck().all('table'), ['outbox2']);
    db.close();
  });
});
