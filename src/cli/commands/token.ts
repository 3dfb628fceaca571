import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { issueAdminToken } from '../../server/admin-auth.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import { globals } from '../context.js';
import { printJson } from '../output.js';

/** Works on the data directory itself, so a lost admin token can be replaced while the server runs. */
export function tokenCommand(program: Command): void {
  program
    .command('token')
    .description('admin tokens, on the data directory itself (no server needed)')
    .command('create')
    .description('issue a new admin token and print it once (e.g. when the first one was lost)')
    .addOption(new Option('--data <dir>', 'data directory of the SQLite file').env('STRATUS_DATA').default('./data'))
    .option('--label <text>', 'what the token is for', 'cli')
    .action(async (o: { data: string; label: string }, cmd: Command) => {
      const path = resolve(join(o.data, 'stratus.db'));
      const store = new SqliteStore({ path });
      try {
        const token = await issueAdminToken(store, o.label, Math.floor(Date.now() / 1000));
        if (globals(cmd).json) return printJson({ token, label: o.label, database: path });
        process.stdout.write(`admin token: ${token}\n(shown only now; stored as its SHA-256 in ${path})\n`);
      } finally {
        await store.close();
      }
    });
}
