// Issue 4: three Stratus processes on one PostgreSQL database (docs/scaling.md).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDevice, admin } from '../support/device-client.js';
import { openLive } from '../support/live-reader.js';
import { freshDatabase, testPostgres, type TestPostgres } from '../support/postgres.js';
import { startServer, type RunningServer } from '../support/server-process.js';

interface Stored {
  seq: number;
  value: string;
}

describe('three nodes on one PostgreSQL database', () => {
  let cluster: TestPostgres;
  let db: { url: string; drop: () => Promise<void> };
  let nodes: RunningServer[];
  let token: string;
  let secret: string;
  // Caches trusted for 10 minutes: only a node telling the others can make a change show at once.
  const args = () => ['--db', db.url, '--app-cache-ms', '600000'];

  before(async () => {
    cluster = await testPostgres();
    db = await freshDatabase(cluster.url, 'stratus_nodes');
    const first = await startServer({ args: args() });
    token = first.adminToken;
    secret = first.demoSecret;
    assert.ok(token && secret, first.output());
    nodes = [first, ...(await Promise.all([startServer({ args: args() }), startServer({ args: args() })]))];
  });
  after(async () => {
    await Promise.all(nodes.map((n) => (n.process.exitCode === null ? n.stop() : null)));
    await db.drop();
    await cluster.stop();
  });

  const device = (node: RunningServer, guid: string) => new TestDevice(node.url, 'demo', secret, guid);
  let markers = 0;
  /**
   * Makes a change on node `on`, then returns once node `by` has heard of it: a node handles the
   * others' notices one after the other, in commit order (src/store/postgres/cluster.ts), so once a
   * message published on `on` after the change reaches a live subscriber on `by`, the change has too.
   */
  const heardBy = async (by: RunningServer, on: RunningServer, change: () => Promise<void>): Promise<void> => {
    const stream = `marker-${++markers}`;
    const watch = await openLive(device(by, `${stream}-watch`), [`load/${stream}`]);
    try {
      await change();
      assert.equal((await device(on, `${stream}-pub`).sync({ publish: [{ id: stream, scope: 'load', stream, value: 'after' }] })).status, 200);
      const [heard] = await watch.waitFor(1);
      assert.equal(heard?.data.value, 'after');
    } finally {
      await watch.close();
    }
  };
  const stored = async (node: RunningServer, stream: string): Promise<Stored[]> => {
    const all: Stored[] = [];
    for (let afterSeq = 0, page = 0; page < 50; page++) {
      const r = await admin(node.url, token, 'GET', `/v1/admin/apps/demo/messages?scope=load&stream=${stream}&after=${afterSeq}&limit=1000`);
      all.push(...(r.json.messages as Stored[]));
      if (r.json.messages.length < 1000) break;
      afterSeq = all.at(-1)?.seq as number;
    }
    return all;
  };

  it('each node is ready, and the admin API lists all three as alive', async () => {
    for (const node of nodes) {
      const ready = await fetch(`${node.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.equal(((await ready.json()) as { store: string }).store, 'postgres');
    }
    const listed = await admin(nodes[1]?.url as string, token, 'GET', '/v1/admin/nodes');
    assert.equal(listed.json.nodes.length, 3);
    assert.ok(listed.json.nodes.every((n: { alive: boolean }) => n.alive));
    assert.equal(listed.json.nodes.filter((n: { self: boolean }) => n.self).length, 1);
    assert.deepEqual(new Set(listed.json.nodes.map((n: { address: string }) => n.address)), new Set(nodes.map((n) => n.url)));
  });

  it('a config change made on node A is in node B\'s next answer', async () => {
    const [a, b] = nodes as [RunningServer, RunningServer];
    const polling = device(b, 'cfg-poller');
    const before = await polling.send('GET', '/v1/config', { headers: { accept: 'application/json' } });
    assert.equal(before.json.mode, undefined);
    await heardBy(b, a, async () => assert.equal((await admin(a.url, token, 'PATCH', '/v1/admin/apps/demo/config', { set: { mode: 'eco' } })).status, 200));
    const now = await polling.send('GET', '/v1/config', { headers: { accept: 'application/json' } });
    assert.equal(now.json.mode, 'eco');
  });

  it('a device denied through node A is refused by node B, which holds it cached for minutes', async () => {
    const [a, b] = nodes as [RunningServer, RunningServer];
    const polling = device(b, 'deny-me');
    assert.equal((await polling.send('GET', '/v1/config')).status, 200);
    await heardBy(b, a, async () => assert.equal((await admin(a.url, token, 'POST', '/v1/admin/apps/demo/devices/deny-me/deny')).status, 200));
    const refused = await polling.send('GET', '/v1/config');
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, 'denied');
  });

  it('a publish retried on another node stores nothing new', async () => {
    const [a, b] = nodes as [RunningServer, RunningServer];
    const item = { publish: [{ id: 'once-1', scope: 'load', stream: 'idem', value: 'v' }] };
    const first = await device(a, 'idem-dev').sync(item);
    const retry = await device(b, 'idem-dev').sync(item);
    assert.equal(retry.json.accepted[0].seq, first.json.accepted[0].seq);
    assert.equal((await stored(b, 'idem')).length, 1);
  });

  // A device moving between nodes and presence: presence-roaming.test.ts, on a clock the test moves.

  it('a sync storing to a thousand streams reaches a live subscriber on another node', async () => {
    const [a, b] = nodes as [RunningServer, RunningServer];
    const live = await openLive(device(b, 'wide-watch'), ['load/wide-999']);
    const publish = Array.from({ length: 1000 }, (_, i) => ({ id: `wide-${i}`, scope: 'load', stream: `wide-${i}`, value: `v${i}` }));
    const r = await device(a, 'wide-dev').sync({ publish });
    assert.equal(r.status, 200, r.text);
    const giveUp = setTimeout(() => void live.close(), 30_000);
    const [event] = await live.waitFor(1);
    clearTimeout(giveUp);
    assert.deepEqual([event?.data.stream, event?.data.value], ['wide-999', 'v999']);
    await live.close();
  });

  it('node C is killed mid-load: every acknowledged message is stored once, in order, and live on A and B saw them all', async () => {
    const [a, b, c] = nodes as [RunningServer, RunningServer, RunningServer];
    const streams = ['s0', 's1'];
    const subs = streams.map((s) => `load/${s}`);
    const lives = await Promise.all([openLive(device(a, 'watch-a'), subs), openLive(device(b, 'watch-b'), subs)]);
    assert.deepEqual(lives.map((l) => l.status), [200, 200]);

    const PUBLISHERS = 4;
    const PER_PUBLISHER = 150;
    const acked = new Map<string, number>(); // value → seq
    let killed = false;
    const alive = () => nodes.filter((n) => n !== c || !killed);
    await Promise.all(
      Array.from({ length: PUBLISHERS }, async (_, p) => {
        const stream = streams[p % 2] as string;
        for (let n = 0; n < PER_PUBLISHER; n++) {
          const value = `p${p}-${n}`;
          const body = { publish: [{ id: value, scope: 'load', stream, value }] };
          for (let attempt = 0; ; attempt++) {
            assert.ok(attempt < 20, `${value}: no node took it`);
            const targets = alive();
            const node = targets[(p + n + attempt) % targets.length] as RunningServer;
            try {
              const r = await device(node, `pub-${p}`).sync(body);
              if (r.status !== 200) continue; // 503 while a node goes down: retry elsewhere
              acked.set(value, r.json.accepted[0].seq);
              break;
            } catch {
              // connection refused or reset by the killed node: retry on another
            }
          }
          if (p === 0 && n === PER_PUBLISHER / 2) {
            killed = true;
            await c.kill();
          }
        }
      }),
    );
    assert.equal(acked.size, PUBLISHERS * PER_PUBLISHER);

    let total = 0;
    for (const stream of streams) {
      const messages = await stored(a, stream);
      total += messages.length;
      const seqs = messages.map((m) => m.seq);
      assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), `${stream}: seqs in order`);
      assert.equal(new Set(seqs).size, seqs.length, `${stream}: no seq twice`);
      assert.equal(new Set(messages.map((m) => m.value)).size, messages.length, `${stream}: no message twice`);
      for (const m of messages) assert.equal(acked.get(m.value), m.seq, `${m.value} acknowledged with its stored seq`);
      // each publisher's own messages keep the order it sent them in
      for (let p = stream === 's0' ? 0 : 1; p < PUBLISHERS; p += 2) {
        const own = messages.filter((m) => m.value.startsWith(`p${p}-`)).map((m) => Number(m.value.split('-')[1]));
        assert.deepEqual(own, Array.from({ length: PER_PUBLISHER }, (_, i) => i), `publisher ${p}'s order`);
      }
    }
    assert.equal(total, acked.size);

    for (const live of lives) {
      const giveUp = setTimeout(() => void live.close(), 30_000); // a bound, so that a miss fails below
      const events = await live.waitFor(total);
      clearTimeout(giveUp);
      const seen = events.map((e) => `${e.data.stream}/${e.data.seq}/${e.data.value}`);
      assert.equal(events.every((e) => e.signatureValid), true);
      assert.equal(new Set(seen).size, total, 'every stored message came live exactly once');
      for (const [value, seq] of acked) assert.ok(seen.some((s) => s.endsWith(`/${seq}/${value}`)), `live saw ${value}`);
      await live.close();
    }
  });
});
