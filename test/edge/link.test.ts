// Issue 16's link test: on a metered link only the priorities the policy allows leave; back on an
// unmetered link the rest drains in priority order; a remote `edge.*` key changes the policy; and
// while the link is down a byte cap with eviction keeps the store within bound, evicting the oldest
// lowest-priority messages, as `status` and the log report.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LinkClass } from '../../src/edge/config.js';
import { cleanEnv, runCli } from '../support/cli.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';
import { startEdge, streamValues, tempDir, until, type EdgeProcess } from './support.js';

const MAX_BYTES = 40_000;

describe('stratus edge link policies', () => {
  let server: RunningServer;
  let dir: string;
  let edge: EdgeProcess;
  const setLink = async (cls: LinkClass): Promise<void> => {
    writeFileSync(join(dir, 'link'), `${cls}\n`);
    await until(async () => assert.equal((await edge.status()).link.class, cls));
  };
  const publish = async (value: string, priority: number): Promise<string> => {
    const r = await fetch(`${edge.addresses.http}/v1/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope: 'link', stream: 'mixed', value, priority }) });
    assert.equal(r.status, 200, await r.clone().text());
    return ((await r.json()) as { id: string }).id;
  };
  const onServer = async (): Promise<string[]> => (await streamValues(server.url, server.adminToken, 'demo', { scope: 'link', stream: 'mixed' })).map((m) => m.value);
  const queued = async (priority: number): Promise<number> => (await edge.status()).priorities.find((p) => p.priority === priority)?.messages ?? 0;

  before(async () => {
    server = await startServer();
    dir = tempDir('stratus-edge-link-');
    writeFileSync(join(dir, 'link'), 'metered\n');
    edge = await startEdge(dir, {
      upstream: server.url,
      app: 'demo',
      device: 'edge-link',
      secret: server.demoSecret,
      dataDir: join(dir, 'gw'),
      http: { port: 0 },
      store: { maxBytes: MAX_BYTES },
      link: { command: `cat ${join(dir, 'link')}`, pollMs: 20 },
      policy: { priorities: { '0': { links: ['unmetered'] }, '1': { links: ['unmetered'] } } },
      uplink: { batchItems: 7, pollMs: 50, backoffMaxMs: 100 },
    });
    await setLink('metered');
  });
  after(async () => {
    await edge.stop();
    await server.stop();
    removeDir(server.dataDir);
    removeDir(dir);
  });

  it('sends only the allowed priorities on a metered link, then drains the rest in priority order', async () => {
    for (let i = 0; i < 20; i++) for (const p of [0, 1, 5]) await publish(`p${p}-${i}`, p);
    await until(async () => assert.equal((await onServer()).length, 20));
    const contact = (await edge.status()).lastContact;
    await until(async () => assert.notEqual((await edge.status()).lastContact, contact), 200); // one more sync went by
    const status = await edge.status();
    assert.deepEqual(
      status.priorities.map((p) => [p.priority, p.messages, p.sendableNow]),
      [
        [1, 20, false],
        [0, 20, false],
      ],
    );
    assert.deepEqual(await onServer(), Array.from({ length: 20 }, (_, i) => `p5-${i}`));

    await setLink('unmetered');
    await until(async () => assert.equal((await onServer()).length, 60));
    const expected = [5, 1, 0].flatMap((p) => Array.from({ length: 20 }, (_, i) => `p${p}-${i}`));
    assert.deepEqual(await onServer(), expected, 'priority 1 before 0, each in the order written');
  });

  it('takes a policy change from the remote config (edge.* keys)', async () => {
    await setLink('metered');
    const set = await runCli(['--server', server.url, '--token', server.adminToken, 'config', 'set', 'demo', 'edge.policy.0.links', 'metered,unmetered', '--device', 'edge-link'], cleanEnv());
    assert.equal(set.code, 0, set.stderr);
    await until(async () => assert.deepEqual((await edge.status()).policy.priorities['0']?.links, ['metered', 'unmetered']));
    for (let i = 0; i < 5; i++) for (const p of [0, 1]) await publish(`remote-p${p}-${i}`, p);
    await until(async () => assert.equal((await onServer()).filter((v) => v.startsWith('remote-p0')).length, 5));
    assert.equal(await queued(1), 5, 'priority 1 still waits for an unmetered link');
    assert.equal((await onServer()).filter((v) => v.startsWith('remote-p1')).length, 0);
    await setLink('unmetered');
    await until(async () => assert.equal(await queued(1), 0));
  });

  it('keeps the store within its byte cap during a long outage by evicting the oldest lowest priority', async () => {
    await setLink('offline');
    const before = (await onServer()).length;
    const lowIds: string[] = [];
    const filler = 'x'.repeat(100);
    for (let i = 0; i < 400; i++) {
      lowIds.push(await publish(`cap-p0-${i}-${filler}`, 0));
      if (i % 20 === 0) await publish(`cap-p5-${i}`, 5);
      if (i % 50 === 0) assert.ok((await edge.status()).store.bytes <= MAX_BYTES);
    }
    const status = await edge.status();
    assert.ok(status.store.bytes <= MAX_BYTES, `${status.store.bytes} ≤ ${MAX_BYTES}`);
    const evictedCount = status.evicted.filter((e) => e.priority === 0 && e.reason === 'store.maxBytes').reduce((s, e) => s + e.count, 0);
    assert.ok(evictedCount > 200, `evicted ${evictedCount}`);
    assert.deepEqual(status.evicted.filter((e) => e.priority !== 0), [], 'nothing of priority 5 evicted');
    const logged = edge
      .logs()
      .split('\n')
      .filter((l) => l.includes('"event":"evicted"'))
      .map((l) => (JSON.parse(l) as { id: string }).id);
    assert.deepEqual(logged, lowIds.slice(0, evictedCount), 'the oldest priority-0 messages, each logged');
    const text = await runCli(['edge', 'status', '--url', edge.addresses.http as string], cleanEnv());
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^link {10}offline/m);
    assert.match(text.stdout, new RegExp(`^evicted {7}p0 store.maxBytes: ${evictedCount} \\(`, 'm'));
    const metrics = await runCli(['edge', 'status', '--url', edge.addresses.http as string, '--metrics'], cleanEnv());
    assert.match(metrics.stdout, new RegExp(`^stratus_edge_evicted_total\\{priority="0",reason="store.maxBytes"\\} ${evictedCount}$`, 'm'));
    const json = await runCli(['--json', 'edge', 'status', '--url', edge.addresses.http as string], cleanEnv());
    assert.ok((JSON.parse(json.stdout) as { store: { bytes: number } }).store.bytes <= MAX_BYTES);

    await setLink('unmetered');
    await until(async () => assert.equal((await edge.status()).store.messages, 0));
    const arrived = (await onServer()).slice(before);
    assert.deepEqual(
      arrived.filter((v) => v.startsWith('cap-p5')),
      Array.from({ length: 20 }, (_, i) => `cap-p5-${i * 20}`),
    );
    assert.deepEqual(
      arrived.filter((v) => v.startsWith('cap-p0')),
      Array.from({ length: 400 - evictedCount }, (_, i) => `cap-p0-${i + evictedCount}-${filler}`),
    );
  });
});
