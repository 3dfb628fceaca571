import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Policy } from '../../src/protocol/index.js';
import { issueAdminToken } from '../../src/server/admin-auth.js';
import { buildServer, type StratusServer } from '../../src/server/app.js';
import type { ServerOptions } from '../../src/server/options.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { removeDir } from './server-process.js';

/** A server in this process on a real socket (port 0), with a clock the test moves. */
export interface InProcessServer {
  url: string;
  server: StratusServer;
  store: SqliteStore;
  adminToken: string;
  now(): number;
  advance(seconds: number): void;
  /** Creates an app with a known secret straight in the store. */
  createApp(name: string, secret: string, policy?: Policy): Promise<void>;
  close(): Promise<void>;
}

export async function startInProcess(options: Partial<ServerOptions> = {}, startTime = 1_800_000_000): Promise<InProcessServer> {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-inproc-'));
  const store = new SqliteStore({ path: join(dir, 'stratus.db') });
  let time = startTime;
  const server = await buildServer({
    store,
    clock: () => time,
    // caches and rate limits follow the same clock: they expire or refill only when the test moves it
    clockMs: () => time * 1000,
    logger: false,
    options: { port: 0, deviceRatePerSecond: 0, ...options },
  });
  const url = await server.listen();
  const adminToken = await issueAdminToken(store, 'test', time);
  return {
    url,
    server,
    store,
    adminToken,
    now: () => time,
    advance: (seconds) => {
      time += seconds;
    },
    async createApp(name, secret, policy = 'open') {
      await store.insertApp(
        {
          name,
          policy,
          defaultTtlSeconds: 3600,
          maxTtlSeconds: 86_400,
          defaultGrants: [
            { action: 'publish', scope: '*', stream: '*' },
            { action: 'subscribe', scope: '*', stream: '*' },
          ],
        },
        secret,
        time,
      );
    },
    async close() {
      await server.close();
      removeDir(dir);
    },
  };
}
