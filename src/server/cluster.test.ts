import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import pino from 'pino';
import { SqliteStore } from '../store/sqlite/index.js';
import type { CacheChange } from '../store/types.js';
import { Cluster } from './cluster.js';
import { ConfigViews } from './config-view.js';
import { Directory } from './directory.js';
import { LiveHub } from './live-hub.js';

describe('Cluster', () => {
  let dir: string;
  let store: SqliteStore;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-cluster-'));
    store = new SqliteStore({ path: join(dir, 'stratus.db') });
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells the other nodes of a change it could not announce, in order, once the database answers again', async () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const told: CacheChange[] = [];
      let reachable = false;
      // the real store, whose announcements fail while "the database is away"
      const flaky = Object.create(store, {
        announce: {
          value: async (change: CacheChange) => {
            if (!reachable) throw new Error('connection refused');
            told.push(change);
          },
        },
      }) as SqliteStore;
      const cluster = new Cluster(flaky, new Directory(store, 5000, 900_000, 100), new ConfigViews(store, 5000), new LiveHub(), pino({ level: 'silent' }));
      await cluster.start();
      await cluster.deviceChanged(1, 'a');
      await cluster.appChanged('demo');
      assert.deepEqual(told, []);
      assert.equal(cluster.notifications.send_failed, 1, 'the second change waits behind the first, unsent');

      mock.timers.tick(1000);
      await new Promise(setImmediate);
      assert.deepEqual(told, [], 'still away: nothing told, and tried again');
      assert.equal(cluster.notifications.send_failed, 2);

      reachable = true;
      mock.timers.tick(1000);
      for (let i = 0; i < 5; i++) await new Promise(setImmediate);
      assert.deepEqual(told, [
        { kind: 'device', appId: 1, guid: 'a' },
        { kind: 'app', name: 'demo' },
      ]);
      await cluster.configChanged(1);
      assert.equal(told.length, 3, 'with nothing left to retry, a change is told at once');
      await cluster.stop();
    } finally {
      mock.timers.reset();
    }
  });
});
