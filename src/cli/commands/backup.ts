import { join } from 'node:path';
import { Command, Option } from 'commander';
import { StratusError } from '../../protocol/index.js';
import type { BackupProgress } from '../../ops/backup.js';
import { DATABASE_FILE } from '../../ops/sqlite-file.js';
import { globals, wholeNumber } from '../context.js';
import { printJson } from '../output.js';

const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`;

/** Progress on stderr for databases that take more than one step: a line per tenth copied. */
function progressPrinter(pagesPerStep: number): (p: BackupProgress) => void {
  let shown = 0;
  return ({ totalPages, remainingPages }) => {
    if (totalPages <= pagesPerStep) return;
    const tenth = Math.floor(((totalPages - remainingPages) / totalPages) * 10);
    if (tenth > shown) {
      shown = tenth;
      process.stderr.write(`backup: ${tenth * 10}% (${totalPages - remainingPages}/${totalPages} pages)\n`);
    }
  };
}

/**
 * Works on the data directory itself, like `stratus token create`: the CLI opens the SQLite file as a
 * second connection beside the running server (WAL lets it read while the server writes), so no
 * admin endpoint has to stream the database and no server is needed at all.
 */
export function backupCommand(program: Command): void {
  program
    .command('backup')
    .description('copy the SQLite database to a file while the server runs (PostgreSQL: pg_dump, see docs/backup.md)')
    .requiredOption('--out <file>', 'the backup file to write (0600)')
    .addOption(new Option('--data <dir>', 'data directory of the SQLite file').env('STRATUS_DATA').default('./data'))
    .addOption(new Option('--db <file>', 'the SQLite file itself (default <data>/stratus.db)').env('STRATUS_DB'))
    .option('--force', 'replace --out when it exists', false)
    .option('--pages-per-step <n>', 'pages copied per step (progress granularity)', wholeNumber('--pages-per-step', 1), 1000)
    .action(async (o: { out: string; data: string; db?: string; force: boolean; pagesPerStep: number }, cmd: Command) => {
      const source = o.db ?? join(o.data, DATABASE_FILE);
      if (/^postgres(ql)?:/.test(source)) {
        throw new StratusError('bad_request', 'a PostgreSQL database is backed up with pg_dump: see docs/backup.md');
      }
      const { backupDatabase } = await import('../../ops/backup.js'); // loaded only to run it
      const summary = await backupDatabase(source, o.out, { force: o.force, pagesPerStep: o.pagesPerStep, onProgress: progressPrinter(o.pagesPerStep) });
      if (globals(cmd).json) return printJson(summary);
      const c = summary.counts;
      process.stdout.write(
        `backed up ${summary.source} to ${summary.file}: ${mib(summary.bytes)}, ${c.apps} apps, ${c.devices} devices, ` +
          `${c.messages} messages, ${c.cursors} cursors, ${c.config_history} config changes, in ${(summary.durationMs / 1000).toFixed(1)} s\n`,
      );
    });
}
