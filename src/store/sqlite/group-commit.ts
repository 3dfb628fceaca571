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
}

const NO_HOOKS: TransactionHooks = { beginJob() {}, rollbackJob() {}, beforeCommit() {}, afterRollback() {} };

/**
 * Group commit: write jobs queued during one turn of the event loop run in one transaction, each
 * in its own savepoint so a failing job rolls back alone, and their promises resolve only after
 * COMMIT returned (synchronous=FULL: on disk). Many requests share one fsync.
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
    const done: { job: Job<unknown>; value: unknown }[] = [];
    const failed: { job: Job<unknown>; error: unknown }[] = [];
    try {
      this.sql.begin.run();
      for (const job of jobs) {
        this.sql.savepoint.run();
        this.hooks.beginJob();
        try {
          done.push({ job, value: job.run() });
          this.sql.release.run();
        } catch (error) {
          this.sql.rollbackTo.run();
          this.sql.release.run();
          this.hooks.rollbackJob();
          failed.push({ job, error });
        }
      }
      this.hooks.beforeCommit();
      this.sql.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.hooks.afterRollback();
      for (const job of jobs) job.reject(error);
      return;
    }
    for (const { job, value } of done) job.resolve(value);
    for (const { job, error } of failed) job.reject(error);
  }
}
