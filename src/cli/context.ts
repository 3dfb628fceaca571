import { Command, Option } from 'commander';
import { StratusError } from '../protocol/index.js';
import { AdminClient } from './admin-client.js';

export interface GlobalOptions {
  server: string;
  token?: string;
  json: boolean;
}

export function addGlobalOptions(program: Command): void {
  program
    .addOption(new Option('--server <url>', 'server base URL').env('STRATUS_SERVER').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'admin token').env('STRATUS_ADMIN_TOKEN'))
    .option('--json', 'print JSON for scripts', false);
}

export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

export function adminClient(command: Command): AdminClient {
  const g = globals(command);
  if (!g.token) {
    throw new StratusError('unauthorized', 'no admin token: pass --token or set STRATUS_ADMIN_TOKEN (printed by the first `stratus serve`)');
  }
  return new AdminClient(g.server, g.token);
}

/** Parses a whole number option, failing with a message that says which option. */
export function wholeNumber(name: string, min = 0) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new StratusError('bad_request', `${name} must be a whole number ≥ ${min}`);
    return Number(value);
  };
}
