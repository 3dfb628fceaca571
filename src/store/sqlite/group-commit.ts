import type { Database, Statement } from 'better-sqlite3';

interface Job<T> {
  run: () => T;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/** What the writer keeps in memory beside the transaction (stream heads), told of its fate. */
export interface TransactionHooks {
  beginJob(): void;
  rollbackJob(): void;
  beforeCommit(): void;
  afterRollback(): void;
  /** After each COMMIT: how many jobs it held and how long COMMIT (the fsync) took. */
  committed?(jobs: number, seconds: number): void;
}

const NO_HOOKS: TransactionHooks = { beginJob() {}, rollbackJob() {}, beforeCommit() {}, afterRollback() {} };

type Settled = { job: Job<unknown>; ok: true; value: unknown } | { job: Job<unknown>; ok: false; error: unknown };

/**
 * Group commit: write jobs queued during one turn of the event loop run in one transaction, and
 * their promises resolve only after COMMIT returned (synchronous=FULL: on disk). Many requests
 * share one fsync. Jobs run back to back; only when one throws is the transaction rolled back and
 * run again with each job in its own savepoint, so that the failing job rolls back alone (a
 * savepoint per job on every commit cost more than the jobs themselves).
 */
export class GroupCommitter {
  private queue: Job<unknown>[] = [];
  private scheduled = false;
  private readonly sql: Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'commit', Statement>;

  constructor(
    private readonly db: Database,
    private readonly hooks: TransactionHooks = NO_HOOKS,
  ) {
    this.sql = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      savepoint: db.prepare('SAVEPOINT job'),
      release: db.prepare('RELEASE job'),
      rollbackTo: db.prepare('ROLLBACK TO job'),
      commit: db.prepare('COMMIT'),
    };
  }

  submit<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve, reject } as Job<unknown>);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs what is queued now; also called on close. */
  flush(): void {
    this.scheduled = false;
    const jobs = this.queue;
    if (jobs.length === 0) return;
    this.queue = [];
    let settled: Settled[] | null;
    try {
      settled = this.transaction(jobs, false) ?? this.transaction(jobs, true);
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.hooks.afterRollback();
      for (const job of jobs) job.reject(error);
      return;
    }
    for (const s of settled as Settled[]) {
      if (s.ok) s.job.resolve(s.value);
      else s.job.reject(s.error);
    }
  }

  /** One committed transaction of all jobs; without savepoints, null (rolled back) when a job throws. */
  private transaction(jobs: Job<unknown>[], savepoints: boolean): Settled[] | null {
    const settled: Settled[] = [];
    this.sql.begin.run();
    for (const job of jobs) {
      if (savepoints) this.sql.savepoint.run();
      this.hooks.beginJob();
      try {
        settled.push({ job, ok: true, value: job.run() });
        if (savepoints) this.sql.release.run();
      } catch (error) {
        // Some errors (SQLITE_FULL, SQLITE_IOERR…) make SQLite roll the whole transaction back
        // itself: then no job of it can be kept, and the error is every job's.
        if (!this.db.inTransaction) throw error;
        if (!savepoints) {
          this.db.exec('ROLLBACK');
          this.hooks.afterRollback();
          return null;
        }
        this.sql.rollbackTo.run();
        this.sql.release.run();
        this.hooks.rollbackJob();
        settled.push({ job, ok: false, error });
      }
    }
    this.hooks.beforeCommit();
    const started = process.hrtime.bigint();
    this.sql.commit.run();
    this.hooks.committed?.(jobs.length, Number(process.hrtime.bigint() - started) / 1e9);
    return settled;
  }
}
