// Issue 14's findings, one test each, through the public interfaces (a real server on a socket).
// Each failed on the code before its fix.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { matchesPattern, sha256Hex, signedRequestHeaders } from '../../src/protocol/index.js';
import { issueAdminToken } from '../../src/server/admin-auth.js';
import { buildServer, type StratusServer } from '../../src/server/app.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import { TestDevice, admin } from '../support/device-client.js';
import { startInProcess, type InProcessServer } from '../support/in-process.js';
import { removeDir } from '../support/server-process.js';

describe('finding 1: a grant pattern cannot stall the server', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
    await s.createApp('redos', 'redos-secret');
    await admin(s.url, s.adminToken, 'PATCH', '/v1/admin/apps/redos', {
      defaultGrants: [{ action: 'publish', scope: '*', stream: '*/*/*/*/status' }],
    });
  });
  after(() => s.close());

  it('200 publishes to a stream of 128 slashes are refused quickly, one by one', async () => {
    const device = new TestDevice(s.url, 'redos', 'redos-secret', 'attacker', s.now);
    const stream = '/'.repeat(128);
    const r = await device.sync({ publish: Array.from({ length: 200 }, (_, i) => ({ id: `m${i}`, scope: 'x', stream, value: 'v' })) });
    assert.equal(r.status, 200);
    assert.equal(r.json.rejected.length, 200);
    assert.ok(r.json.rejected.every((x: { code: string }) => x.code === 'forbidden'));
  });

  it('the matching itself is linear: the same 200 checks take well under 50 ms (the regex took ~4 s)', () => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) assert.equal(matchesPattern('*/*/*/*/status', '/'.repeat(128)), false);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 50, `${ms} ms`);
  });
});

describe('finding 6: secrets at rest are private files', () => {
  it('a new data directory is 0700 and the database 0600', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'stratus-perm-'));
    const dir = join(parent, 'data');
    const store = new SqliteStore({ path: join(dir, 'stratus.db') });
    try {
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir, 'stratus.db')).mode & 0o777, 0o600);
      assert.equal(store.permissionWarning, null);
    } finally {
      await store.close();
      removeDir(parent);
    }
  });

  it('an existing wider directory is reported, and the database file tightened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stratus-perm-'));
    
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'stratus.db'), '');
    chmodSync(join(dir, 'stratus.db'), 0o644);
    const store = new SqliteStore({ path: join(dir, 'stratus.db') });
    try {
      assert.match(store.permissionWarning ?? '', /readable by other users \(mode 755\)/);
      assert.equal(statSync(join(dir, 'stratus.db')).mode & 0o777, 0o600);
    } finally {
      await store.close();
      removeDir(dir);
    }
  });
});

describe('finding 8: a rotated-out secret stops working when its overlap ends', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
    await s.createApp('rotating', 'old-secret');
  });
  after(() => s.close());

  it('the old secret works inside the overlap and is refused the second it ends, cache or not', async () => {
    const old = new TestDevice(s.url, 'rotating', 'old-secret', 'd1', s.now);
    assert.equal((await old.send('GET', '/v1/config')).status, 200); // the app and its secrets are now cached
    const rotated = await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/rotating/rotate-secret', { overlapSeconds: 60 });
    assert.equal(rotated.status, 200);
    assert.equal((await old.send('GET', '/v1/config')).status, 200);
    s.advance(59);
    assert.equal((await old.send('GET', '/v1/config')).status, 200);
    s.advance(1);
    const refused = await old.send('GET', '/v1/config');
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error.code, 'bad_signature');
    const fresh = new TestDevice(s.url, 'rotating', rotated.json.secret, 'd1', s.now);
    const ok = await fresh.send('GET', '/v1/config');
    assert.equal(ok.status, 200);
    assert.equal(ok.signatureValid, true);
  });
});

describe('finding 10: the console cannot be framed and leaks no referrer', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
  });
  after(() => s.close());

  it('every console file carries a CSP, frame-ancestors, X-Frame-Options and Referrer-Policy', async () => {
    for (const path of ['/', '/console/app.js', '/console/style.css']) {
      const answer = await fetch(s.url + path);
      assert.equal(answer.status, 200, path);
      const csp = answer.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/, path);
      assert.match(csp, /script-src 'self'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.equal(answer.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(answer.headers.get('referrer-policy'), 'no-referrer', path);
    }
  });
});

describe('finding 7: static export files cannot collide or hide', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
    await s.createApp('fleet', 'fleet-secret');
    for (const guid of ['default', '.hidden', 'plain']) await new TestDevice(s.url, 'fleet', 'fleet-secret', guid, s.now).send('GET', '/v1/config');
    await admin(s.url, s.adminToken, 'PATCH', '/v1/admin/apps/fleet/config', { set: { mode: 'fleet' } });
    for (const guid of ['default', '.hidden']) {
      await admin(s.url, s.adminToken, 'PATCH', `/v1/admin/apps/fleet/devices/${guid}/config`, { set: { mode: guid } });
    }
  });
  after(() => s.close());

  it('a device named default gets its own file, a dotted GUID is skipped with a reason, devices without overrides are left out', async () => {
    const { status, json } = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/fleet/config/export');
    assert.equal(status, 200);
    assert.deepEqual(json.files.map((f: { name: string }) => f.name), ['default.txt', 'devices/default.txt']);
    assert.match(json.files[0].content, /device=\*\nmode: fleet\n/);
    assert.match(json.files[1].content, /device=default\nmode: default\n/);
    assert.deepEqual(json.skipped.map((x: { device: string }) => x.device), ['.hidden']);
    const all = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/fleet/config/export?all=true');
    assert.deepEqual(all.json.files.map((f: { name: string }) => f.name), ['default.txt', 'devices/default.txt', 'devices/plain.txt']);
  });
});

describe('finding 3: text that is not valid Unicode is refused, never stored altered', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
    await s.createApp('text', 'text-secret');
  });
  after(() => s.close());

  const stored = async () => (await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/text/messages?scope=home&stream=t')).json.messages ?? [];

  /** Sends raw bytes, signed: fetch would re-encode a string as valid UTF-8. */
  const sendBytes = async (target: string, body: Buffer, contentType: string) => {
    const time = s.now();
    const nonce = `raw-${Math.random().toString(36).slice(2)}`;
    const headers = { ...signedRequestHeaders('text-secret', { method: 'POST', target, app: 'text', device: 'd1', time, nonce, bodySha256: sha256Hex(body) }), 'content-type': contentType };
    const answer = await fetch(s.url + target, { method: 'POST', headers, body: new Uint8Array(body) });
    return { status: answer.status, json: (await answer.json()) as any };
  };
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

  it('invalid UTF-8 bytes or a lone surrogate in a sync or publish answer bad_request and store nothing', async () => {
    const answers = [
      await sendBytes('/v1/sync', bytes('{"publish":[{"id":"a","scope":"home","stream":"t","value":"', [0xff, 0xfe], '"}]}'), 'application/json'),
      await sendBytes('/v1/publish', bytes('scope=home&stream=t&value=', [0xc3, 0x28]), 'application/x-www-form-urlencoded'),
      await sendBytes('/v1/publish', bytes('scope=home&stream=t&value=%FF'), 'application/x-www-form-urlencoded'),
      await sendBytes('/v1/sync', bytes('{"publish":[{"id":"b","scope":"home","stream":"t","value":"a\\ud800b"}]}'), 'application/json'),
      await sendBytes('/v1/publish', bytes('{"scope":"home","stream":"t","value":"\\udc00"}'), 'application/json'),
    ];
    for (const answer of answers) {
      assert.equal(answer.status, 400, JSON.stringify(answer.json));
      assert.equal(answer.json.error.code, 'bad_request');
    }
    assert.deepEqual(await stored(), []);
    const fine = await sendBytes('/v1/publish', bytes('scope=home&stream=t&value=%C3%A9t%C3%A9'), 'application/x-www-form-urlencoded');
    assert.equal(fine.status, 200);
    assert.deepEqual((await stored()).map((m: { value: string }) => m.value), ['été']);
  });

  it('config keys and values with a lone surrogate are refused through the admin API', async () => {
    for (const set of [{ 'a\ud800': 'x' }, { k: 'a\udfffb' }]) {
      const r = await admin(s.url, s.adminToken, 'PATCH', '/v1/admin/apps/text/config', { set });
      assert.equal(r.status, 400, JSON.stringify(r.json));
      assert.equal(r.json.error.code, 'bad_request');
    }
    const raw = await fetch(`${s.url}/v1/admin/apps/text/config`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      body: new Uint8Array(Buffer.concat([Buffer.from('{"set":{"k":"'), Buffer.from([0xff]), Buffer.from('"}}')])),
    });
    assert.equal(raw.status, 400);
    assert.equal(((await raw.json()) as any).error.code, 'bad_request');
    assert.deepEqual((await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/text/config')).json.entries ?? [], []);
  });
});

/** Writes raw bytes on a fresh connection and returns everything the server sends back before closing. */
function rawRequest(url: string, bytes: string | Buffer, { thenDestroy = false } = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(bytes);
      if (thenDestroy) setImmediate(() => socket.destroy());
    });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('finding 9: HTTP-level errors use the one error format; aborts are not errors', () => {
  let server: StratusServer;
  let url: string;
  const logLines: { level: number; msg: string }[] = [];
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stratus-http-'));
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    server = await buildServer({ store: new SqliteStore({ path: join(dir, 'stratus.db') }), logger: { level: 'debug', stream }, options: { port: 0 } });
    url = await server.listen();
  });
  after(() => server.close());

  for (const [name, request] of [
    ['a duplicate Content-Length', 'POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['a NUL in a header', 'GET /v1/config HTTP/1.1\r\nHost: x\r\nX-Stratus-App: a\u0000b\r\n\r\n'],
    ['a malformed request line', 'GARBAGE\r\n\r\n'],
  ] as const) {
    it(`${name} is answered 400 bad_request as JSON with X-Stratus-Time`, async () => {
      const answer = await rawRequest(url, request);
      const [head, body] = answer.split('\r\n\r\n') as [string, string];
      assert.match(head, /^HTTP\/1\.1 400 Bad Request\r\n/);
      assert.match(head, /\r\nx-stratus-time: \d+/i);
      assert.equal(JSON.parse(body).error.code, 'bad_request');
    });
  }

  it('an upload aborted mid-body is logged at debug level, not as an error with a stack', async () => {
    const before = logLines.length;
    const head = 'POST /v1/sync HTTP/1.1\r\nHost: x\r\nX-Stratus-App: nope\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
    await rawRequest(url, head + '{"publish":[', { thenDestroy: true });
    await rawRequest(url, 'PATCH /v1/admin/apps/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":', { thenDestroy: true });
    // the server notices the aborts on its next turns; a plain request after them is answered after they were handled
    await fetch(`${url}/healthz`);
    const added = logLines.slice(before);
    assert.deepEqual(added.filter((l) => l.level >= 50), []);
  });
});

describe('finding 11: admin token guessing is slowed down; a registered device is not online before it calls', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
    await s.createApp('fleet', 'fleet-secret', 'approval');
  });
  after(() => s.close());

  it('after five bad tokens a minute, the address waits 1, 2, 4 … s, whatever token it sends; a good token then clears it', async () => {
    const bad = (token: string) => fetch(`${s.url}/v1/admin/apps`, { headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 5; i++) assert.equal((await bad(`wrong-${i}`)).status, 401);
    assert.equal((await bad('wrong-5')).status, 401); // the sixth failure starts the slow-down
    const blocked = await bad(s.adminToken);
    assert.equal(blocked.status, 429);
    assert.equal(blocked.headers.get('retry-after'), '1');
    assert.equal(((await blocked.json()) as any).error.code, 'rate_limited');
    s.advance(1);
    assert.equal((await bad('wrong-6')).status, 401);
    assert.equal((await bad(s.adminToken)).headers.get('retry-after'), '2');
    s.advance(2);
    assert.equal((await bad(s.adminToken)).status, 200);
    assert.equal((await bad('wrong-7')).status, 401); // cleared by the success: free failures again
    assert.equal((await bad(s.adminToken)).status, 200);
  });

  it('a device approved before it ever called is listed offline, and online once it calls', async () => {
    assert.equal((await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/fleet/devices/shipped-1/approve')).status, 200);
    const listed = async () => (await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/fleet/devices/shipped-1')).json.device;
    assert.equal((await listed()).online, false);
    assert.equal((await new TestDevice(s.url, 'fleet', 'fleet-secret', 'shipped-1', s.now).send('GET', '/v1/config')).status, 200);
    assert.equal((await listed()).online, true);
  });
});

describe('finding 5: a graceful stop is quick and answers instead of resetting', () => {
  it('a request in flight when the stop begins is answered, its connection closed, and the stop does not wait for keep-alive', async () => {
    const s = await startInProcess();
    await s.createApp('stop', 'stop-secret');
    const { hostname, port } = new URL(s.url);
    const body = 'scope=home&stream=t&value=in-flight';
    const time = s.now();
    const signed = signedRequestHeaders('stop-secret', { method: 'POST', target: '/v1/publish', app: 'stop', device: 'd1', time, nonce: 'stop-1', bodySha256: sha256Hex(body) });
    const head =
      `POST /v1/publish HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n` +
      `${Object.entries(signed).map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const arrived = new Promise((resolve) => s.server.app.server.once('request', resolve));
    socket.write(head + body.slice(0, 5));
    await arrived; // the request is in flight: its body is still coming
    const started = process.hrtime.bigint();
    const stopping = s.close();
    socket.write(body.slice(5));
    await closed;
    await stopping;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(answer, /\r\nconnection: close\r\n/i);
    assert.ok(ms < 2000, `the stop took ${ms} ms (keep-alive would hold it 5 s)`);
  });
});

describe('finding 4: a full disk answers unavailable with Retry-After, and readiness says so', () => {
  let server: StratusServer;
  let url: string;
  let adminToken: string;
  const time = 1_800_000_000;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stratus-full-'));
    // The size cap makes SQLite answer SQLITE_FULL exactly as a full disk does.
    const store = new SqliteStore({ path: join(dir, 'stratus.db'), maxBytes: 512 * 1024 });
    server = await buildServer({ store, logger: false, clock: () => time, options: { port: 0, deviceRatePerSecond: 0 } });
    url = await server.listen();
    adminToken = await issueAdminToken(store, 'test', time);
    await store.insertApp({ name: 'full', policy: 'open', defaultTtlSeconds: 3600, maxTtlSeconds: 3600, defaultGrants: [{ action: 'publish', scope: '*', stream: '*' }] }, 'full-secret', time);
  });
  after(() => server.close());

  it('publishes are accepted until the disk is full, then refused as unavailable; nothing acknowledged is lost', async () => {
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const device = new TestDevice(url, 'full', 'full-secret', 'filler', () => time);
    const accepted: number[] = [];
    let refused: Awaited<ReturnType<TestDevice['send']>> | null = null;
    for (let i = 0; i < 40 && refused === null; i++) {
      const r = await device.send('POST', '/v1/publish', { body: { id: `m${i}`, scope: 'home', stream: 'big', value: String(i).padEnd(60_000, 'x') } });
      if (r.status === 200) accepted.push(r.json.seq);
      else refused = r;
    }
    assert.ok(refused, 'the cap was reached');
    assert.ok(accepted.length >= 2, `${accepted.length} accepted first`);
    assert.equal(refused.status, 503);
    assert.equal(refused.json.error.code, 'unavailable');
    assert.equal(refused.headers.get('retry-after'), '30');
    assert.equal(refused.signatureValid, true);

    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as any).error.code, 'unavailable');

    const stored = await admin(url, adminToken, 'GET', '/v1/admin/apps/full/messages?scope=home&stream=big&limit=100');
    assert.deepEqual(stored.json.messages.map((m: { seq: number }) => m.seq), accepted);
  });
});

describe('finding 2: one secret holder cannot fill the server with devices or records', () => {
  it('new devices are limited per address and per app each minute; pending and total devices per app are capped', async () => {
    const s = await startInProcess({ newDevicesPerAddressPerMinute: 5, newDevicesPerAppPerMinute: 8, maxPendingDevicesPerApp: 3, maxDevicesPerApp: 6 });
    try {
      await s.createApp('open', 'open-secret', 'open');
      await s.createApp('wait', 'wait-secret', 'approval');
      const call = (app: string, guid: string, forwardedFor?: string) =>
        new TestDevice(s.url, app, `${app}-secret`, guid, s.now).send('GET', '/v1/config', forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});
      const codes = async (app: string, guids: string[]) => Promise.all(guids.map(async (g) => (await call(app, g)).json?.error?.code ?? 'ok'));

      // per address: five new GUIDs a minute from 127.0.0.1, then rate_limited with Retry-After
      const first = await codes('open', ['o1', 'o2', 'o3', 'o4', 'o5']);
      assert.deepEqual(first, ['ok', 'ok', 'ok', 'ok', 'ok']);
      const sixth = await call('open', 'o6');
      assert.equal(sixth.status, 429);
      assert.equal(sixth.json.error.code, 'rate_limited');
      assert.ok(Number(sixth.headers.get('retry-after')) >= 1);
      assert.equal((await call('open', 'o1')).status, 200, 'known devices are not affected');

      // next minute: the total cap of 6 devices per app
      s.advance(60);
      assert.deepEqual(await codes('open', ['o6', 'o7']), ['ok', 'quota_exceeded']);

      // pending cap of 3 in an approval app
      s.advance(60);
      assert.deepEqual(await codes('wait', ['w1', 'w2', 'w3', 'w4']), ['pending_approval', 'pending_approval', 'pending_approval', 'quota_exceeded']);
      const pending = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/wait/devices?status=pending');
      assert.equal(pending.json.devices.length, 3);
    } finally {
      await s.close();
    }
  });

  it('new devices per app a minute are limited whatever address they come from', async () => {
    const s = await startInProcess({ newDevicesPerAddressPerMinute: 0, newDevicesPerAppPerMinute: 3 });
    try {
      await s.createApp('open', 'open-secret', 'open');
      const codes = [];
      for (const guid of ['a', 'b', 'c', 'd']) codes.push((await new TestDevice(s.url, 'open', 'open-secret', guid, s.now).send('GET', '/v1/config')).json?.error?.code ?? 'ok');
      assert.deepEqual(codes, ['ok', 'ok', 'ok', 'rate_limited']);
    } finally {
      await s.close();
    }
  });

  it('streams per app and streams followed per device are capped; publishes to known streams go on', async () => {
    const s = await startInProcess({ maxStreamsPerApp: 8, maxCursorsPerDevice: 5 });
    try {
      await s.createApp('open', 'open-secret', 'open');
      const a = new TestDevice(s.url, 'open', 'open-secret', 'a', s.now);
      const b = new TestDevice(s.url, 'open', 'open-secret', 'b', s.now);
      const follow = (d: TestDevice, names: string[]) => d.sync({ subscribe: names.map((stream) => ({ scope: 'home', stream })) });
      assert.equal((await follow(a, ['s1', 's2', 's3', 's4', 's5'])).status, 200);
      const sixth = await follow(a, ['s6']);
      assert.deepEqual([sixth.status, sixth.json.error.code], [403, 'quota_exceeded']);
      assert.equal((await follow(a, ['s1', 's2'])).status, 200, 'streams it follows already are fine');
      assert.equal((await follow(b, ['s6', 's7', 's8'])).status, 200); // 8 streams in the app now
      const ninth = await follow(b, ['s9']);
      assert.deepEqual([ninth.status, ninth.json.error.code], [403, 'quota_exceeded']);
      const mixed = await a.sync({ publish: [
        { id: 'p1', scope: 'home', stream: 's1', value: 'x' },
        { id: 'p2', scope: 'home', stream: 'brand-new', value: 'y' },
        { id: 'p3', scope: 'home', stream: 's2', value: 'z' },
      ] });
      assert.equal(mixed.status, 200);
      assert.deepEqual(mixed.json.accepted.map((x: { id: string }) => x.id), ['p1', 'p3']);
      assert.deepEqual(mixed.json.rejected.map((x: { id: string; index: number; code: string }) => [x.id, x.index, x.code]), [['p2', 1, 'quota_exceeded']]);
      const streams = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/open/streams');
      assert.equal(streams.json.streams.filter((x: { scope: string }) => x.scope !== '$stratus').length, 8);
    } finally {
      await s.close();
    }
  });

  it('streams whose messages all expired and that nobody follows are swept, freeing the quota; seqs are not reused', async () => {
    const s = await startInProcess({ maxStreamsPerApp: 3, appCacheMs: 1 });
    try {
      await s.createApp('open', 'open-secret', 'open');
      const a = new TestDevice(s.url, 'open', 'open-secret', 'a', s.now);
      const publish = async (stream: string) => {
        const r = await a.sync({ publish: [{ id: `${stream}-${s.now()}`, scope: 'home', stream, value: 'x', ttl: 60 }] });
        return r.json.accepted[0]?.seq ?? r.json.rejected[0]?.code;
      };
      assert.deepEqual([await publish('s1'), await publish('s2'), await publish('s3'), await publish('s4')], [1, 1, 1, 'quota_exceeded']);
      const userStreams = async () =>
        (await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/open/streams')).json.streams.filter((x: { scope: string }) => x.scope !== '$stratus');
      s.advance(61);
      await s.server.sweep(); // what the sweep timer does
      assert.deepEqual(await userStreams(), []);
      assert.deepEqual([await publish('s4'), await publish('s1')], [2, 2]);
    } finally {
      await s.close();
    }
  });

  it('a closed app records at most the configured rejections a minute, however many GUIDs knock', async () => {
    const s = await startInProcess({ rejectionsPerAppPerMinute: 4, newDevicesPerAddressPerMinute: 0 });
    try {
      await s.createApp('closed', 'closed-secret', 'closed');
      for (let i = 0; i < 20; i++) {
        const r = await new TestDevice(s.url, 'closed', 'closed-secret', `knock-${i}`, s.now).send('GET', '/v1/config');
        assert.equal(r.json.error.code, 'denied');
      }
      const records = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/closed/messages?scope=$stratus&stream=rejections&limit=100');
      assert.equal(records.json.messages.length, 4);
    } finally {
      await s.close();
    }
  });
});

describe('found by npm run fuzz: numbers a query string can hold', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
    await s.createApp('fz', 'fz-secret');
  });
  after(() => s.close());

  it('Infinity ("51e309") and integers past 2^53 in admin query strings are bad_request, not a database error', async () => {
    for (const query of [
      '/v1/admin/apps/fz/devices?status=pending&limit=51e309',
      '/v1/admin/apps/fz/devices?offset=99999999999999999999',
      '/v1/admin/apps/fz/messages?scope=home&stream=t&after=99999999999999999999',
      '/v1/admin/apps/fz/messages?scope=home&stream=t&limit=1e309',
    ]) {
      const r = await admin(s.url, s.adminToken, 'GET', query);
      assert.deepEqual([r.status, r.json.error?.code], [400, 'bad_request'], query);
    }
    const del = await admin(s.url, s.adminToken, 'DELETE', '/v1/admin/apps/fz/messages?scope=home&stream=t&seq=99999999999999999999');
    assert.deepEqual([del.status, del.json.error?.code], [400, 'bad_request']);
    assert.equal((await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/fz/devices?offset=9007199254740991')).status, 200);
  });
});
