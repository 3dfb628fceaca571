#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ClientError } from '../client/index.js';
import { StratusError } from '../protocol/index.js';
import { ConnectionError, UnexpectedAnswerError } from './admin-client.js';
import { appCommands } from './commands/app.js';
import { backupCommand } from './commands/backup.js';
import { configCommands } from './commands/config.js';
import { deviceCommands } from './commands/device.js';
import { edgeCommands } from './commands/edge.js';
import { exportConfigCommand } from './commands/export-config.js';
import { fileCommands } from './commands/file.js';
import { subCommand } from './commands/device-messages.js';
import { messageCommands } from './commands/messages.js';
import { migrateCommand } from './commands/migrate.js';
import { nodesCommand } from './commands/nodes.js';
import { restoreCommand } from './commands/restore.js';
import { serveCommand } from './commands/serve.js';
import { tokenCommand } from './commands/token.js';
import { topCommand } from './commands/top.js';
import { addGlobalOptions } from './context.js';

/** Exit codes (docs/cli.md): 0 done, 1 the server or the operation refused, 2 usage, 3 server unreachable. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

const program = new Command('stratus')
  .description('Stratus: remote config and store-and-forward messaging for device fleets')
  .version('0.1.0')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();
addGlobalOptions(program);
serveCommand(program);
appCommands(program);
deviceCommands(program);
configCommands(program);
exportConfigCommand(program);
messageCommands(program);
subCommand(program);
nodesCommand(program);
tokenCommand(program);
topCommand(program);
backupCommand(program);
restoreCommand(program);
migrateCommand(program);
edgeCommands(program);
fileCommands(program);

/**
 * The command word, skipping global options and their values; commander shows the root help for
 * `stratus nosuch --help` (exit 0) instead of saying the command is unknown.
 */
function commandWord(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('-')) return arg;
    const option = program.options.find((o) => o.long === arg || o.short === arg);
    if (option && (option.required || option.optional)) i += 1;
  }
  return undefined;
}

try {
  const word = commandWord(process.argv.slice(2));
  if (word !== undefined && word !== 'help' && !program.commands.some((c) => c.name() === word || c.aliases().includes(word))) {
    process.stderr.write(`error: unknown command '${word}'\n(add --help for usage)\n`);
    process.exit(EXIT.usage);
  }
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof ConnectionError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = EXIT.unreachable;
  } else if (error instanceof UnexpectedAnswerError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exitCode = EXIT.failed;
  } else if (error instanceof ClientError) {
    process.stderr.write(`error: ${error.code}: ${error.message}\n`);
    process.exitCode = error.code === 'network' ? EXIT.unreachable : EXIT.failed;
  } else if (error instanceof StratusError) {
    process.stderr.write(`error: ${error.code}: ${error.message}\n`);
    process.exitCode = error.code === 'bad_request' ? EXIT.usage : EXIT.failed;
  } else if (typeof (error as NodeJS.ErrnoException).syscall === 'string') {
    // A system call failed (EADDRINUSE, EACCES, ENOSPC…): the message says it all.
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = EXIT.failed;
  } else {
    process.stderr.write(`error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = EXIT.failed;
  }
}
