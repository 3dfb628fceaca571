import { Command, Option } from 'commander';
import { globals } from '../context.js';
import { printJson } from '../output.js';

export function restoreCommand(program: Command): void {
  program
    .command('restore')
    .description('check a backup file and put it in place as the database of a data directory')
    .argument('<file>', 'a file written by `stratus backup`')
    .addOption(new Option('--data <dir>', 'the data directory to restore into (created 0700)').env('STRATUS_DATA').default('./data'))
    .option('--force', 'replace the database of a data directory that is not empty (stop its server first)', false)
    .action(async (file: string, o: { data: string; force: boolean }, cmd: Command) => {
      const { restoreDatabase } = await import('../../ops/restore.js'); // loaded only to run it
      const summary = await restoreDatabase(file, o.data, { force: o.force });
      if (summary.warning) process.stderr.write(`warning: ${summary.warning}\n`);
      if (globals(cmd).json) return printJson(summary);
      const c = summary.counts;
      process.stdout.write(
        `restored ${summary.file} into ${summary.database} (integrity ok, schema version ${summary.schemaVersion}): ` +
          `${c.apps} apps, ${c.devices} devices, ${c.messages} messages, ${c.cursors} cursors\n` +
          `start it with: stratus serve --data ${summary.dataDir}\n`,
      );
    });
}
