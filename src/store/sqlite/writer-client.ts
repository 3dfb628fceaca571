import type { StorageHealth } from '../storage-errors.js';
import { Worker } from 'node:worker_threads';
import { isErrorCode, StratusError } from '../../protocol/index.js';
import type { CommitFigure, FromWriter, SerializedError, ToWriter, WriteCall, WriteOp } from './writer-protocol.js';
import type { SqliteWrites } from './writes.js';

/** The writer thread's young generation (V8's default is ~16 MB per semi-space on 64-bit). */
const WRITER_YOUNG_GENERATION_MB = 8;

type Args<K extends WriteOp> = Parameters<SqliteWrites[K]>;
type Result<K extends WriteOp> = ReturnType<SqliteWrites[K]>;

function revive(e: SerializedError): Error {
  if (e.code !== undefined && isErrorCode(e.code)) return new StratusError(e.code, e.message);
  const error: Error & { code?: string } = new Error(e.message);
  error.name = e.name;
  if (e.sqliteCode !== undefined) error.code = e.sqliteCode;
  return error;
}

/**
 * Batches sent to the writer and not yet answered. A call to an idle writer goes at once (the
 * lowest latency); otherwise two: one being committed and the next waiting in the writer's queue,
 * to start the moment the commit ends. Calls made meanwhile wait here and go together in one
 * message: every message costs both threads a wake-up and a copy.
 */
const MAX_IN_FLIGHT = 2;

/** The server's side of the writer thread: calls travel in batches, and each batch is one transaction. */
export class WriterClient {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private queue: WriteCall[] = [];
  private nextId = 1;
  private inFlight = 0;
  private scheduled = false;
  private failure: Error | null = null;
  private readonly exited: Promise<void>;
  /** Told of every committed transaction (/metrics); null when nobody asked. */
  onCommit: ((figure: CommitFigure) => void) | null = null;

  constructor(
    path: string,
    maxBytes: number,
    private readonly health: StorageHealth,
  ) {
    // The writer allocates little (a batch's rows and results): a young generation of V8's default
    // size (~34 MB committed, touched by every scavenge) would be resident memory it never needs.
    this.worker = new Worker(new URL('./writer-worker.js', import.meta.url), {
      workerData: { path, maxBytes },
      resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB },
    });
    this.worker.on('message', (message: FromWriter) => {
      if (!('results' in message)) return;
      this.inFlight--;
      this.schedule();
      if (this.onCommit) for (const figure of message.commits) this.onCommit(figure);
      for (const r of message.results) {
        const w = this.waiting.get(r.id);
        this.waiting.delete(r.id);
        if (r.ok) w?.resolve(r.value);
        else w?.reject(this.health.noteWriteError(revive(r.error), Date.now()));
      }
    });
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((done) =>
      this.worker.once('exit', () => {
        this.fail(new Error('the SQLite writer thread stopped'));
        done();
      }),
    );
  }

  /** Write calls made and not yet answered: waiting here, or queued or running in the writer thread. */
  get queueDepth(): number {
    return this.waiting.size;
  }

  /** Why the writer thread cannot take writes, or null. */
  get problem(): string | null {
    return this.failure ? `the SQLite writer thread stopped: ${this.failure.message}` : null;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiting.values()) w.reject(new StratusError('unavailable', `storage is unavailable: ${error.message}`, { cause: error }));
    this.waiting.clear();
  }

  call<K extends WriteOp>(op: K, ...args: Args<K>): Promise<Result<K>> {
    if (this.failure) return Promise.reject(new StratusError('unavailable', `storage is unavailable: ${this.failure.message}`));
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.queue.push({ id, op, args });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.inFlight === 0 && this.queue.length > 0) {
      this.send(); // an idle writer starts at once; what comes meanwhile waits for the next batch
      return;
    }
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.inFlight < MAX_IN_FLIGHT) this.send();
    });
  }

  private send(): void {
    const calls = this.queue;
    this.queue = [];
    if (calls.length === 0) return;
    this.inFlight++;
    this.worker.postMessage({ calls } satisfies ToWriter);
  }

  /** Sends what is queued, lets the writer commit it and close, and waits for the thread to end. */
  async close(): Promise<void> {
    this.send();
    this.worker.postMessage({ close: true } satisfies ToWriter);
    await this.exited;
  }
}
