import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StratusError } from '../protocol/index.js';
import { createPrivateFile, moveIntoPlace, removeWithJournals } from './private-file.js';
import { DATABASE_FILE, integrityProblem, openStratusFile, schemaVersion, tableCounts } from './sqlite-file.js';

export interface RestoreSummary {
  file: string;
  dataDir: string;
  database: string;
  bytes: number;
  schemaVersion: number;
  counts: Record<string, number>;
  /** Set when the data directory existed and lets other users in. */
  warning: string | null;
}

/**
 * Puts a backup in place as `<dataDir>/stratus.db`, for `stratus serve --data <dataDir>`. The file is
 * checked first (integrity_check, a schema version this Stratus knows, every table); a data directory
 * that holds anything is refused unless `force`, which replaces the database and its WAL (stop the
 * server first). The directory is created 0700, the file 0600, written beside and renamed in place.
 */
export async function restoreDatabase(file: string, dataDir: string, options: { force?: boolean } = {}): Promise<RestoreSummary> {
  const source = resolve(file);
  const dir = resolve(dataDir);
  const backup = openStratusFile(source, true);
  try {
    const problem = integrityProblem(backup);
    if (problem) throw new StratusError('conflict', `${source} is damaged (integrity_check: ${problem}); nothing was restored`);
    const version = schemaVersion(backup);
    const counts = tableCounts(backup);

    let warning: string | null = null;
    if (existsSync(dir)) {
      if (!statSync(dir).isDirectory()) throw new StratusError('bad_request', `--data ${dir} is a file, not a directory`);
      const present = readdirSync(dir);
      if (present.length > 0 && !options.force) {
        throw new StratusError(
          'conflict',
          `${dir} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}): restore into a new directory, or stop its server and add --force to replace its database`,
        );
      }
      const mode = statSync(dir).mode & 0o777;
      if (mode & 0o077) warning = `the data directory ${dir} is readable by other users (mode ${mode.toString(8)}): chmod 700 it, since the database holds app secrets`;
    } else {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    }

    const database = join(dir, DATABASE_FILE);
    const temp = join(dir, `.${DATABASE_FILE}.restore-${process.pid}`);
    try {
      createPrivateFile(temp);
      await backup.backup(temp);
      // A WAL left by the database being replaced would be replayed onto the restored file.
      for (const suffix of ['-wal', '-shm', '-journal']) rmSync(database + suffix, { force: true });
      moveIntoPlace(temp, database);
    } catch (error) {
      removeWithJournals(temp);
      throw error;
    }
    return { file: source, dataDir: dir, database, bytes: statSync(database).size, schemaVersion: version, counts, warning };
  } finally {
    backup.close();
  }
}
