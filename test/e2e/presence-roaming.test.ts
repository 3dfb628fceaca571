// Presence with two nodes on one PostgreSQL database (docs/scaling.md), on a clock the test moves:
// a device that moves from node A to node B is not reported offline by A, and goes offline once,
// when no node has seen it for two refresh intervals. Each node's presence timer is played by the
// test (Presence.tick), so no time has to pass.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_SCOPE } from '../../src/protocol/index.js';
import { buildServer, type StratusServer } from '../../src/server/app.js';
import { PostgresStore } from '../../src/store/postgres/index.js';
import { TestDevice } from '../support/device-client.js';
import { testPostgres, type TestPostgres } from '../support/postgres.js';

const T0 = 1_800_000_000;
const REFRESH = 3; // online = seen within 6 s

describe('presence across two nodes on one PostgreSQL database', () => {
  let database: TestPostgres;
  let time = T0;
  const schema = `roaming_${randomBytes(4).toString('hex')}`;
  const nodes: { server: StratusServer; store: PostgresStore; url: string }[] = [];
  let appId = 0;

  before(async () => {
    database = await testPostgres();
    for (let i = 0; i < 2; i++) {
      const store = await PostgresStore.open({ url: database.url, schema });
      const server = await buildServer({
        store,
        clock: () => time,
        clockMs: () => time * 1000,
        logger: false,
        // the timer never fires: the test ticks each node's presence itself
        options: { port: 0, deviceRatePerSecond: 0, presenceFlushMs: 3_600_000 },
      });
      nodes.push({ server, store, url: await server.listen() });
    }
    const store = nodes[0]?.store as PostgresStore;
    const app = await store.insertApp(
      { name: 'demo', policy: 'open', defaultTtlSeconds: 3600, maxTtlSeconds: 86_400, defaultGrants: [] },
      'demo-secret',
      time,
    );
    appId = app.id;
    await store.changeConfig({ appId, deviceId: null, set: { 'stratus.refresh': String(REFRESH) }, unset: [], now: time, actor: 'test' });
  });
  after(async () => {
    for (const n of nodes) await n.server.close();
    await database?.stop();
  });

  const roamer = (node: number) => new TestDevice((nodes[node] as { url: string }).url, 'demo', 'demo-secret', 'roamer', () => time);
  const tick = async () => {
    for (const n of nodes) await n.server.services.presence.tick(time);
  };
  const presence = async () =>
    (await (nodes[0] as { store: PostgresStore }).store.readMessages({ appId, scope: SYSTEM_SCOPE, owner: '', stream: 'presence' }, 0, 1000, time))
      .map((m) => JSON.parse(m.value) as { device: string; online: boolean })
      .filter((e) => e.device === 'roamer')
      .map((e) => e.online);

  it('a device moving from node A to node B is not reported offline by A; offline once it stops', async () => {
    assert.equal((await roamer(0).send('GET', '/v1/config')).status, 200);
    await tick();
    for (let i = 0; i < 16; i++) {
      time += 1; // A's 6 s pass meanwhile
      assert.equal((await roamer(1).send('GET', '/v1/config')).status, 200);
      await tick();
    }
    assert.deepEqual(await presence(), [true], 'online once, and no node reported it offline while it talked to B');
    time += 2 * REFRESH + 1;
    await tick();
    assert.deepEqual(await presence(), [true, false]);
    time += 60;
    await tick();
    assert.deepEqual(await presence(), [true, false], 'offline once');
  });
});
