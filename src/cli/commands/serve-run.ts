// The server itself, loaded only when `stratus serve` runs: the other commands start without it.
import { resolve } from 'node:path';
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

/** Opens the store (`db`: a SQLite path or a postgres:// URL), listens, prints where, stops on SIGTERM/SIGINT. */
export async function runServer(given: Partial<ServerOptions>, db: string): Promise<void> {
  // Checked before the store is opened: a bad certificate must not leave a new database behind.
  const tls = tlsSettings(resolveOptions(given));
  if (tls) loadCertificate(tls.files);
  if (given.metricsListen) parseListen(given.metricsListen); // before anything is created
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
  const plain = server.tls?.addresses;
  const banner = [
    `Stratus listening on ${address} (${postgres ? `PostgreSQL ${withoutPassword(db)}` : `SQLite ${resolve(db)}`})`,
    `  web console:    ${address}/`,
    `  admin API docs: ${address}/openapi.json`,
    ...(plain?.plainDevice ? [`  device API over plain HTTP (signed, no TLS): ${plain.plainDevice}/v1/`] : []),
    ...(plain?.redirect ? [`  redirect to HTTPS: ${plain.redirect}/`] : []),
    ...(server.metricsAddress ? [`  metrics:        ${server.metricsAddress}`] : []),
    ...(firstStart ? [firstStart] : []),
  ];
  // One write, under PIPE_BUF: a reader of a pipe gets the address and the first-start secrets in
  // the same read, so a supervisor (or test/support/server-process.ts) never sees half of it.
  process.stdout.write(banner.join('\n') + '\n');

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
}
