import type { SqliteWrites } from './writes.js';

/** The writes the writer thread runs: every method of SqliteWrites. */
export type WriteOp = { [K in keyof SqliteWrites]: SqliteWrites[K] extends (...args: never[]) => unknown ? K : never }[keyof SqliteWrites];

export interface WriteCall {
  id: number;
  op: WriteOp;
  args: unknown[];
}

export interface SerializedError {
  name: string;
  message: string;
  /** A StratusError's code. */
  code?: string;
  /** SQLite's own code (`SQLITE_FULL`…), for errors from the database. */
  sqliteCode?: string;
}

export type WriteResult = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

/** One committed transaction, for /metrics: the write calls it held and the seconds COMMIT (fsync) took. */
export interface CommitFigure {
  jobs: number;
  seconds: number;
}

export type ToWriter = { calls: WriteCall[] } | { close: true };
/** `commits`: the transactions committed since the last message (for /metrics). */
export type FromWriter = { results: WriteResult[]; commits: CommitFigure[] } | { closed: true };
