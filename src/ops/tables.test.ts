// TABLES against the SQLite schema: every table, every column, in order (the PostgreSQL side is
// checked by `stratus migrate` itself before it copies, and so in test/e2e/backup.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../store/sqlite/schema.js';
import { TABLES, keyOf } from './tables.js';

describe('the table list of backup and migrate', () => {
  const db = new Database(':memory:');
  for (const sql of SQLITE_MIGRATIONS) db.exec(sql);

  it('names every table of the SQLite schema, with its columns in order', () => {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    assert.deepEqual([...TABLES.map((t) => t.name)].sort(), tables);
    for (const table of TABLES) {
      const columns = (db.pragma(`table_info(${table.name})`) as { name: string; type: string; pk: number }[]);
      assert.deepEqual(table.columns.map((c) => c.name), columns.map((c) => c.name), table.name);
      for (const c of table.columns) {
        const sqliteType = columns.find((s) => s.name === c.name)?.type;
        assert.equal(sqliteType, c.type === 'bigint' ? 'INTEGER' : 'TEXT', `${table.name}.${c.name}`);
      }
    }
  });

  it('reads each table by a key that is unique in it, and marks the tables with a generated id', () => {
    for (const table of TABLES) {
      const indexes = db.pragma(`index_list(${table.name})`) as { name: string; unique: number }[];
      const uniqueKeys = indexes.filter((i) => i.unique).map((i) => (db.pragma(`index_info(${i.name})`) as { name: string }[]).map((c) => c.name).join());
      const pk = (db.pragma(`table_info(${table.name})`) as { name: string; pk: number }[]).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name).join();
      assert.ok([...uniqueKeys, pk].includes(table.key.join()), `${table.name} is read by (${table.key.join(', ')})`);
      assert.equal(table.identity, pk === 'id', table.name);
    }
    const messages = TABLES.find((t) => t.name === 'messages');
    assert.deepEqual(keyOf(messages!, [7, 42, 'w', null, 'v', 1, 2]), [7, 42]);
  });
});
