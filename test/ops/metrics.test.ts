// /metrics after a known load: every counter matches the requests sent, on the metrics listener and,
// with the metrics token, on the main port; docs/metrics.md and the registry name the same metrics.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROCESS_METRIC_PREFIXES } from '../../src/server/metrics/registry.js';
import { TestDevice, admin } from '../support/device-client.js';
import { eventually } from '../support/eventually.js';
import { ROOT, removeDir, startServer, type RunningServer } from '../support/server-process.js';
import { parseScrape, type Scrape } from './metrics-text.js';

const TOKEN = 'metrics-test-token';

describe('/metrics', () => {
  let server: RunningServer;
  let metricsUrl: string;

  before(async () => {
    server = await startServer({
      args: ['--metrics-listen', '127.0.0.1:0', '--max-streams-per-app', '1', '--max-cursors-per-device', '1'],
      env: { STRATUS_METRICS_TOKEN: TOKEN },
    });
    metricsUrl = /metrics: +(http:\/\/\S+)/.exec(server.output())?.[1] ?? '';
    assert.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/, server.output());
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  const scrape = async (): Promise<Scrape> => {
    const r = await fetch(metricsUrl);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseScrape(await r.text());
  };

  it('counts requests, refusals, messages, devices and nonces exactly after a known load', async () => {
    const a = new TestDevice(server.url, 'demo', server.demoSecret, 'publisher-a');
    const b = new TestDevice(server.url, 'demo', server.demoSecret, 'reader-b');
    const c = new TestDevice(server.url, 'demo', server.demoSecret, 'greedy-c');
    const forger = new TestDevice(server.url, 'demo', 'not-the-secret', 'forger');
    const N = 5;
    for (let i = 0; i < N; i++) {
      const r = await a.sync({ publish: [{ scope: 'a', stream: 's1', value: `m${i}` }] });
      assert.equal(r.json.accepted.length, 1);
    }
    // The app may hold one stream: publishing to a second is refused item by item (the sync is 200).
    for (let i = 0; i < 2; i++) {
      const r = await a.sync({ publish: [{ scope: 'a', stream: 's2', value: 'over' }] });
      assert.deepEqual(r.json.rejected.map((x: { code: string }) => x.code), ['quota_exceeded']);
    }
    const read = await b.sync({ subscribe: [{ scope: 'a', stream: 's1', after: 0 }] });
    assert.equal(read.json.messages.length, N);
    // A device may follow one stream: two subscriptions refuse the request.
    assert.equal((await c.sync({ subscribe: [{ scope: 'a', stream: 's1' }, { scope: 'a', stream: 'x' }] })).status, 403);
    assert.equal((await forger.sync({})).status, 401);
    for (let i = 0; i < 3; i++) assert.equal((await admin(server.url, server.adminToken, 'GET', '/v1/admin/apps')).status, 200);
    assert.equal((await admin(server.url, server.adminToken, 'GET', '/v1/admin/apps/nosuch')).status, 404);
    assert.equal((await fetch(`${server.url}/no/such/page/123`)).status, 404);

    // The device answers are counted when their responses close: wait for that event.
    const m = await eventually(async () => {
      const s = await scrape();
      assert.equal(s.value('stratus_http_requests_total', { method: 'POST', route: '/v1/sync', code: '200' }), N + 2 + 1);
      return s;
    });
    assert.equal(m.value('stratus_http_requests_total', { method: 'POST', route: '/v1/sync', code: '403' }), 1);
    assert.equal(m.value('stratus_http_requests_total', { method: 'POST', route: '/v1/sync', code: '401' }), 1);
    assert.equal(m.value('stratus_http_request_duration_seconds_count', { method: 'POST', route: '/v1/sync' }), N + 2 + 1 + 1 + 1);
    assert.equal(m.value('stratus_http_requests_total', { method: 'GET', route: '/v1/admin/apps', code: '200' }), 3);
    assert.equal(m.value('stratus_http_requests_total', { method: 'GET', route: '/v1/admin/apps/:app', code: '404' }), 1);
    assert.equal(m.value('stratus_http_requests_total', { method: 'GET', route: 'unmatched', code: '404' }), 1);
    assert.equal(m.value('stratus_refusals_total', { reason: 'streams_per_app' }), 2);
    assert.equal(m.value('stratus_refusals_total', { reason: 'cursors_per_device' }), 1);
    assert.equal(m.value('stratus_refusals_total', { reason: 'device_rate' }), 0);
    assert.equal(m.value('stratus_messages_published_total', { app: 'demo' }), N);
    assert.equal(m.value('stratus_messages_delivered_total', { app: 'demo' }), N);
    assert.equal(m.value('stratus_devices_online', { app: 'demo' }), 3, 'a, b and c authenticated; the forger did not');
    assert.equal(m.value('stratus_nonce_cache_entries'), N + 2 + 1 + 1, 'one nonce per request whose signature verified');
    assert.equal(m.value('stratus_live_connections'), 0);
    assert.equal(m.value('stratus_store_writer_queue_depth'), 0);
    assert.ok((m.value('stratus_store_commit_batch_size_count') ?? 0) >= N, 'each publishing sync was committed');
    assert.ok((m.value('stratus_store_commit_seconds_sum') ?? -1) >= 0);
    assert.equal(m.value('stratus_cluster_notifications_total', { kind: 'heard_messages' }), 0, 'SQLite: no other nodes');
  });

  it('answers on the main port only with the metrics token, never the admin token', async () => {
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminToken}` } })).status, 401);
    const r = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(r.status, 200);
    const s = parseScrape(await r.text());
    assert.equal(s.types.get('stratus_http_requests_total'), 'counter');
    const other = await fetch(metricsUrl.replace('/metrics', '/other'));
    assert.equal(other.status, 404, 'the metrics listener serves nothing else');
  });

  it('docs/metrics.md has a row per metric of the registry, with its type, and no other', async () => {
    const doc = readFileSync(join(ROOT, 'docs/metrics.md'), 'utf8');
    const rows = new Map([...doc.matchAll(/^\| `(stratus_\w+)` \| (\w+) \|/gm)].map((m) => [m[1] as string, m[2] as string]));
    const registry = new Map([...(await scrape()).types].filter(([name]) => !PROCESS_METRIC_PREFIXES.some((p) => name.startsWith(p))));
    assert.deepEqual([...rows.keys()].sort(), [...registry.keys()].sort());
    for (const [name, type] of registry) assert.equal(rows.get(name), type, name);
    for (const prefix of PROCESS_METRIC_PREFIXES) assert.match(doc, new RegExp(`\`${prefix}\\*\``), `the process metrics (${prefix}*) are mentioned`);
  });
});

describe('metrics options', () => {
  it('a malformed --metrics-listen stops the server with exit code 2 and says what to write', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stratus-metrics-bad-'));
    try {
      await assert.rejects(startServer({ dataDir, args: ['--metrics-listen', 'localhost'] }), (error: Error) => {
        assert.match(error.message, /exited with 2/);
        assert.match(error.message, /--metrics-listen must be host:port/);
        return true;
      });
      assert.deepEqual(readdirSync(dataDir), [], 'nothing was created');
    } finally {
      removeDir(dataDir);
    }
  });
});
