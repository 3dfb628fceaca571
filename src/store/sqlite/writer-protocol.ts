import type { CheckIn } from '../types.js';
import type { SqliteWrites } from './writes.js';

/** The writes the writer thread runs: every method of SqliteWrites. */
export type WriteOp = { [K in keyof SqliteWrites]: SqliteWrites[K] extends (...args: never[]) => unknown ? K : never }[keyof SqliteWrites];

/**
 * Check-ins as they cross to the writer thread: columns, not objects. Copying a million devices'
 * worth of small objects between threads is slow (~1.5 µs each on the server's event loop, 5 ms a
 * flush at 3,333 devices a second); two number arrays copy in microseconds. Addresses are rare
 * (sent only when they change): the indexes that have one, and the addresses.
 */
export interface PackedCheckIns {
  deviceIds: Float64Array;
  times: Float64Array;
  addressed: number[];
  addresses: string[];
}

export function packCheckIns(checkIns: readonly CheckIn[]): PackedCheckIns {
  const packed: PackedCheckIns = {
    deviceIds: new Float64Array(checkIns.length),
    times: new Float64Array(checkIns.length),
    addressed: [],
    addresses: [],
  };
  checkIns.forEach((c, i) => {
    packed.deviceIds[i] = c.deviceId;
    packed.times[i] = c.time;
    if (c.address !== null) {
      packed.addressed.push(i);
      packed.addresses.push(c.address);
    }
  });
  return packed;
}

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
