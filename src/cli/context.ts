import { Command, Option } from 'commander';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fetchTrusting } from '../client/ca-fetch.js';
import { StratusError } from '../protocol/index.js';
import { AdminClient } from './admin-client.js';

export interface GlobalOptions {
  server: string;
  token?: string;
  ca?: string;
  json: boolean;
}

export function addGlobalOptions(program: Command): void {
  program
    .addOption(new Option('--server <url>', 'server base URL').env('STRATUS_SERVER').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'admin token').env('STRATUS_ADMIN_TOKEN'))
    .addOption(new Option('--ca <file>', "PEM of the CA that signed an https:// server's certificate (a private CA)").env('STRATUS_CA'))
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
  return new AdminClient(g.server, g.token, serverFetch(command));
}

/** The fetch for --server: trusting only --ca when given, else the system's CAs. */
export function serverFetch(command: Command): typeof fetch | undefined {
  const file = globals(command).ca;
  if (!file) return undefined;
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    throw new StratusError('bad_request', `--ca ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new StratusError('bad_request', `--ca ${file} holds no PEM certificate: give the CA certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return fetchTrusting(pem);
}

/** Parses a whole number option, failing with a message that says which option. */
export function wholeNumber(name: string, min = 0) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new StratusError('bad_request', `${name} must be a whole number ≥ ${min}`);
    return Number(value);
  };
}
