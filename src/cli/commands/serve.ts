import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { StratusError } from '../../protocol/index.js';
import { issueAdminToken } from '../../server/admin-auth.js';
import { buildServer, type StratusServer } from '../../server/app.js';
import { parseListen } from '../../server/metrics/endpoint.js';
import { DEFAULT_SERVER_OPTIONS, resolveOptions, type ServerOptions } from '../../server/options.js';
import { newSecret } from '../../server/routes/admin/apps.js';
import { loadCertificate } from '../../server/tls/certificate.js';
import { tlsSettings } from '../../server/tls/listeners.js';
import { PostgresStore } from '../../store/postgres/index.js';
import { SqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/types.js';

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

/** A database URL fit to print. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'URL';
  }
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

/** On first start: an admin token and a demo app, printed once (never stored in clear). */
async function bootstrap(store: Store, now: number): Promise<string | null> {
  if ((await store.countAdminTokens()) > 0) return null;
  const token = await issueAdminToken(store, 'first start', now);
  const secret = newSecret();
  await store.insertApp(
    {
      name: 'demo',
      policy: 'open',
      defaultTtlSeconds: DEFAULT_SERVER_OPTIONS.defaultTtlSeconds,
      maxTtlSeconds: DEFAULT_SERVER_OPTIONS.maxTtlSeconds,
      defaultGrants: [
        { action: 'publish', scope: '*', stream: '*' },
        { action: 'subscribe', scope: '*', stream: '*' },
      ],
    },
    secret,
    now,
  );
  return [
    'First start: an admin token and a demo app were created. They are shown only now:',
    `  admin token: ${token}`,
    `  demo app:    demo   secret: ${secret}   policy: open`,
    'Use the token with the CLI:',
    `  export STRATUS_ADMIN_TOKEN=${token}`,
  ].join('\n');
}

/** SIGHUP: the TLS certificate and key are read again; one that does not load leaves the old in place. */
function reloadCertificate(server: StratusServer): void {
  const log = server.app.log;
  if (!server.tls) {
    log.warn({ signal: 'SIGHUP' }, 'SIGHUP: TLS is off (no --tls-cert), nothing to reload');
    return;
  }
  try {
    const { subject, validTo, fingerprint256 } = server.tls.reload();
    log.info({ signal: 'SIGHUP', subject, validTo, fingerprint256 }, 'TLS certificate reloaded: new connections get it, open ones keep theirs');
  } catch (error) {
    const { subject, fingerprint256 } = server.tls.current;
    log.error({ signal: 'SIGHUP', kept: { subject, fingerprint256 } }, `TLS certificate NOT reloaded, the old one stays: ${(error as Error).message}`);
  }
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
    // Checked before the store is opened: a bad certificate must not leave a new database behind.
    const tls = tlsSettings(resolveOptions(given));
    if (tls) loadCertificate(tls.files);
    if (given.metricsListen) parseListen(given.metricsListen); // before anything is created
    const db = o.db ? String(o.db) : join(String(o.data), 'stratus.db');
    const postgres = /^postgres(ql)?:/.test(db);
    const store: Store = postgres ? await PostgresStore.open({ url: db }) : new SqliteStore({ path: resolve(db), maxBytes: resolveOptions(given).sqliteMaxBytes });
    const server = await buildServer({ store, options: given });
    // Before the address is printed: whoever saw it may reload at once (`systemctl reload`).
    process.on('SIGHUP', () => reloadCertificate(server));
    if (store instanceof SqliteStore && store.permissionWarning) server.app.log.warn(store.permissionWarning);
    let address: string;
    let firstStart: string | null;
    try {
      address = await server.listen();
      // Only once listening: a first start that fails (port taken) must not create a token nobody saw.
      firstStart = await bootstrap(store, Math.floor(Date.now() / 1000));
    } catch (error) {
      await server.close(); // closes the store too, so the process can exit with the error
      throw error;
    }
    process.stdout.write(`Stratus listening on ${address} (${postgres ? `PostgreSQL ${withoutPassword(db)}` : `SQLite ${resolve(db)}`})\n`);
    process.stdout.write(`  web console:    ${address}/\n`);
    process.stdout.write(`  admin API docs: ${address}/openapi.json\n`);
    const plain = server.tls?.addresses;
    if (plain?.plainDevice) process.stdout.write(`  device API over plain HTTP (signed, no TLS): ${plain.plainDevice}/v1/\n`);
    if (plain?.redirect) process.stdout.write(`  redirect to HTTPS: ${plain.redirect}/\n`);
    if (server.metricsAddress) process.stdout.write(`  metrics:        ${server.metricsAddress}\n`);
    if (firstStart) process.stdout.write(`${firstStart}\n`);

    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      server.app.log.info({ signal }, 'shutting down: finishing in-flight requests');
      server.close().then(
        () => process.exit(0),
        (err: unknown) => {
          server.app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}
