import type pg from 'pg';
import { transaction } from './connection.js';
import { POSTGRES_MIGRATIONS } from './schema.js';

/** pg_advisory_xact_lock key shared by every Stratus node: "STRATUS" in ASCII, as a BIGINT. */
const MIGRATION_LOCK = '23455135327081811';

/**
 * Brings the schema to the latest version in one transaction, under an advisory lock so several
 * nodes starting at once migrate one after the other (the later ones find nothing to do). Refuses
 * a schema from a newer Stratus. `schema`: created when missing.
 */
export async function migratePostgres(pool: pg.Pool, schema: string | null): Promise<number> {
  return transaction(pool, async (db) => {
    await db.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    // CREATE SCHEMA IF NOT EXISTS would need the CREATE right even when the schema is there
    if (schema !== null && (await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 0) {
      await db.query(`CREATE SCHEMA "${schema}"`);
    }
    await db.query(
      `CREATE TABLE IF NOT EXISTS schema_version (
         one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
         version INTEGER NOT NULL
       )`,
    );
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_version');
    const version = rows[0]?.version ?? 0;
    if (version > POSTGRES_MIGRATIONS.length) {
      throw new Error(
        `the database has schema version ${version}, newer than this Stratus knows (${POSTGRES_MIGRATIONS.length}): upgrade Stratus`,
      );
    }
    for (let v = version; v < POSTGRES_MIGRATIONS.length; v++) await db.query(POSTGRES_MIGRATIONS[v] as string);
    await db.query(
      `INSERT INTO schema_version (version) VALUES ($1) ON CONFLICT (one) DO UPDATE SET version = excluded.version`,
      [POSTGRES_MIGRATIONS.length],
    );
    return POSTGRES_MIGRATIONS.length;
  });
}
