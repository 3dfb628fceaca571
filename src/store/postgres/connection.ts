import pg from 'pg';
import { StratusError } from '../../protocol/index.js';
import { StorageHealth } from '../storage-errors.js';

export interface PostgresStoreOptions {
  /**
   * A `postgres://` or `postgresql://` URL. libpq-style parameters in its query are honoured, e.g.
   * `?sslmode=require` or `?options=-c%20search_path%3Dstratus`.
   */
  url: string;
  /** The schema of the tables, created when missing; default: the connection's search_path (usually `public`). */
  schema?: string;
  /** Connections in the pool; default 10. */
  poolSize?: number;
}

const INT8 = 20;

/** BIGINT columns (times, ids, seqs, counts) come back as JS numbers; beyond 2^53 would be a bug. */
function int8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`a BIGINT out of the safe integer range: ${text}`);
  return value;
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? int8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL with `-c search_path=<schema>` added to its `options` (kept when the URL has some already). */
function withSearchPath(url: string, schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new StratusError('bad_request', `schema "${schema}" must match ${String(SCHEMA_NAME)}`);
  const parsed = new URL(url);
  const options = [parsed.searchParams.get('options'), `-c search_path=${schema}`].filter(Boolean).join(' ');
  parsed.searchParams.set('options', options);
  return parsed.toString();
}

/** What the pool's connections and the cluster's listening connection are opened with. */
export function clientConfig(options: PostgresStoreOptions): pg.ClientConfig {
  return {
    connectionString: options.schema === undefined ? options.url : withSearchPath(options.url, options.schema),
    connectionTimeoutMillis: 10_000,
    application_name: 'stratus',
    types,
  };
}

export function createPool(options: PostgresStoreOptions): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(options), max: options.poolSize ?? 10 });
  // An idle connection that breaks (server restart) is dropped by the pool; the next query opens a
  // new one, and a query that was running rejects on its own. Without a listener, the process dies.
  pool.on('error', () => {});
  return pool;
}

const UNAVAILABLE_SQLSTATE = /^(08|53|57P0)/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** Lost or refused connections become `unavailable` (503: retry), like a stopped SQLite writer. */
/** Each pool's record of running out of room, so readiness can tell (PostgresStore.ping). */
const healthOfPool = new WeakMap<pg.Pool, StorageHealth>();

/** The storage health the errors of `pool`'s statements are noted in. */
export function storageHealthOf(pool: pg.Pool): StorageHealth {
  let health = healthOfPool.get(pool);
  if (!health) healthOfPool.set(pool, (health = new StorageHealth()));
  return health;
}

/** storeError, noting a full disk in the pool's storage health. */
function poolError(pool: pg.Pool, error: unknown): unknown {
  return storeError(storageHealthOf(pool).noteWriteError(error, Date.now()));
}

export function storeError(error: unknown): unknown {
  if (error instanceof StratusError) return error;
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code) || /^Connection terminated|timeout exceeded when trying to connect/.test(message)) {
    return new StratusError('unavailable', `storage is unavailable: ${message}`, { cause: error });
  }
  return error;
}

/**
 * Deadlocks and serialization failures: the whole transaction can run again. So can a duplicate
 * idempotency key, which sync's stream locks rule out; were it to happen, the retry finds the first
 * message and answers its seq.
 */
function retryable(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '40P01' || e?.code === '40001' || (e?.code === '23505' && e.constraint === 'messages_idempotency');
}
const ATTEMPTS = 3;

export type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * Runs `work` in one READ COMMITTED transaction on one pooled connection and commits; resolves only
 * after COMMIT returned (synchronous_commit: on, the server's default, so the commit is on disk).
 * A deadlock or serialization failure runs `work` again from the start.
 * `explicit: false` runs `work` on one connection without BEGIN and COMMIT: for work whose only
 * write is its last statement, atomic on its own, it saves two round trips.
 */
export async function transaction<T>(pool: pg.Pool, work: (db: Queryable) => Promise<T>, explicit = true): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect().catch((error: unknown) => Promise.reject(poolError(pool, error)));
    let broken = false;
    try {
      if (explicit) await client.query('BEGIN');
      const value = await work(client);
      if (explicit) await client.query('COMMIT');
      return value;
    } catch (error) {
      if (explicit) await client.query('ROLLBACK').catch(() => (broken = true));
      if (retryable(error) && attempt < ATTEMPTS) continue;
      throw poolError(pool, error);
    } finally {
      client.release(broken);
    }
  }
}

/** One statement outside a transaction (autocommit), with connection errors mapped. */
export async function query<R extends pg.QueryResultRow>(pool: pg.Pool, config: pg.QueryConfig): Promise<pg.QueryResult<R>> {
  try {
    return await pool.query<R>(config);
  } catch (error) {
    throw poolError(pool, error);
  }
}
