import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { StratusError } from '../../protocol/index.js';
import { openStratusFile, SqliteTableReader, tableCounts } from '../sqlite-file.js';
import { TABLES, keyOf, type TableSpec } from '../tables.js';
import { TableDigest } from './digest.js';
import { PostgresTarget, type TableProgress } from './postgres-target.js';

export interface MigrateOptions {
  /** The SQLite database file. */
  from: string;
  /** A postgres:// URL. */
  to: string;
  /** Continue a migration into this target that was interrupted. */
  resume?: boolean;
  /** Rows per batch (and per transaction on the target). */
  batch?: number;
  onProgress?: (event: MigrateProgress) => void;
  /** A line for each stage (start, resume, sequences, verification). */
  log?: (line: string) => void;
}

export interface MigrateProgress {
  table: string;
  copied: number;
  total: number;
  done: boolean;
}

export interface TableCheck {
  table: string;
  sourceRows: number;
  targetRows: number;
  sourceDigest: string;
  targetDigest: string;
  /** Rows this run copied. */
  copied: number;
  ok: boolean;
}

export interface MigrateSummary {
  resumed: boolean;
  verified: boolean;
  tables: TableCheck[];
  durationMs: number;
}

/**
 * Says which source a target's progress belongs to: the apps (ids, names, creation times) and the
 * admin tokens, which a running server hardly changes, so a resume against another file is refused.
 */
function fingerprint(db: Database.Database): string {
  const hash = createHash('sha256');
  for (const row of db.prepare('SELECT id, name, created_at FROM apps ORDER BY id').raw(true).all()) hash.update(JSON.stringify(row));
  for (const row of db.prepare('SELECT token_sha256 FROM admin_tokens ORDER BY token_sha256').raw(true).all()) hash.update(JSON.stringify(row));
  return hash.digest('hex');
}

/** Decides, from what the target holds, where the copy starts; refuses what would mix two databases. */
async function prepare(target: PostgresTarget, source: string, counts: Record<string, number>, resume: boolean): Promise<{ resumed: boolean; progress: TableProgress[] }> {
  let progress = await target.progress();
  if (progress.length === 0) {
    const held = await target.nonEmptyTables();
    if (Object.keys(held).length > 0) {
      const list = Object.entries(held).map(([t, n]) => `${t}: ${n}`).join(', ');
      throw new StratusError(
        'conflict',
        `the target already holds data that \`stratus migrate\` did not write (${list}): migrate into an empty database or schema (a server started on it creates a demo app and a token)`,
      );
    }
    await target.startProgress(source, counts);
    return { resumed: false, progress: await target.progress() };
  }
  if (progress.some((p) => p.source !== source)) {
    throw new StratusError('conflict', 'the target holds a migration from another database (its apps and admin tokens differ): migrate into an empty database or schema');
  }
  if (!resume) {
    const finished = progress.every((p) => p.done);
    throw new StratusError(
      'conflict',
      finished
        ? 'the target holds a finished migration from this database: add --resume to verify it again'
        : 'the target holds an interrupted migration from this database: add --resume to continue it and verify',
    );
  }
  progress = progress.filter((p) => TABLES.some((t) => t.name === p.table));
  return { resumed: true, progress };
}

async function copyTable(table: TableSpec, reader: SqliteTableReader, target: PostgresTarget, state: TableProgress, batch: number, options: MigrateOptions): Promise<number> {
  let after = state.afterKey;
  let copied = state.copied;
  let thisRun = 0;
  const total = state.sourceRows;
  while (!state.done) {
    const rows = reader.read(table, after, batch);
    const done = rows.length < batch;
    const last = rows.at(-1);
    if (last) after = keyOf(table, last);
    await target.insertBatch(table, rows, after ?? [], done);
    copied += rows.length;
    thisRun += rows.length;
    options.onProgress?.({ table: table.name, copied, total, done });
    if (done) break;
  }
  return thisRun;
}

async function check(table: TableSpec, reader: SqliteTableReader, target: PostgresTarget, batch: number): Promise<Omit<TableCheck, 'copied'>> {
  const source = new TableDigest(table);
  for (let after: unknown[] | null = null; ; ) {
    const rows = reader.read(table, after, batch);
    source.add(rows);
    if (rows.length < batch) break;
    after = keyOf(table, rows.at(-1) as unknown[]);
  }
  const copy = new TableDigest(table);
  for (let after: unknown[] | null = null; ; ) {
    const rows = await target.read(table, after, batch);
    copy.add(rows);
    if (rows.length < batch) break;
    after = keyOf(table, rows.at(-1) as unknown[]);
  }
  const [sourceDigest, targetDigest] = [source.hex(), copy.hex()];
  return { table: table.name, sourceRows: source.rows, targetRows: copy.rows, sourceDigest, targetDigest, ok: source.rows === copy.rows && sourceDigest === targetDigest };
}

/**
 * Copies every table of a SQLite database into PostgreSQL, in batches, each committed with the
 * position it reached (table `stratus_migration` in the target), so an interrupted run continues
 * with `resume`. Then moves the id sequences past the copied ids and compares both sides table by
 * table, rows and SHA-256 digests. The source is read in one snapshot per run: migrate a backup, or a
 * database whose server is stopped, else rows written after a table was copied are not in the copy
 * (the verification then says which tables differ).
 */
export async function migrateToPostgres(options: MigrateOptions): Promise<MigrateSummary> {
  const started = Date.now();
  const batch = options.batch ?? 1000;
  const db = openStratusFile(options.from);
  let target: PostgresTarget | null = null;
  try {
    db.exec('BEGIN');
    const counts = tableCounts(db);
    const reader = new SqliteTableReader(db);
    target = await PostgresTarget.open(options.to);
    const { resumed, progress } = await prepare(target, fingerprint(db), counts, options.resume ?? false);
    const done = progress.filter((p) => p.done).length;
    options.log?.(resumed ? `resuming: ${done} of ${TABLES.length} tables were done` : `copying ${TABLES.length} tables in batches of ${batch} rows`);
    const copied: Record<string, number> = {};
    for (const table of TABLES) {
      const state = progress.find((p) => p.table === table.name);
      if (!state) throw new StratusError('internal', `no progress row for table ${table.name} in the target`);
      copied[table.name] = await copyTable(table, reader, target, { ...state, sourceRows: counts[table.name] ?? 0 }, batch, options);
    }
    options.log?.('moving the id sequences past the copied ids');
    for (const table of TABLES) if (table.identity) await target.moveSequence(table, reader.maxId(table));
    options.log?.('verifying: rows and SHA-256 of every table on both sides');
    const tables: TableCheck[] = [];
    for (const table of TABLES) tables.push({ ...(await check(table, reader, target, batch)), copied: copied[table.name] ?? 0 });
    const verified = tables.every((t) => t.ok);
    if (verified) await target.markVerified(Math.floor(Date.now() / 1000));
    db.exec('COMMIT');
    return { resumed, verified, tables, durationMs: Date.now() - started };
  } finally {
    await target?.close();
    db.close();
  }
}
