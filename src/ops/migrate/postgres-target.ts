import type pg from 'pg';
import { createPool, storeError, transaction } from '../../store/postgres/connection.js';
import { migratePostgres } from '../../store/postgres/migrate.js';
import { TABLES, quote, type Row, type TableSpec } from '../tables.js';

/** One row per table: how far the copy got, written in the same transaction as each batch. */
const PROGRESS_TABLE = `
  CREATE TABLE IF NOT EXISTS stratus_migration (
    table_name TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_rows BIGINT NOT NULL,
    after_key JSONB,
    copied BIGINT NOT NULL DEFAULT 0,
    done BOOLEAN NOT NULL DEFAULT false,
    verified_at BIGINT
  )`;

/** pg_try_advisory_lock key of `stratus migrate`: "STRMIGR" in ASCII. */
const MIGRATE_LOCK = '23458241437329746';

export interface TableProgress {
  table: string;
  source: string;
  sourceRows: number;
  afterKey: unknown[] | null;
  copied: number;
  done: boolean;
  verifiedAt: number | null;
}

/** The PostgreSQL side of a migration: the Stratus schema, the progress rows, batch inserts and reads. */
export class PostgresTarget {
  private lockClient: pg.PoolClient | null = null;

  private constructor(private readonly pool: pg.Pool) {}

  /** Connects, brings the schema to the latest version, and takes the migration lock. */
  static async open(url: string): Promise<PostgresTarget> {
    const pool = createPool({ url, poolSize: 3 });
    const target = new PostgresTarget(pool);
    try {
      await migratePostgres(pool, null);
      await pool.query(PROGRESS_TABLE);
      await target.checkColumns();
      const client = await pool.connect();
      target.lockClient = client;
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATE_LOCK]);
      if (!rows[0]?.locked) throw new Error('another `stratus migrate` is running on this database: wait for it to end');
    } catch (error) {
      await target.close();
      throw storeError(error);
    }
    return target;
  }

  /** The tables as TABLES has them, so no column is left behind by a schema that grew on one side only. */
  private async checkColumns(): Promise<void> {
    const { rows } = await this.pool.query<{ table_name: string; columns: string[] }>(
      `SELECT table_name, array_agg(column_name::text ORDER BY ordinal_position) AS columns FROM information_schema.columns
       WHERE table_schema = current_schema() GROUP BY table_name`,
    );
    for (const table of TABLES) {
      const found = rows.find((r) => r.table_name === table.name)?.columns ?? [];
      const expected = table.columns.map((c) => c.name);
      if (found.join() !== expected.join()) {
        throw new Error(`the target's table ${table.name} has columns (${found.join(', ')}), this Stratus copies (${expected.join(', ')})`);
      }
    }
  }

  async close(): Promise<void> {
    this.lockClient?.release(true); // a dropped connection releases the advisory lock
    this.lockClient = null;
    await this.pool.end();
  }

  async progress(): Promise<TableProgress[]> {
    const { rows } = await this.pool.query<{
      table_name: string;
      source: string;
      source_rows: number;
      after_key: unknown[] | null;
      copied: number;
      done: boolean;
      verified_at: number | null;
    }>('SELECT * FROM stratus_migration ORDER BY table_name');
    return rows.map((r) => ({
      table: r.table_name,
      source: r.source,
      sourceRows: r.source_rows,
      afterKey: r.after_key,
      copied: r.copied,
      done: r.done,
      verifiedAt: r.verified_at,
    }));
  }

  /** Tables that hold rows, with a count of each. */
  async nonEmptyTables(): Promise<Record<string, number>> {
    const found: Record<string, number> = {};
    for (const table of TABLES) {
      const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${quote(table.name)}`);
      if ((rows[0]?.n ?? 0) > 0) found[table.name] = rows[0]?.n as number;
    }
    return found;
  }

  async startProgress(source: string, sourceRows: Record<string, number>): Promise<void> {
    await transaction(this.pool, async (db) => {
      for (const table of TABLES) {
        await db.query('INSERT INTO stratus_migration (table_name, source, source_rows) VALUES ($1, $2, $3)', [table.name, source, sourceRows[table.name] ?? 0]);
      }
    });
  }

  /** Inserts a batch and records the copy's new position, in one transaction: a batch is in or out. */
  async insertBatch(table: TableSpec, rows: readonly Row[], afterKey: readonly unknown[], done: boolean): Promise<void> {
    const columns = table.columns.map((c) => quote(c.name)).join(', ');
    const selected = table.columns.map((c) => `u.${quote(c.name)}${c.type === 'jsonb' ? '::jsonb' : ''}`).join(', ');
    const arrays = table.columns.map((c, i) => `$${i + 1}::${c.type === 'bigint' ? 'bigint' : 'text'}[]`).join(', ');
    const values = table.columns.map((_, i) => rows.map((r) => r[i]));
    await transaction(this.pool, async (db) => {
      if (rows.length > 0) {
        await db.query(`INSERT INTO ${quote(table.name)} (${columns}) SELECT ${selected} FROM unnest(${arrays}) AS u(${columns})`, values);
      }
      await db.query('UPDATE stratus_migration SET after_key = $2::jsonb, copied = copied + $3, done = $4 WHERE table_name = $1', [
        table.name,
        JSON.stringify(afterKey),
        rows.length,
        done,
      ]);
    });
  }

  /** Reads a table in key order, as SqliteTableReader does. */
  async read(table: TableSpec, after: readonly unknown[] | null, limit: number): Promise<Row[]> {
    const columns = table.columns.map((c) => quote(c.name)).join(', ');
    const order = table.key.map(quote).join(', ');
    const where = after === null ? '' : `WHERE (${order}) > (${table.key.map((_, i) => `$${i + 2}`).join(', ')})`;
    const { rows } = await this.pool.query<Row>({
      text: `SELECT ${columns} FROM ${quote(table.name)} ${where} ORDER BY ${order} LIMIT $1`,
      values: [limit, ...(after ?? [])],
      rowMode: 'array',
    });
    return rows;
  }

  /** Moves an identity sequence past `minimum` and the ids present, so new rows never reuse an id. */
  async moveSequence(table: TableSpec, minimum: number): Promise<void> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT coalesce(max(id), 0) AS n FROM ${quote(table.name)}`);
    const last = Math.max(minimum, rows[0]?.n ?? 0);
    if (last > 0) await this.pool.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, [table.name, last]);
  }

  async markVerified(now: number): Promise<void> {
    await this.pool.query('UPDATE stratus_migration SET verified_at = $1', [now]);
  }
}
