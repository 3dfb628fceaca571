import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { StratusError } from '../../protocol/index.js';
import { DEFAULT_SERVER_OPTIONS, type ServerOptions } from '../../server/options.js';

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envName = (name: string): string => `STRATUS_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

const LOG_LEVELS: readonly ServerOptions['logLevel'][] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function parseOption(name: string, text: string): unknown {
  const fallback = DEFAULT_SERVER_OPTIONS[name as keyof ServerOptions];
  if (typeof fallback === 'number') {
    if (!/^\d+$/.test(text)) throw new StratusError('bad_request', `--${kebab(name)} must be a whole number (got "${text}")`);
    return Number(text);
  }
  if (typeof fallback === 'boolean') {
    if (!/^(true|false|1|0)$/.test(text)) throw new StratusError('bad_request', `--${kebab(name)} must be true or false`);
    return text === 'true' || text === '1';
  }
  if (name === 'logLevel' && !(LOG_LEVELS as readonly string[]).includes(text)) {
    throw new StratusError('bad_request', `--log-level must be one of ${LOG_LEVELS.join(', ')} (got "${text}")`);
  }
  return text;
}

/** Reads a `--config` file: a JSON object of option keys, each of the type of its default. */
function readConfigFile(file: string): Partial<ServerOptions> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StratusError('bad_request', `--config ${file}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StratusError('bad_request', `--config ${file}: expected a JSON object of server options`);
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (!Object.hasOwn(DEFAULT_SERVER_OPTIONS, key)) {
      throw new StratusError('bad_request', `--config ${file}: unknown server option "${key}" (see docs/config.md)`);
    }
    const fallback = DEFAULT_SERVER_OPTIONS[key as keyof ServerOptions];
    const ok =
      typeof fallback === 'number'
        ? Number.isSafeInteger(value) && (value as number) >= 0
        : key === 'logLevel'
          ? (LOG_LEVELS as readonly unknown[]).includes(value)
          : typeof value === typeof fallback;
    if (!ok) throw new StratusError('bad_request', `--config ${file}: "${key}" must be like ${JSON.stringify(fallback)} (got ${JSON.stringify(value)})`);
  }
  return parsed as Partial<ServerOptions>;
}

export function serveCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the Stratus server (SQLite in --data by default)')
    .addOption(new Option('--data <dir>', 'data directory for the SQLite file').env('STRATUS_DATA').default('./data'))
    .addOption(new Option('--db <url>', 'database: a SQLite file path (default <data>/stratus.db) or a postgres:// URL').env('STRATUS_DB'))
    .addOption(new Option('--config <file>', 'JSON file of server options (keys as in docs/config.md)').env('STRATUS_CONFIG'));
  for (const [name, value] of Object.entries(DEFAULT_SERVER_OPTIONS)) {
    serve.addOption(
      new Option(`--${kebab(name)} <value>`, `server option ${name} (default ${String(value)})`)
        .env(envName(name))
        .argParser((text: string) => parseOption(name, text)),
    );
  }

  serve.action(async (o: Record<string, unknown>) => {
    const fromFile = o.config ? readConfigFile(String(o.config)) : {};
    const given: Partial<ServerOptions> = { ...fromFile };
    for (const name of Object.keys(DEFAULT_SERVER_OPTIONS)) {
      if (o[name] !== undefined) (given as Record<string, unknown>)[name] = o[name];
    }
    await (await import('./serve-run.js')).runServer(given, o.db ? String(o.db) : join(String(o.data), 'stratus.db'));
  });
}
