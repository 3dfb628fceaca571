import { Command } from 'commander';
import { StratusError } from '../../protocol/index.js';
import type { MigrateProgress } from '../../ops/migrate/index.js';
import { databasePath } from '../../ops/sqlite-file.js';
import { globals, wholeNumber } from '../context.js';
import { printJson, printTable } from '../output.js';

/** A log line per table when it starts and ends, and at most one a second between. */
function progressLogger(): (p: MigrateProgress) => void {
  let table = '';
  let last = 0;
  return ({ table: name, copied, total, done }) => {
    const now = Date.now();
    if (name === table && !done && now - last < 1000) return;
    table = name;
    last = now;
    const percent = total > 0 ? ` (${Math.min(100, Math.floor((copied / total) * 100))}%)` : '';
    process.stderr.write(`migrate: ${name} ${copied}/${total}${percent}${done ? ' done' : ''}\n`);
  };
}

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('copy a SQLite database into PostgreSQL, resumable, verified by counts and digests')
    .requiredOption('--from <path>', 'the SQLite file, or its data directory (best: a file from `stratus backup`)')
    .requiredOption('--to <url>', 'the PostgreSQL database, postgres://… (empty, or holding an interrupted migration)')
    .option('--resume', 'continue an interrupted migration into --to', false)
    .option('--batch <n>', 'rows per batch, each committed with its progress', wholeNumber('--batch', 1), 1000)
    .action(async (o: { from: string; to: string; resume: boolean; batch: number }, cmd: Command) => {
      if (!/^postgres(ql)?:\/\//.test(o.to)) throw new StratusError('bad_request', `--to must be a postgres:// URL (got "${o.to.slice(0, 40)}")`);
      if (o.batch > 10_000) throw new StratusError('bad_request', '--batch must be at most 10000');
      const { migrateToPostgres } = await import('../../ops/migrate/index.js'); // loaded only to run it
      const summary = await migrateToPostgres({
        from: databasePath(o.from),
        to: o.to,
        resume: o.resume,
        batch: o.batch,
        onProgress: progressLogger(),
        log: (line) => process.stderr.write(`migrate: ${line}\n`),
      });
      if (globals(cmd).json) printJson(summary);
      else {
        printTable(
          summary.tables.map((t) => ({ ...t, digest: t.targetDigest.slice(0, 16), ok: t.ok ? 'yes' : 'NO' })),
          ['table', 'sourceRows', 'targetRows', 'copied', 'digest', 'ok'],
        );
      }
      if (!summary.verified) {
        const bad = summary.tables.filter((t) => !t.ok).map((t) => t.table);
        throw new StratusError('conflict', `verification failed: ${bad.join(', ')} differ between the source and the target (was the source written to meanwhile?)`);
      }
      if (!globals(cmd).json) process.stdout.write(`verified: every table has the same rows and digest in PostgreSQL${summary.resumed ? ' (resumed)' : ''}\n`);
    });
}
