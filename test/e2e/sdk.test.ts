// The client SDK (src/client) against real servers over real HTTP.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClientError, MemoryStorage, Stratus, StratusError, type DeliveredMessage, type OutboxEntry } from '../../src/client/index.js';
import { DeferredStorage } from '../../src/client/storage-contract.suite.js';
import { signStaticConfig } from '../../src/protocol/index.js';
import { admin } from '../support/device-client.js';
import { startInProcess, type InProcessServer } from '../support/in-process.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-sdk-'));
  dirs.push(dir);
  return dir;
}
after(() => dirs.forEach(removeDir));

async function storedValues(url: string, token: string, app: string, query: string): Promise<string[]> {
  const r = await admin(url, token, 'GET', `/v1/admin/apps/${app}/messages?${query}&limit=1000`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.messages.map((m: { value: string }) => m.value);
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}` };
}

describe('SDK against a server process', () => {
  let s: RunningServer;
  const client = (device: string, dir = dataDir()) => new Stratus({ server: s.url, app: 'demo', secret: s.demoSecret, device, dataDir: dir });
  before(async () => {
    s = await startServer();
  });
  after(() => s.stop());

  it('publish() sends now and returns the seq; queue: true waits for update()', async () => {
    const c = client('pub-1');
    const now = await c.publish('temp', '21.5', { scope: 'home' });
    assert.equal(typeof now.seq, 'number');
    const queued = await c.publish('temp', 22, { scope: 'home', queue: true });
    assert.equal(queued.seq, null);
    assert.equal(c.outboxSize, 1);
    assert.deepEqual(await storedValues(s.url, s.adminToken, 'demo', 'scope=home&stream=temp'), ['21.5']);
    const result = await c.update();
    assert.equal(result.published, 1);
    assert.equal(c.outboxSize, 0);
    assert.deepEqual(await storedValues(s.url, s.adminToken, 'demo', 'scope=home&stream=temp'), ['21.5', '22']);
    await c.close();
  });

  it('a subscriber that was offline gets what it missed, in order, once acknowledged', async () => {
    const subDir = dataDir();
    const seen: string[] = [];
    let subscriber = client('display-1', subDir);
    subscriber.subscribe('cmd', (_stream, data) => void seen.push(data), { scope: 'home' });
    await subscriber.update(); // the server-held cursor starts at the head
    await subscriber.close();

    const sender = client('phone-1');
    for (const v of ['on', 'off', 'on again']) await sender.publish('cmd', v, { scope: 'home' });
    await sender.close();

    subscriber = client('display-1', subDir); // a restart: the acknowledgements were kept
    subscriber.subscribe('cmd', (_stream, data) => void seen.push(data), { scope: 'home' });
    assert.equal((await subscriber.update()).delivered, 3);
    assert.deepEqual(seen, ['on', 'off', 'on again']);
    assert.equal((await subscriber.update()).delivered, 0);
    assert.deepEqual(seen, ['on', 'off', 'on again']);
    await subscriber.close();
  });

  it('one callback serves several streams: it is told the stream, the data and the message', async () => {
    const c = client('panel-1');
    const seen: string[] = [];
    const onMessage = (stream: string, data: string, message: DeliveredMessage) => void seen.push(`${message.scope}/${stream}=${data} from ${message.from}`);
    c.subscribe('door', onMessage, { scope: 'home' });
    c.subscribe('window', onMessage, { scope: 'home' });
    await c.update();
    const sender = client('sensor-2');
    await sender.publish('door', 'open', { scope: 'home' });
    await sender.publish('window', 'shut', { scope: 'home' });
    await sender.close();
    assert.equal((await c.update()).delivered, 2);
    assert.deepEqual(seen.sort(), ['home/door=open from sensor-2', 'home/window=shut from sensor-2']);
    await c.close();
  });

  it('publish() without queue brings the subscriptions in the same round trip: the callback runs before it resolves', async () => {
    const c = client('echo-1');
    const order: string[] = [];
    c.subscribe('echo', (stream, data) => void order.push(`callback ${stream} ${data}`), { scope: 'home' });
    await c.update(); // the server-held cursor starts at the head
    const queued = await c.publish('echo', 'later', { scope: 'home', queue: true });
    assert.equal(queued.seq, null);
    assert.equal(order.length, 0, 'a queued publish sends nothing');
    const receipt = await c.publish('echo', 'ping', { scope: 'home' });
    order.push(`resolved ${receipt.seq}`);
    assert.equal(c.outboxSize, 0, 'the direct publish took the queued message along');
    // The server answers a sync's messages after storing its publish items, so both come back at once.
    assert.deepEqual(order, ['callback echo later', 'callback echo ping', `resolved ${receipt.seq}`]);
    assert.equal((await c.update()).delivered, 0, 'acknowledged: nothing comes twice');
    await c.close();
  });

  it('publish() goes through when a subscription is refused, and says why', async () => {
    const dir = dataDir();
    await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/demo/devices/narrow-1/approve');
    const grants = await admin(s.url, s.adminToken, 'PUT', '/v1/admin/apps/demo/devices/narrow-1/grants', { grants: [{ action: 'publish', scope: 'home', stream: '*' }] });
    assert.equal(grants.status, 200, JSON.stringify(grants.json));
    const c = client('narrow-1', dir);
    const errors: Error[] = [];
    c.on('error', (e) => void errors.push(e));
    c.subscribe('secrets', () => undefined, { scope: 'home' });
    const receipt = await c.publish('note', 'hello', { scope: 'home' });
    assert.equal(typeof receipt.seq, 'number');
    assert.ok(errors.some((e) => e instanceof StratusError && e.code === 'forbidden'), errors.map((e) => e.message).join('; '));
    assert.deepEqual(await storedValues(s.url, s.adminToken, 'demo', 'scope=home&stream=note'), ['hello']);
    await c.close();
  });

  it('a callback that throws gets the message again; later messages wait behind it', async () => {
    const c = client('flaky-1');
    const calls: string[] = [];
    const errors: Error[] = [];
    c.on('error', (e) => errors.push(e));
    let failNext = true;
    c.subscribe('jobs', (_stream, data) => {
      calls.push(data);
      if (failNext) {
        failNext = false;
        throw new Error('disk full');
      }
    });
    await c.update();
    await c.publish('jobs', 'a', { queue: true });
    await c.publish('jobs', 'b', { queue: true });
    assert.equal((await c.update()).delivered, 0);
    assert.deepEqual(calls, ['a']);
    assert.match(errors[0]?.message ?? '', /threw at seq 1; it comes again: disk full/);
    assert.equal((await c.update()).delivered, 2);
    assert.deepEqual(calls, ['a', 'a', 'b']);
    await c.close();
  });

  it('get() has the fallback\'s type, and the config survives a restart with the server down', async () => {
    const dir = dataDir();
    await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/demo/devices/cfg-1/approve');
    const change = await admin(s.url, s.adminToken, 'PATCH', '/v1/admin/apps/demo/devices/cfg-1/config', {
      set: { interval: '15', debug: 'true', name: 'shed', ratio: 'n/a' },
    });
    assert.equal(change.status, 200, JSON.stringify(change.json));
    const c = client('cfg-1', dir);
    assert.equal(c.get('interval', 60), 60);
    assert.equal((await c.update()).configChanged, true);
    assert.equal(c.get('interval', 60), 15);
    assert.equal(c.get('debug', false), true);
    assert.equal(c.get('name', 'none'), 'shed');
    assert.equal(c.get('ratio', 0.5), 0.5);
    assert.equal((await c.update()).configChanged, false);
    await c.close();

    const offline = new Stratus({ server: 'http://127.0.0.1:9', app: 'demo', secret: s.demoSecret, device: 'cfg-1', dataDir: dir, retry: { attempts: 2, baseMs: 1 } });
    assert.equal(offline.get('interval', 60), 15);
    const failed = await offline.update().catch((e: unknown) => e);
    assert.ok(failed instanceof ClientError && failed.code === 'network', String(failed));
    assert.equal(offline.get('interval', 60), 15);
    await offline.close();
  });

  it('maybeUpdate() updates once the interval has passed, counting from before a restart', async () => {
    const dir = dataDir();
    const c = client('sleepy-1', dir);
    assert.notEqual(await c.maybeUpdate(3600), null); // never updated: now
    assert.equal(await c.maybeUpdate(3600), null);
    await c.close();
    const rebooted = client('sleepy-1', dir);
    assert.equal(await rebooted.maybeUpdate(3600), null);
    assert.notEqual(await rebooted.maybeUpdate(0), null);
    await rebooted.close();
  });

  it('maybeUpdate() counts the interval on the injected clock', async () => {
    let nowMs = Date.parse('2026-01-01T00:00:00Z'); // far from the server's time: the offset is learned
    const c = new Stratus({ server: s.url, app: 'demo', secret: s.demoSecret, device: 'clocked-1', dataDir: dataDir(), nowMs: () => nowMs });
    assert.notEqual(await c.maybeUpdate(60), null);
    nowMs += 59_999;
    assert.equal(await c.maybeUpdate(60), null);
    nowMs += 1;
    assert.notEqual(await c.maybeUpdate(60), null);
    await c.close();
  });

  it('publish() while the server is unreachable keeps the message for the next update()', async () => {
    const dir = dataDir();
    const offline = new Stratus({ server: 'http://127.0.0.1:9', app: 'demo', secret: s.demoSecret, device: 'field-1', dataDir: dir, retry: { attempts: 2, baseMs: 1 } });
    const receipt = await offline.publish('log', 'written offline', { scope: 'home' });
    assert.equal(receipt.seq, null);
    await offline.close();
    const online = client('field-1', dir);
    assert.equal(online.outboxSize, 1);
    assert.equal((await online.update()).published, 1);
    assert.deepEqual(await storedValues(s.url, s.adminToken, 'demo', 'scope=home&stream=log'), ['written offline']);
    await online.close();
  });

  it('live() pushes messages as they are published', async () => {
    const listener = client('live-1');
    const got: DeliveredMessage[] = [];
    let arrived: () => void = () => undefined;
    const both = new Promise<void>((resolve) => (arrived = resolve));
    listener.subscribe('alarm', (_stream, _data, m) => {
      got.push(m);
      if (got.length === 2) arrived();
    }, { scope: 'home' });
    const connection = listener.live();
    await connection.opened;
    const sender = client('sensor-9');
    await sender.publish('alarm', 'smoke', { scope: 'home' });
    await sender.publish('alarm', 'clear', { scope: 'home' });
    await both;
    assert.deepEqual(got.map((m) => [m.value, m.from]), [['smoke', 'sensor-9'], ['clear', 'sensor-9']]);
    await connection.close();
    await sender.close();
    await listener.close();
  });
});

describe('SDK outbox rules', () => {
  let s: InProcessServer;
  const client = (device: string, extra: object = {}) =>
    new Stratus({ server: s.url, app: 'rules', secret: 'rules-secret', device, storage: new MemoryStorage(), ...extra });
  before(async () => {
    s = await startInProcess();
    await s.createApp('rules', 'rules-secret');
    await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/rules/devices/sensor/approve');
    await admin(s.url, s.adminToken, 'PUT', '/v1/admin/apps/rules/devices/sensor/grants', { grants: [{ action: 'publish', scope: 'open', stream: '*' }] });
  });
  after(() => s.close());

  it('learns the server clock from its answer (the in-process server runs a year ahead)', async () => {
    const c = client('clockless');
    assert.equal(typeof (await c.publish('t', '1', { scope: 'open' })).seq, 'number');
    await c.close();
  });

  it('a full outbox refuses (reject) or drops the oldest of the lowest priority, and says so', async () => {
    const strict = client('strict', { outboxLimit: 2 });
    await strict.publish('full', '1', { scope: 'open', queue: true });
    await strict.publish('full', '2', { scope: 'open', queue: true });
    const full = await strict.publish('full', '3', { scope: 'open', queue: true }).catch((e: unknown) => e);
    assert.ok(full instanceof ClientError && full.code === 'outbox_full');
    assert.equal(strict.outboxSize, 2);

    const lenient = client('lenient', { outboxLimit: 2, overflow: 'drop-oldest' });
    const dropped: OutboxEntry[] = [];
    lenient.on('dropped', (entries) => dropped.push(...entries));
    await lenient.publish('full', 'important', { scope: 'open', queue: true, priority: 5 });
    await lenient.publish('full', 'old', { scope: 'open', queue: true });
    await lenient.publish('full', 'new', { scope: 'open', queue: true });
    assert.deepEqual(dropped.map((d) => d.value), ['old']);
    await lenient.update();
    assert.deepEqual(await storedValues(s.url, s.adminToken, 'rules', 'scope=open&stream=full'), ['important', 'new']);
  });

  it('sends higher priorities first, and only what canSend allows', async () => {
    const metered = client('metered', { canSend: (e: OutboxEntry) => e.priority >= 5 });
    await metered.publish('m', 'chatter', { scope: 'open', queue: true });
    await metered.publish('m', 'alert', { scope: 'open', queue: true, priority: 9 });
    await metered.publish('m', 'warning', { scope: 'open', queue: true, priority: 5 });
    assert.equal((await metered.update()).published, 2);
    assert.deepEqual(await storedValues(s.url, s.adminToken, 'rules', 'scope=open&stream=m'), ['alert', 'warning']);
    assert.equal(metered.outboxSize, 1);
  });

  it('works on an asynchronous storage (every call a promise, as IndexedDB), and restarts from it', async () => {
    await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/rules/devices/kiosk/approve');
    const config = await admin(s.url, s.adminToken, 'PATCH', '/v1/admin/apps/rules/devices/kiosk/config', { set: { colour: 'blue' } });
    assert.equal(config.status, 200, JSON.stringify(config.json));
    const kept = new MemoryStorage(); // what the asynchronous storage keeps, across "restarts"
    const kiosk = client('kiosk', { storage: new DeferredStorage(kept) });
    const seen: string[] = [];
    kiosk.subscribe('echo', (_stream, data) => void seen.push(data), { scope: 'open' });
    await kiosk.update();
    await kiosk.publish('echo', 'queued', { scope: 'open', queue: true });
    assert.equal(kiosk.outboxSize, 1);
    assert.equal(typeof (await kiosk.publish('echo', 'direct', { scope: 'open' })).seq, 'number');
    assert.deepEqual(seen, ['queued', 'direct']);
    assert.equal(kiosk.outboxSize, 0);
    assert.equal(kiosk.get('colour', 'none'), 'blue');
    await kiosk.close();

    const restarted = client('kiosk', { storage: new DeferredStorage(kept) });
    await restarted.ready();
    assert.equal(restarted.get('colour', 'none'), 'blue', 'the config kept in the storage');
    restarted.subscribe('echo', (_stream, data) => void seen.push(data), { scope: 'open' });
    assert.equal((await restarted.update()).delivered, 0, 'the acknowledgements kept too: nothing comes twice');
    await restarted.close();
  });

  it('a refusal is thrown by publish(), and reported for queued messages; neither stays queued', async () => {
    const sensor = client('sensor');
    const refused = await sensor.publish('x', 'v', { scope: 'closed' }).catch((e: unknown) => e);
    assert.ok(refused instanceof StratusError && refused.code === 'forbidden', String(refused));
    const rejected: [string, string][] = [];
    sensor.on('rejected', (entry, error) => rejected.push([entry.value, error.code]));
    await sensor.publish('x', 'queued', { scope: 'closed', queue: true });
    const result = await sensor.update();
    assert.equal(result.rejected, 1);
    assert.deepEqual(rejected, [['queued', 'forbidden']]);
    assert.equal(sensor.outboxSize, 0);
  });

  it('bad input is refused before it reaches the outbox', async () => {
    const c = client('careful');
    for (const attempt of [() => c.publish('bad stream!', 'v'), () => c.publish('s', 'v', { scope: 'no/slash' }), () => c.publish('s', 'v', { ttl: 0 })]) {
      const error = await attempt().catch((e: unknown) => e);
      assert.ok(error instanceof StratusError && error.code === 'bad_request', String(error));
    }
    assert.equal(c.outboxSize, 0);
  });

  it('retries a 503 after its Retry-After, and an answer with a bad signature is an error', async () => {
    let refusals = 1;
    let requests = 0;
    const front = await listen(async (req, res) => {
      requests++;
      if (refusals-- > 0) {
        res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { code: 'unavailable', message: 'starting' } }));
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const answer = await fetch(s.url + req.url, { method: req.method, headers: req.headers as Record<string, string>, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) });
      const headers = Object.fromEntries(answer.headers);
      if (req.headers['x-test-tamper']) headers['x-stratus-signature'] = '0'.repeat(64);
      res.writeHead(answer.status, headers);
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
    try {
      // the SDK's waits go through `delay`: recorded, and no time passes
      const waits: number[] = [];
      const delay = async (ms: number): Promise<void> => void waits.push(ms);
      const c = new Stratus({ server: front.url, app: 'rules', secret: 'rules-secret', device: 'retrier', storage: new MemoryStorage(), delay });
      await c.update();
      assert.equal(requests, 3); // refused, then stale_time (the clock), then served
      assert.deepEqual(waits, [1000], 'one wait before the retry, as long as Retry-After said (the backoff is shorter)');
      const tampering = new Stratus({
        server: front.url,
        app: 'rules',
        secret: 'rules-secret',
        device: 'tampered',
        storage: new MemoryStorage(),
        fetch: (url: string | URL | Request, init?: RequestInit) => fetch(url, { ...init, headers: { ...(init?.headers as object), 'x-test-tamper': '1' } }),
      });
      const error = await tampering.update().catch((e: unknown) => e);
      assert.ok(error instanceof ClientError && error.code === 'bad_response', String(error));
    } finally {
      front.server.close();
    }
  });
});

describe('SDK relocation', () => {
  let a: InProcessServer;
  let b: InProcessServer;
  before(async () => {
    [a, b] = await Promise.all([startInProcess(), startInProcess()]);
    await Promise.all([a.createApp('moving', 'moving-secret'), b.createApp('moving', 'moving-secret')]);
  });
  after(() => Promise.all([a.close(), b.close()]));

  it('follows stratus.server to the new server, and remembers it across restarts', async () => {
    const dir = dataDir();
    await admin(a.url, a.adminToken, 'POST', '/v1/admin/apps/moving/devices/nomad/approve');
    await admin(a.url, a.adminToken, 'PATCH', '/v1/admin/apps/moving/devices/nomad/config', { set: { 'stratus.server': b.url } });
    const c = new Stratus({ server: a.url, app: 'moving', secret: 'moving-secret', device: 'nomad', dataDir: dir });
    await c.update();
    assert.equal(c.server, b.url);
    await c.publish('where', 'here', { scope: 'fleet' });
    await c.close();
    const again = new Stratus({ server: a.url, app: 'moving', secret: 'moving-secret', device: 'nomad', dataDir: dir });
    await again.publish('where', 'still here', { scope: 'fleet' });
    await again.close();
    assert.deepEqual(await storedValues(b.url, b.adminToken, 'moving', 'scope=fleet&stream=where'), ['here', 'still here']);
    assert.deepEqual(await storedValues(a.url, a.adminToken, 'moving', 'scope=fleet&stream=where'), []);
  });

  it('follows stratus.config_url to a signed static export, and refuses an unsigned one', async () => {
    let file = signStaticConfig('moving-secret', 'moving', '*', { colour: 'green', 'stratus.refresh': '30' });
    const host = await listen((_req, res) => res.end(file));
    try {
      await admin(a.url, a.adminToken, 'POST', '/v1/admin/apps/moving/devices/static-1/approve');
      await admin(a.url, a.adminToken, 'PATCH', '/v1/admin/apps/moving/devices/static-1/config', { set: { 'stratus.config_url': host.url + '/cfg.txt', colour: 'red' } });
      const c = new Stratus({ server: a.url, app: 'moving', secret: 'moving-secret', device: 'static-1', storage: new MemoryStorage() });
      const errors: Error[] = [];
      c.on('error', (e) => errors.push(e));
      await c.update();
      assert.equal(c.get('colour', ''), 'red');
      await c.update();
      assert.equal(c.get('colour', ''), 'green', errors.map((e) => e.message).join());
      assert.equal(c.refreshSeconds, 30);
      file = 'colour: forged\n';
      await c.update();
      assert.equal(c.get('colour', ''), 'green');
      assert.match(errors[0]?.message ?? '', /not a config signed/);
    } finally {
      host.server.close();
    }
  });
});
