// The writer thread: owns the only write connection, runs every write in group-commit transactions,
// and answers only after COMMIT. The server's event loop keeps parsing requests meanwhile.
import { parentPort, workerData } from 'node:worker_threads';
import { StratusError } from '../../protocol/index.js';
import { openSqlite } from './connection.js';
import { GroupCommitter } from './group-commit.js';
import type { CommitFigure, FromWriter, SerializedError, ToWriter, WriteResult } from './writer-protocol.js';
import { SqliteWrites } from './writes.js';

const port = parentPort;
if (!port) throw new Error('writer-worker runs as a worker thread');

const { path, maxBytes } = workerData as { path: string; maxBytes: number };
const db = openSqlite(path);
// A cap on the file (maxBytes): past it writes fail with SQLITE_FULL, exactly as on a full disk.
if (maxBytes > 0) db.pragma(`max_page_count = ${Math.ceil(maxBytes / (db.pragma('page_size', { simple: true }) as number))}`);
const writes = new SqliteWrites(db);
/** Commits since the last answer; they travel with it. */
let commits: CommitFigure[] = [];
const committer = new GroupCommitter(db, {
  beginJob: () => writes.heads.beginJob(),
  rollbackJob: () => writes.heads.rollbackJob(),
  beforeCommit: () => writes.heads.flush(),
  afterRollback: () => writes.heads.forgetAll(),
  committed: (jobs, seconds) => commits.push({ jobs, seconds }),
});

function serialize(error: unknown): SerializedError {
  if (error instanceof StratusError) return { name: error.name, message: error.message, code: error.code };
  const e = error as Error & { code?: unknown };
  return { name: e?.name ?? 'Error', message: e?.message ?? String(error), ...(typeof e?.code === 'string' ? { sqliteCode: e.code } : {}) };
}

const answering = new Set<Promise<void>>();

port.on('message', async (message: ToWriter) => {
  if ('close' in message) {
    committer.flush();
    await Promise.all(answering); // every committed write is answered before the thread ends
    db.close();
    port.postMessage({ closed: true } satisfies FromWriter);
    port.close();
    return;
  }
  const pending = message.calls.map((call) =>
    committer.submit(() => (writes[call.op] as (...args: unknown[]) => unknown).apply(writes, call.args)).then(
      (value): WriteResult => ({ id: call.id, ok: true, value }),
      (error: unknown): WriteResult => ({ id: call.id, ok: false, error: serialize(error) }),
    ),
  );
  const answer = Promise.all(pending).then((results) => {
    const figures = commits;
    commits = [];
    port.postMessage({ results, commits: figures } satisfies FromWriter);
  });
  answering.add(answer);
  void answer.finally(() => answering.delete(answer));
});
