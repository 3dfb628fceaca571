import { StratusError } from '../protocol/index.js';

/** Seconds a client is told to wait when the database has no room: space rarely comes back sooner. */
export const STORAGE_FULL_RETRY_SECONDS = 30;

const SQLITE_FULL = new Set(['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_IOERR_SHMSIZE']);
/** PostgreSQL's disk_full (53100). */
const POSTGRES_FULL = '53100';

/**
 * A database error that means "no room to store this" (a full disk, or the configured size cap),
 * as `unavailable` with Retry-After: the request may succeed later or on another node, and the
 * answer must not look like a server bug (`internal`). Null for any other error.
 */
export function storageFullError(error: unknown): StratusError | null {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (!SQLITE_FULL.has(code) && code !== POSTGRES_FULL && !/disk is full|No space left/i.test(message)) return null;
  return new StratusError('unavailable', 'the server has no room to store this (disk full); retry later or on another node', {
    retryAfterSeconds: STORAGE_FULL_RETRY_SECONDS,
    cause: error,
  });
}

/** Remembers when the database last ran out of room, so readiness can say so for a while. */
export class StorageHealth {
  private fullAtMs = -Infinity;

  constructor(private readonly notReadyForMs = STORAGE_FULL_RETRY_SECONDS * 1000) {}

  /** Maps a write's error: a full-disk one is noted and turned into `unavailable`. */
  noteWriteError(error: unknown, nowMs: number): unknown {
    const full = storageFullError(error);
    if (full === null) return error;
    this.fullAtMs = nowMs;
    return full;
  }

  /** Why the store is not ready to take writes, or null. */
  problem(nowMs: number): string | null {
    return nowMs - this.fullAtMs < this.notReadyForMs ? 'the database ran out of room for a write in the last 30 s' : null;
  }
}
