// Subscriptions delivered to local programs (a Unix-socket line stream, a command per message),
// acknowledged upstream only once delivered; the local HTTP endpoint's answers to bad input.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';
import { cleanEnv, runCli } from '../support/cli.js';
import { startEdge, streamValues, tempDir, until, type EdgeProcess } from './support.js';

describe('stratus edge downstream and local HTTP', () => {
  let server: RunningServer;
  let dir: string;
  let edge: EdgeProcess;
  let config: Record<string, unknown>;
  const adminPublish = async (stream: string, value: string): Promise<void> => {
    const r = await fetch(`${server.url}/v1/admin/apps/demo/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'ctl', stream, value }),
    });
    assert.equal(r.status, 201, await r.text());
  };
  before(async () => {
    server = await startServer();
    dir = tempDir('stratus-edge-down-');
    config = {
      upstream: server.url,
      app: 'demo',
      device: 'edge-down',
      secret: server.demoSecret,
      dataDir: join(dir, 'gw'),
      http: { port: 0 },
      link: { command: 'echo unmetered', pollMs: 60_000 },
      uplink: { pollMs: 30, backoffMaxMs: 100 },
      downstream: [
        { scope: 'ctl', stream: 'cmd', listen: `unix:${join(dir, 'cmd.sock')}` },
        { scope: 'ctl', stream: 'read', http: true },
        { scope: 'ctl', stream: 'run', command: `test -f ${join(dir, 'ready')} && cat >> ${join(dir, 'ran.txt')} && echo " $STRATUS_SEQ" >> ${join(dir, 'ran.txt')}` },
      ],
    };
    edge = await startEdge(dir, config);
    await until(async () => assert.notEqual((await edge.status()).lastContact, null));
  });
  after(async () => {
    await edge.stop();
    await server.stop();
    removeDir(server.dataDir);
    removeDir(dir);
  });

  it('delivers to a line reader only once one is connected, in order, and never again after a restart', async () => {
    await adminPublish('cmd', 'first');
    await adminPublish('cmd', 'two\nlines');
    await until(async () => assert.match(edge.logs(), /"event":"delivery_failed".*"no reader connected"/));
    const reader = createConnection(join(dir, 'cmd.sock'));
    let got = '';
    reader.on('data', (c: Buffer) => (got += c.toString()));
    await until(() => assert.equal(got, 'first\ntwo\\nlines\n'));
    await until(async () => assert.equal((await edge.status()).counters.delivered, 2));
    reader.destroy();
    await edge.kill();
    edge = await startEdge(dir, config);
    const again = createConnection(join(dir, 'cmd.sock'));
    let more = '';
    again.on('data', (c: Buffer) => (more += c.toString()));
    await until(async () => assert.ok((await edge.status()).counters.failures === 0 && (await edge.status()).lastContact !== null));
    await adminPublish('cmd', 'third');
    await until(() => assert.equal(more, 'third\n'), 400);
    again.destroy();
  });

  it('runs a command per message and acknowledges only what it took', async () => {
    await adminPublish('run', 'a');
    await until(async () => assert.match(edge.logs(), /"event":"delivery_failed".*"stream":"run"/));
    assert.equal(existsSync(join(dir, 'ran.txt')), false);
    await adminPublish('run', 'b');
    writeFileSync(join(dir, 'ready'), '');
    await until(() => assert.equal(existsSync(join(dir, 'ran.txt')) ? readFileSync(join(dir, 'ran.txt'), 'utf8') : '', 'a 1\nb 2\n'));
  });

  it('keeps subscriptions for GET /v1/messages until the reader acknowledges them with after', async () => {
    const read = async (query: string): Promise<{ seq: number; value: string }[]> => {
      const r = await fetch(`${edge.addresses.http}/v1/messages?scope=ctl&stream=read${query}`);
      assert.equal(r.status, 200);
      return ((await r.json()) as { messages: { seq: number; value: string }[] }).messages;
    };
    await adminPublish('read', 'one');
    await adminPublish('read', 'two');
    await until(async () => assert.deepEqual((await read('')).map((m) => m.value), ['one', 'two']));
    const [first] = await read('&limit=1');
    assert.deepEqual((await read(`&after=${first?.seq}`)).map((m) => m.value), ['two'], 'after acknowledges');
    assert.deepEqual((await read('')).map((m) => m.value), ['two'], 'and the acknowledged one is gone');
    const other = await fetch(`${edge.addresses.http}/v1/messages?scope=ctl&stream=cmd`);
    assert.equal(other.status, 404);
    const bad = await fetch(`${edge.addresses.http}/v1/messages?scope=ctl&stream=read&after=-1`);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'bad_request');
  });

  it('goes on publishing when the server refuses its subscriptions', async () => {
    const approve = await runCli(['--server', server.url, '--token', server.adminToken, 'device', 'approve', 'demo', 'edge-pub-only'], cleanEnv());
    assert.equal(approve.code, 0, approve.stderr);
    const grant = await runCli(['--server', server.url, '--token', server.adminToken, 'device', 'grant', 'demo', 'edge-pub-only', '--publish', 'plant/*'], cleanEnv());
    assert.equal(grant.code, 0, grant.stderr);
    const sub = join(dir, 'pub-only');
    mkdirSync(sub);
    const only = await startEdge(sub, { ...config, device: 'edge-pub-only', dataDir: join(sub, 'gw'), downstream: [{ scope: 'ctl', stream: 'cmd', listen: `unix:${join(sub, 'cmd.sock')}` }] });
    try {
      const r = await fetch(`${only.addresses.http}/v1/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"scope":"plant","stream":"pub-only","value":"still sent"}' });
      assert.equal(r.status, 200);
      await until(async () => assert.deepEqual((await streamValues(server.url, server.adminToken, 'demo', { scope: 'plant', stream: 'pub-only' })).map((m) => m.value), ['still sent']));
      assert.match(only.logs(), /"event":"subscriptions_refused","code":"forbidden"/);
    } finally {
      await only.stop();
    }
  });

  it('answers bad input on the local HTTP endpoint with a stable code', async () => {
    const post = async (body: string, type = 'application/json', query = ''): Promise<{ status: number; body: { error?: { code: string; message: string } } }> => {
      const r = await fetch(`${edge.addresses.http}/v1/publish${query}`, { method: 'POST', headers: { 'content-type': type }, body });
      return { status: r.status, body: (await r.json()) as { error?: { code: string; message: string } } };
    };
    const cases: [Awaited<ReturnType<typeof post>>, number, string, RegExp][] = [
      [await post('{"value":"x"}'), 400, 'bad_request', /stream must match/],
      [await post('{"stream":"s","value":"x","priority":12}'), 400, 'bad_request', /priority must be 0–9/],
      [await post('{"stream":"s","value":"x","color":"red"}'), 400, 'bad_request', /unknown field "color"/],
      [await post('not json'), 400, 'bad_request', /not JSON/],
      [await post('x'.repeat(1024 * 1024 + 1), 'text/plain', '?stream=s'), 413, 'too_large', /over/],
    ];
    for (const [answer, status, code, message] of cases) {
      assert.equal(answer.status, status);
      assert.equal(answer.body.error?.code, code);
      assert.match(answer.body.error?.message ?? '', message);
    }
    const text = await post('21.5', 'text/plain', '?scope=plant&stream=temp&priority=4&ttl=60');
    assert.equal(text.status, 200);
    const missing = await fetch(`${edge.addresses.http}/v1/nosuch`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
    const health = (await (await fetch(`${edge.addresses.http}/v1/health`)).json()) as { ok: boolean; link: string };
    assert.deepEqual([health.ok, health.link], [true, 'unmetered']);
    const metrics = await (await fetch(`${edge.addresses.http}/metrics`)).text();
    assert.match(metrics, /^stratus_edge_link\{class="unmetered"\} 1$/m);
  });
});
