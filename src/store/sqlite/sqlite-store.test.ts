// The SQLite store: the shared contract suite on a fresh file per test, a migration test per schema
// version (STYLE §5), and durability across close and open.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { storeContract } from '../contract.suite.js';
import type { Store, StreamRef, SubscriptionRequest } from '../types.js';
import { SqliteStore } from './index.js';
import { SQLITE_MIGRATIONS } from './schema.js';

const dirs: string[] = [];
function freshPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-sqlite-'));
  dirs.push(dir);
  return join(dir, 'stratus.db');
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

storeContract('sqlite', async () => new SqliteStore({ path: freshPath() }));

const T0 = 1_732_300_000;
const FAR = T0 + 365 * 86_400;
const TOKEN = 'a'.repeat(64);

/**
 * The same data written by each schema version's own SQL: SEEDS[v - 1] runs on a file at version v.
 * A new migration needs a seed here too (checked below), so every version keeps a migration test.
 */
const SEED_V1 = `
  INSERT INTO admin_tokens (token_sha256, label, created_at) VALUES ('${TOKEN}', 'seed', ${T0});
  INSERT INTO apps (id, name, policy, default_ttl, max_ttl, default_grants, created_at)
    VALUES (1, 'greenhouse', 'approval', 3600, 86400, '[{"action":"publish","scope":"home","stream":"*"}]', ${T0});
  INSERT INTO app_secrets (id, app_id, secret, created_at, expires_at)
    VALUES (1, 1, 'old-secret', ${T0}, ${T0 + 200}), (2, 1, 'new-secret', ${T0 + 100}, NULL);
  INSERT INTO devices (id, app_id, guid, status, grants, first_seen, last_seen, last_address)
    VALUES (1, 1, 'a4cf12fe0b11', 'approved', '[{"action":"subscribe","scope":"home","stream":"cmd"}]', ${T0}, ${T0 + 60}, '10.0.0.7');
  INSERT INTO config_entries (app_id, device_id, key, value, updated_at)
    VALUES (1, 0, 'debug', '0', ${T0}), (1, 1, 'debug', '1', ${T0 + 1});
  INSERT INTO config_history (app_id, device_id, key, value, time, actor)
    VALUES (1, 0, 'debug', '0', ${T0}, 'alice'), (1, 1, 'debug', '1', ${T0 + 1}, 'bob');
  INSERT INTO streams (id, app_id, scope, owner, name, head) VALUES (1, 1, 'home', '', 'cmd', 2);
  INSERT INTO messages (stream_id, seq, writer, client_id, value, time, expires_at)
    VALUES (1, 1, 'b8d61a', 'c1', 'on', ${T0 + 2}, ${FAR}), (1, 2, 'b8d61a', 'c2', 'off', ${T0 + 3}, ${FAR});
  INSERT INTO cursors (device_id, stream_id, cursor, updated_at) VALUES (1, 1, 1, ${T0 + 3});
  `;

const SEED_V3 = `${SEED_V1}
  INSERT INTO config_presets (app_id, guid, key, value, updated_at, actor) VALUES (1, 'b8d61a000000', 'debug', '2', ${T0 + 4}, 'carol');
  `;

/** Version 4 moved last_seen to a table of its own. */
const SEED_V4 = SEED_V3.replace('grants, first_seen, last_seen, last_address', 'grants, first_seen, last_address').replace(
  `${T0}, ${T0 + 60}, '10.0.0.7');`,
  `${T0}, '10.0.0.7');\n  INSERT INTO device_seen (device_id, last_seen) VALUES (1, ${T0 + 60});`,
);

// version 2 added a column with a default and an index: no table
const SEEDS: readonly string[] = [SEED_V1, SEED_V1, SEED_V3, SEED_V4];
/** The first version with config_presets. */
const PRESETS_VERSION = 3;

const cmd: StreamRef = { appId: 1, scope: 'home', owner: '', stream: 'cmd' };
const poll: SubscriptionRequest = { ...cmd, after: null, limit: null, reset: false, pageSize: 100 };

/** Reads the seeded data through the Store interface only, and checks messaging carries on. */
async function assertSeeded(store: Store, version: number): Promise<void> {
  const presets = version >= PRESETS_VERSION ? [{ key: 'debug', value: '2', updatedAt: T0 + 4 }] : [];
  assert.deepEqual(await store.presetConfig(1, 'b8d61a000000'), presets);
  assert.equal(await store.hasAdminToken(TOKEN), true);
  assert.deepEqual(await store.getApp('greenhouse'), {
    id: 1,
    name: 'greenhouse',
    policy: 'approval',
    defaultTtlSeconds: 3600,
    maxTtlSeconds: 86400,
    defaultGrants: [{ action: 'publish', scope: 'home', stream: '*' }],
    createdAt: T0,
  });
  assert.deepEqual((await store.activeSecrets(1, T0 + 150)).map((s) => s.secret), ['new-secret', 'old-secret']);
  assert.deepEqual((await store.activeSecrets(1, T0 + 200)).map((s) => s.secret), ['new-secret']);
  assert.deepEqual(await store.getDevice(1, 'a4cf12fe0b11'), {
    id: 1,
    appId: 1,
    guid: 'a4cf12fe0b11',
    status: 'approved',
    grants: [{ action: 'subscribe', scope: 'home', stream: 'cmd' }],
    firstSeen: T0,
    lastSeen: T0 + 60,
    lastAddress: '10.0.0.7',
  });
  const entries = await store.configEntries(1);
  assert.deepEqual([...entries].sort((a, b) => (a.deviceId ?? 0) - (b.deviceId ?? 0)), [
    { deviceId: null, key: 'debug', value: '0', updatedAt: T0 },
    { deviceId: 1, key: 'debug', value: '1', updatedAt: T0 + 1 },
  ]);
  assert.deepEqual(await store.configHistory(1, null, 10), [
    { device: 'a4cf12fe0b11', key: 'debug', value: '1', time: T0 + 1, actor: 'bob' },
    { device: null, key: 'debug', value: '0', time: T0, actor: 'alice' },
  ]);
  assert.deepEqual(await store.readMessages(cmd, 0, 100, T0), [
    { seq: 1, value: 'on', writer: 'b8d61a', time: T0 + 2, expiresAt: FAR },
    { seq: 2, value: 'off', writer: 'b8d61a', time: T0 + 3, expiresAt: FAR },
  ]);
  assert.deepEqual(await store.listStreams(1, null), [{ scope: 'home', owner: '', stream: 'cmd', head: 2, count: 2, lastTime: T0 + 3 }]);
  // The stored cursor, the head and the idempotency keys carry on.
  const result = await store.sync({
    deviceId: 1,
    now: T0 + 10,
    publish: [
      { ...cmd, clientId: 'c1', writer: 'b8d61a', value: 'retry', time: T0 + 10, expiresAt: FAR },
      { ...cmd, clientId: 'c3', writer: 'b8d61a', value: 'new', time: T0 + 10, expiresAt: FAR },
    ],
    subscribe: [poll],
  });
  assert.deepEqual(result, {
    published: [
      { seq: 1, duplicate: true },
      { seq: 3, duplicate: false },
    ],
    subscriptions: [
      {
        cursor: 1,
        head: 3,
        messages: [
          { seq: 2, value: 'off', writer: 'b8d61a', time: T0 + 3, expiresAt: FAR },
          { seq: 3, value: 'new', writer: 'b8d61a', time: T0 + 10, expiresAt: FAR },
        ],
      },
    ],
  });
}

function userVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

describe('SQLite schema migrations', () => {
  it('every schema version has a seed for its migration test', () => {
    assert.ok(SQLITE_MIGRATIONS.length >= 1);
    assert.equal(SEEDS.length, SQLITE_MIGRATIONS.length);
  });

  it('a new file is created at the latest version', async () => {
    const path = freshPath();
    await new SqliteStore({ path }).close();
    assert.equal(userVersion(path), SQLITE_MIGRATIONS.length);
  });

  SQLITE_MIGRATIONS.forEach((_, index) => {
    const version = index + 1;
    it(`a file of schema version ${version} migrates to version ${SQLITE_MIGRATIONS.length} and keeps its data`, async () => {
      const path = freshPath();
      const db = new Database(path);
      for (const migration of SQLITE_MIGRATIONS.slice(0, version)) db.exec(migration);
      db.pragma(`user_version = ${version}`);
      db.exec(SEEDS[index] as string);
      db.close();

      const store = new SqliteStore({ path });
      try {
        await assertSeeded(store, version);
      } finally {
        await store.close();
      }
      assert.equal(userVersion(path), SQLITE_MIGRATIONS.length);
      // Opening a migrated file again runs nothing and changes nothing.
      const again = new SqliteStore({ path });
      try {
        assert.deepEqual(await again.readMessages(cmd, 0, 100, T0).then((m) => m.map((x) => x.seq)), [1, 2, 3]);
      } finally {
        await again.close();
      }
      assert.equal(userVersion(path), SQLITE_MIGRATIONS.length);
    });
  });
});

/** Everything a store holds for app 1, read through the interface. */
async function snapshot(store: Store, appId: number) {
  return {
    token: await store.hasAdminToken(TOKEN),
    apps: await store.listApps(),
    secrets: await store.activeSecrets(appId, T0 + 150),
    devices: await store.listDevices(appId, { limit: 100, offset: 0 }),
    config: await store.configEntries(appId),
    history: await store.configHistory(appId, null, 100),
    streams: await store.listStreams(appId, null),
    messages: await store.readMessages({ appId, scope: 'home', owner: '', stream: 'cmd' }, 0, 100, T0),
    stats: await store.stats(),
  };
}

describe('SQLite durability', () => {
  it('a reopened store has everything a closed one had, cursors included', async () => {
    const path = freshPath();
    const first = new SqliteStore({ path });
    await first.insertAdminToken(TOKEN, 'admin', T0);
    const app = await first.insertApp(
      { name: 'greenhouse', policy: 'open', defaultTtlSeconds: 60, maxTtlSeconds: 600, defaultGrants: [] },
      'old-secret',
      T0,
    );
    await first.rotateSecret(app.id, 'new-secret', T0 + 100, T0 + 200);
    const d = await first.insertDevice({ appId: app.id, guid: 'a4cf12fe0b11', status: 'approved', now: T0, address: null });
    await first.updateDevice(d.id, { grants: [{ action: 'subscribe', scope: 'home', stream: '*' }] });
    await first.writePresence([{ deviceId: d.id, time: T0 + 30, address: '10.0.0.9' }]);
    await first.changeConfig({ appId: app.id, deviceId: d.id, set: { debug: '1' }, unset: [], now: T0, actor: 'alice' });
    const ref: StreamRef = { appId: app.id, scope: 'home', owner: '', stream: 'cmd' };
    const sub: SubscriptionRequest = { ...ref, after: null, limit: 3, reset: false, pageSize: 100 };
    await first.sync({
      deviceId: d.id,
      now: T0,
      publish: ['a', 'b', 'c'].map((value) => ({ ...ref, clientId: value, writer: 'w', value, time: T0, expiresAt: FAR })),
      subscribe: [],
    });
    await first.sync({ deviceId: d.id, now: T0, publish: [], subscribe: [{ ...sub, after: 2 }] });
    const before = await snapshot(first, app.id);
    await first.close();

    const second = new SqliteStore({ path });
    try {
      assert.deepEqual(await snapshot(second, app.id), before);
      assert.deepEqual(await second.sync({ deviceId: d.id, now: T0, publish: [], subscribe: [{ ...sub, limit: null }] }), {
        published: [],
        subscriptions: [{ cursor: 2, head: 3, messages: [{ seq: 3, value: 'c', writer: 'w', time: T0, expiresAt: FAR }] }],
      });
    } finally {
      await second.close();
    }
  });

  it('close() commits writes still queued, and their promises resolve', async () => {
    const path = freshPath();
    const first = new SqliteStore({ path });
    const app = await first.insertApp(
      { name: 'greenhouse', policy: 'open', defaultTtlSeconds: 60, maxTtlSeconds: 600, defaultGrants: [] },
      's',
      T0,
    );
    const d = await first.insertDevice({ appId: app.id, guid: 'd1', status: 'approved', now: T0, address: null });
    const ref: StreamRef = { appId: app.id, scope: 'home', owner: '', stream: 'cmd' };
    const pending = first.sync({
      deviceId: d.id,
      now: T0,
      publish: [{ ...ref, clientId: 'c1', writer: 'd1', value: 'queued', time: T0, expiresAt: FAR }],
      subscribe: [],
    });
    await first.close();
    assert.deepEqual(await pending, { published: [{ seq: 1, duplicate: false }], subscriptions: [] });

    const second = new SqliteStore({ path });
    try {
      assert.deepEqual(await second.readMessages(ref, 0, 100, T0), [{ seq: 1, value: 'queued', writer: 'd1', time: T0, expiresAt: FAR }]);
    } finally {
      await second.close();
    }
  });
});
