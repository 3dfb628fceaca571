import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StratusError } from '../protocol/index.js';
import { createPrivateFile, moveIntoPlace, removeWithJournals } from './private-file.js';
import { openStratusFile, schemaVersion, tableCounts } from './sqlite-file.js';

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

export interface BackupSummary {
  source: string;
  file: string;
  bytes: number;
  pages: number;
  schemaVersion: number;
  /** Rows per table in the copy, equal to the source's at the moment the backup began. */
  counts: Record<string, number>;
  durationMs: number;
}

export interface BackupOptions {
  /** Replace `out` when it exists. */
  force?: boolean;
  /** Pages copied per step; between steps other connections may write. */
  pagesPerStep?: number;
  onProgress?: (progress: BackupProgress) => void;
}

/**
 * Copies a live Stratus database to `out` with SQLite's online backup, while the server keeps
 * writing. A read transaction is held for the whole copy: every step reads the same snapshot, so the
 * copy is the database as of its first step (without it, each write by the server restarts the copy,
 * which under steady load never ends). Meanwhile the server's WAL cannot be checkpointed past that
 * snapshot and grows; it shrinks again after the copy.
 * The copy is written to a 0600 temporary file beside `out`, switched to a rollback journal (a
 * single self-contained file), checked against the snapshot's row counts and renamed into place.
 */
export async function backupDatabase(source: string, out: string, options: BackupOptions = {}): Promise<BackupSummary> {
  const started = Date.now();
  const target = resolve(out);
  if (target === resolve(source)) throw new StratusError('bad_request', '--out must not be the database itself');
  if (!existsSync(dirname(target))) throw new StratusError('bad_request', `--out: the directory ${dirname(target)} does not exist`);
  if (existsSync(target) && !options.force) throw new StratusError('conflict', `${target} exists: choose another --out, or add --force to replace it`);
  const db = openStratusFile(source);
  const temp = `${target}.partial-${process.pid}`;
  try {
    db.exec('BEGIN');
    const counts = tableCounts(db); // also starts the snapshot the backup steps read
    const version = schemaVersion(db);
    createPrivateFile(temp);
    const step = options.pagesPerStep ?? 1000;
    const result = await db.backup(temp, {
      progress: (p) => {
        options.onProgress?.(p);
        return step;
      },
    });
    options.onProgress?.({ totalPages: result.totalPages, remainingPages: 0 }); // the last step is not reported
    db.exec('COMMIT');
    checkCopy(temp, counts);
    moveIntoPlace(temp, target);
    return {
      source: resolve(source),
      file: target,
      bytes: statSync(target).size,
      pages: result.totalPages,
      schemaVersion: version,
      counts,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    removeWithJournals(temp);
    throw error;
  } finally {
    db.close();
  }
}

/** The copy as one file in rollback-journal mode, with the row counts of the snapshot it was taken from. */
function checkCopy(path: string, expected: Record<string, number>): void {
  const copy = new Database(path, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
    const counts = tableCounts(copy);
    for (const [table, n] of Object.entries(expected)) {
      if (counts[table] !== n) throw new StratusError('internal', `the copy has ${counts[table]} rows in ${table}, the source had ${n}`);
    }
  } finally {
    copy.close();
  }
}
