import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './schema.js';

/**
 * The database holds app secrets in clear (HMAC needs them), so its folder is made 0700 and the file
 * 0600 before SQLite opens it; SQLite gives its -wal and -shm files the database file's mode.
 * Returns a warning when an existing folder lets other users in.
 */
export function preparePrivateFile(path: string): string | null {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  const mode = statSync(dir).mode & 0o777;
  return mode & 0o077 ? `the data directory ${dir} is readable by other users (mode ${mode.toString(8)}): chmod 700 it, since the database holds app secrets` : null;
}

/**
 * Each connection's page cache (better-sqlite3 builds SQLite with 16 MiB). The file's pages stay in
 * the OS's cache either way; with a million devices the two connections' caches filled to 16 MiB
 * each and stayed resident, a tenth of the server's memory.
 */
const PAGE_CACHE_KIB = 8192;

/** Opens the file in WAL mode with an fsync on every commit: a resolved write is on disk. */
export function openSqlite(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  return db;
}

/** Brings the file to the latest schema; refuses a file from a newer Stratus. */
export function migrateSqlite(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SQLITE_MIGRATIONS.length) {
    throw new Error(
      `the database has schema version ${version}, newer than this Stratus knows (${SQLITE_MIGRATIONS.length}): upgrade Stratus`,
    );
  }
  for (let v = version; v < SQLITE_MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(SQLITE_MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
