import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { GroupCommitter } from './group-commit.js';

function setup() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (v TEXT UNIQUE)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const rows = () => (db.prepare('SELECT v FROM t ORDER BY rowid').all() as { v: string }[]).map((r) => r.v);
  const events: string[] = [];
  const committer = new GroupCommitter(db, {
    beginJob: () => events.push('begin'),
    rollbackJob: () => events.push('rollbackJob'),
    beforeCommit: () => events.push('commit'),
    afterRollback: () => events.push('rollback'),
  });
  return { db, insert, rows, events, committer };
}

describe('group commit', () => {
  it('commits the jobs of one turn in one transaction and resolves each with its value', async () => {
    const { insert, rows, events, committer } = setup();
    const values = await Promise.all(['a', 'b', 'c'].map((v) => committer.submit(() => insert.run(v).changes)));
    assert.deepEqual(values, [1, 1, 1]);
    assert.deepEqual(rows(), ['a', 'b', 'c']);
    assert.deepEqual(events, ['begin', 'begin', 'begin', 'commit']);
  });

  it('rolls back a failing job alone: the others are stored once, its writes not at all', async () => {
    const { insert, rows, events, committer } = setup();
    const results = await Promise.allSettled([
      committer.submit(() => insert.run('a')),
      committer.submit(() => {
        insert.run('half-written');
        throw new Error('job failed');
      }),
      committer.submit(() => insert.run('a')), // a constraint error from SQLite
      committer.submit(() => insert.run('b')),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.equal((results[1] as PromiseRejectedResult).reason.message, 'job failed');
    assert.match((results[2] as PromiseRejectedResult).reason.message, /UNIQUE/);
    assert.deepEqual(rows(), ['a', 'b']);
    // the optimistic run stops at the first failure and is rolled back; the second run isolates each job
    assert.deepEqual(events, ['begin', 'begin', 'rollback', 'begin', 'begin', 'rollbackJob', 'begin', 'rollbackJob', 'begin', 'commit']);
  });

  it('rejects every job when the commit itself fails, and leaves no transaction open', async () => {
    const { db, insert, rows, committer } = setup();
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    db.pragma('foreign_keys = ON');
    const results = await Promise.allSettled([
      committer.submit(() => insert.run('x')),
      committer.submit(() => db.prepare('INSERT INTO child (p) VALUES (42)').run()),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(db.inTransaction, false);
    assert.deepEqual(rows(), []);
  });
});
