import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StratusError } from '../protocol/index.js';
import { SQLITE_MIGRATIONS } from '../store/sqlite/schema.js';
import { TABLES, quote, type Row, type TableSpec } from './tables.js';

/** The database file inside a data directory, as `stratus serve --data` names it. */
export const DATABASE_FILE = 'stratus.db';

/** A data directory or a database file: the file. */
export function databasePath(dirOrFile: string): string {
  const path = resolve(dirOrFile);
  return existsSync(path) && statSync(path).isDirectory() ? join(path, DATABASE_FILE) : path;
}

/**
 * Opens an existing Stratus SQLite file without changing it: no migration, refused when missing,
 * not a database, or of a schema version this Stratus does not know. `readonly` for files no server
 * uses (a backup); a live database is opened read-write so it can share the server's WAL.
 */
export function openStratusFile(path: string, readonly = false): Database.Database {
  if (!existsSync(path)) throw new StratusError('not_found', `no database at ${path}: pass the data directory (--data) or the file`);
  if (statSync(path).isDirectory()) throw new StratusError('bad_request', `${path} is a directory, not a database file`);
  const db = new Database(path, { fileMustExist: true, readonly });
  try {
    db.pragma('busy_timeout = 5000');
    checkSchema(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function checkSchema(db: Database.Database, path: string): void {
  let version: number;
  try {
    version = db.pragma('user_version', { simple: true }) as number;
  } catch (error) {
    throw new StratusError('bad_request', `${path} is not a SQLite database (${(error as Error).message})`, { cause: error });
  }
  if (version === 0) throw new StratusError('bad_request', `${path} is not a Stratus database (schema version 0)`);
  if (version > SQLITE_MIGRATIONS.length) {
    throw new StratusError('conflict', `${path} has schema version ${version}, newer than this Stratus knows (${SQLITE_MIGRATIONS.length}): upgrade Stratus`);
  }
  if (version < SQLITE_MIGRATIONS.length) {
    throw new StratusError('conflict', `${path} has schema version ${version}, older than this Stratus (${SQLITE_MIGRATIONS.length}): start \`stratus serve\` on it once to upgrade it`);
  }
  for (const table of TABLES) {
    const columns = (db.pragma(`table_info(${quote(table.name)})`) as { name: string }[]).map((c) => c.name);
    const expected = table.columns.map((c) => c.name);
    if (columns.join() !== expected.join()) {
      throw new StratusError('conflict', `${path}: table ${table.name} has columns (${columns.join(', ')}), expected (${expected.join(', ')})`);
    }
  }
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Rows per table, read in the connection's current snapshot. */
export function tableCounts(db: Database.Database): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table.name] = (db.prepare(`SELECT count(*) AS n FROM ${quote(table.name)}`).get() as { n: number }).n;
  return counts;
}

/** `PRAGMA integrity_check`: null when the file is sound, else what SQLite found (first lines). */
export function integrityProblem(db: Database.Database): string | null {
  let lines: string[];
  try {
    lines = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  } catch (error) {
    return (error as Error).message; // damage SQLite cannot even walk past
  }
  return lines.length === 1 && lines[0] === 'ok' ? null : lines.slice(0, 5).join('; ');
}

/** Reads a table in key order, `limit` rows after `after` (null: from the start). */
export class SqliteTableReader {
  private readonly first = new Map<string, Database.Statement>();
  private readonly next = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  read(table: TableSpec, after: readonly unknown[] | null, limit: number): Row[] {
    const columns = table.columns.map((c) => quote(c.name)).join(', ');
    const order = table.key.map(quote).join(', ');
    const cache = after === null ? this.first : this.next;
    let statement = cache.get(table.name);
    if (!statement) {
      const where = after === null ? '' : `WHERE (${order}) > (${table.key.map(() => '?').join(', ')})`;
      statement = this.db.prepare(`SELECT ${columns} FROM ${quote(table.name)} ${where} ORDER BY ${order} LIMIT ?`).raw(true);
      cache.set(table.name, statement);
    }
    return statement.all(...(after ?? []), limit) as Row[];
  }

  /** The highest id SQLite handed out for a table with an id (devices remember deleted ones). */
  maxId(table: TableSpec): number {
    const max = (this.db.prepare(`SELECT coalesce(max(id), 0) AS n FROM ${quote(table.name)}`).get() as { n: number }).n;
    const seq = this.db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = ?`).get(table.name) as { seq: number } | undefined;
    return Math.max(max, seq?.seq ?? 0);
  }
}
