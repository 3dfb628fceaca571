// Files in transit: one row per file picked up from a watched folder, with how many of its chunks
// the server has (chunks go in order, so one number says it), in the gateway's SQLite file.
import type Database from 'better-sqlite3';

export type FileState = 'sending' | 'manifest' | 'done';

export interface FileRow {
  id: string;
  path: string;
  name: string;
  size: number;
  sha256: string;
  chunkBytes: number;
  chunks: number;
  /** Chunks 0 … acked-1 are on the server. */
  acked: number;
  scope: string;
  stream: string;
  priority: number;
  ttl: number | null;
  folder: number;
  state: FileState;
  createdMs: number;
}

export class FileTable {
  private readonly sql;

  constructor(private readonly db: Database.Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS files (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        chunk_bytes INTEGER NOT NULL,
        chunks INTEGER NOT NULL,
        acked INTEGER NOT NULL DEFAULT 0,
        scope TEXT NOT NULL,
        stream TEXT NOT NULL,
        priority INTEGER NOT NULL,
        ttl INTEGER,
        folder INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'sending',
        created_ms INTEGER NOT NULL
      );
    `);
    const cols =
      'id, path, name, size, sha256, chunk_bytes AS chunkBytes, chunks, acked, scope, stream, priority, ttl, folder, state, created_ms AS createdMs';
    this.sql = {
      insert: db.prepare(
        'INSERT OR IGNORE INTO files (id, path, name, size, sha256, chunk_bytes, chunks, scope, stream, priority, ttl, folder, created_ms) VALUES (@id, @path, @name, @size, @sha256, @chunkBytes, @chunks, @scope, @stream, @priority, @ttl, @folder, @createdMs)',
      ),
      all: db.prepare(`SELECT ${cols} FROM files ORDER BY priority DESC, created_ms, id`),
      byPath: db.prepare('SELECT id FROM files WHERE path = ?').pluck(),
      acked: db.prepare('UPDATE files SET acked = max(acked, ?) WHERE id = ?'),
      state: db.prepare('UPDATE files SET state = ? WHERE id = ?'),
      remove: db.prepare('DELETE FROM files WHERE id = ?'),
    };
  }

  /** Registers a file (durably) unless its path is already in transit; true when it is new. */
  add(row: Omit<FileRow, 'acked' | 'state'>): boolean {
    return this.sql.insert.run(row).changes === 1;
  }

  has(path: string): boolean {
    return this.sql.byPath.get(path) !== undefined;
  }

  all(): FileRow[] {
    return this.sql.all.all() as FileRow[];
  }

  setAcked(id: string, acked: number): void {
    this.sql.acked.run(acked, id);
  }

  setState(id: string, state: FileState): void {
    this.sql.state.run(state, id);
  }

  remove(id: string): void {
    this.sql.remove.run(id);
  }
}
