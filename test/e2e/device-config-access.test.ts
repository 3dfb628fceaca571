// PROTOCOL §5 (config), §7 (access control) and §8 (presence) over real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SYSTEM_SCOPE } from '../../src/protocol/index.js';
import { TestDevice, admin } from '../support/device-client.js';
import { watchAdminEvents } from '../support/admin-events.js';
import { startInProcess, type InProcessServer } from '../support/in-process.js';

describe('config (PROTOCOL §5)', () => {
  let s: InProcessServer;
  let device: TestDevice;
  const setConfig = (path: string, body: object) => admin(s.url, s.adminToken, 'PATCH', path, body);
  before(async () => {
    s = await startInProcess();
    await s.createApp('cfg', 'cfg-secret');
    device = new TestDevice(s.url, 'cfg', 'cfg-secret', 'dev-1', s.now);
    await device.send('GET', '/v1/config');
    await setConfig('/v1/admin/apps/cfg/config', { set: { variable: '7', debug: '0', 'refresh interval': '300', note: 'a\nb' } });
  });
  after(() => s.close());

  it('is text, one sorted "key: value" line per entry, with escapes', async () => {
    const r = await device.send('GET', '/v1/config');
    assert.equal(r.text, 'debug: 0\nnote: a\\nb\nrefresh interval: 300\nvariable: 7\n');
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
  });

  it('is an object with Accept: application/json', async () => {
    const r = await device.send('GET', '/v1/config', { headers: { accept: 'application/json' } });
    assert.deepEqual(r.json, { debug: '0', note: 'a\nb', 'refresh interval': '300', variable: '7' });
  });

  it('answers 304 to If-None-Match with the current ETag, 200 after a change', async () => {
    const first = await device.send('GET', '/v1/config');
    const etag = first.headers.get('etag') as string;
    const same = await device.send('GET', '/v1/config', { headers: { 'if-none-match': etag } });
    assert.equal(same.status, 304);
    assert.equal(same.text, '');
    assert.equal(same.signatureValid, true);
    await setConfig('/v1/admin/apps/cfg/config', { set: { variable: '8' } });
    const changed = await device.send('GET', '/v1/config', { headers: { 'if-none-match': etag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('etag'), etag);
  });

  it('device overrides win over app-wide entries, for that device only', async () => {
    await setConfig('/v1/admin/apps/cfg/devices/dev-1/config', { set: { debug: '3' } });
    const own = await device.send('GET', '/v1/config', { headers: { accept: 'application/json' } });
    assert.equal(own.json.debug, '3');
    const other = new TestDevice(s.url, 'cfg', 'cfg-secret', 'dev-2', s.now);
    const theirs = await other.send('GET', '/v1/config', { headers: { accept: 'application/json' } });
    assert.equal(theirs.json.debug, '0');
  });

  it('sync sends the config only when the held ETag differs', async () => {
    const fresh = await device.sync({ config: null });
    assert.equal(fresh.json.config.values.debug, '3');
    const held = await device.sync({ config: fresh.json.config.etag });
    assert.equal(held.json.config, undefined);
    const noAsk = await device.sync({});
    assert.equal(noAsk.json.config, undefined);
  });

  it('reserved keys are validated; a bad change writes nothing', async () => {
    const before = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/cfg/config');
    for (const set of [{ 'stratus.refresh': 'soon' }, { 'stratus.server': 'ftp://x' }, { 'stratus.unknown': '1' }, { 'bad:key': '1' }, { ok: '1', 'a\nb': '2' }]) {
      const r = await setConfig('/v1/admin/apps/cfg/config', { set });
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 'bad_request');
    }
    assert.deepEqual(await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/cfg/config'), before);
    const ok = await setConfig('/v1/admin/apps/cfg/config', { set: { 'stratus.refresh': '60', 'stratus.server': 'https://stratus.example' } });
    assert.equal(ok.status, 200);
  });

  it('keeps a history of changes', async () => {
    const r = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/cfg/config/history?limit=500');
    const variable = r.json.history.filter((h: any) => h.key === 'variable').map((h: any) => h.value);
    assert.deepEqual(variable, ['8', '7']);
    const perDevice = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/cfg/config/history?device=dev-1');
    assert.deepEqual(perDevice.json.history.map((h: any) => [h.device, h.key, h.value]), [['dev-1', 'debug', '3']]);
  });
});

describe('access control (PROTOCOL §7) and presence (§8)', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess();
    await s.createApp('gated', 'gated-secret', 'approval');
    await s.createApp('shut', 'shut-secret', 'closed');
    await s.createApp('roles', 'roles-secret', 'open');
  });
  after(() => s.close());
  const systemMessages = async (app: string, stream: string) =>
    (await admin(s.url, s.adminToken, 'GET', `/v1/admin/apps/${app}/messages?scope=${encodeURIComponent(SYSTEM_SCOPE)}&stream=${stream}`)).json.messages.map(
      (m: any) => JSON.parse(m.value),
    );

  it('under approval an unknown device gets pending_approval until approved, and the request is recorded', async () => {
    const d = new TestDevice(s.url, 'gated', 'gated-secret', 'newcomer', s.now);
    const r = await d.sync({ publish: [{ id: 'x', scope: 'a', stream: 'b', value: 'v' }] });
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'pending_approval');
    assert.equal((await d.send('GET', '/v1/config')).json.error.code, 'pending_approval');
    const requests = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/gated/access-requests');
    assert.deepEqual(requests.json.pending.map((p: any) => p.guid), ['newcomer']);
    assert.deepEqual((await systemMessages('gated', 'access')).map((e: any) => e.device), ['newcomer']);
    await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/gated/devices/newcomer/approve');
    assert.equal((await d.sync({ publish: [{ id: 'x', scope: 'a', stream: 'b', value: 'v' }] })).status, 200);
  });

  it('a denied device gets denied; a closed app denies unknown devices and records it', async () => {
    await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/gated/devices/newcomer/deny');
    const d = new TestDevice(s.url, 'gated', 'gated-secret', 'newcomer', s.now);
    assert.equal((await d.send('GET', '/v1/config')).json.error.code, 'denied');
    const stranger = new TestDevice(s.url, 'shut', 'shut-secret', 'stranger', s.now);
    const r = await stranger.send('GET', '/v1/config');
    assert.equal(r.status, 403);
    assert.equal(r.json.error.code, 'denied');
    assert.deepEqual((await systemMessages('shut', 'rejections')).map((e: any) => [e.device, e.code]), [['stranger', 'denied']]);
  });

  it('a publish-only device cannot subscribe; a subscribe-only device cannot publish', async () => {
    const sensor = new TestDevice(s.url, 'roles', 'roles-secret', 'sensor', s.now);
    const display = new TestDevice(s.url, 'roles', 'roles-secret', 'display', s.now);
    await sensor.send('GET', '/v1/config');
    await display.send('GET', '/v1/config');
    await admin(s.url, s.adminToken, 'PUT', '/v1/admin/apps/roles/devices/sensor/grants', { grants: [{ action: 'publish', scope: 'home', stream: '*' }] });
    await admin(s.url, s.adminToken, 'PUT', '/v1/admin/apps/roles/devices/display/grants', { grants: [{ action: 'subscribe', scope: 'home', stream: 'temp*' }] });
    const sub = await sensor.sync({ subscribe: [{ scope: 'home', stream: 'temp' }] });
    assert.equal(sub.status, 403);
    assert.equal(sub.json.error.code, 'forbidden');
    const pub = await display.sync({ publish: [{ id: 'p', scope: 'home', stream: 'temp', value: '1' }] });
    assert.deepEqual(pub.json.rejected.map((x: any) => x.code), ['forbidden']);
    assert.equal((await display.sync({ subscribe: [{ scope: 'home', stream: 'cmd' }] })).json.error.code, 'forbidden');
    assert.equal((await sensor.sync({ publish: [{ id: 'p', scope: 'home', stream: 'temp', value: '1' }] })).json.accepted.length, 1);
    await admin(s.url, s.adminToken, 'PUT', '/v1/admin/apps/roles/devices/sensor/grants', { grants: null });
    assert.equal((await sensor.sync({ subscribe: [{ scope: 'home', stream: 'temp' }] })).status, 200);
  });

  it('keeps first and last seen, the address and online state, and records presence changes', async () => {
    const d = new TestDevice(s.url, 'roles', 'roles-secret', 'walker', s.now);
    const firstSeen = s.now();
    await d.send('GET', '/v1/config');
    s.advance(100);
    await d.send('GET', '/v1/config');
    let view = (await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/roles/devices/walker')).json.device;
    assert.deepEqual([view.firstSeen, view.lastSeen, view.lastAddress, view.online], [firstSeen, firstSeen + 100, '127.0.0.1', true]);
    s.advance(601); // two refresh intervals (300 s by default) and a bit
    await s.server.services.presence.tick(s.now()); // what the presence timer does: records it offline
    view = (await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/roles/devices/walker')).json.device;
    assert.equal(view.online, false);
    const offline = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/roles/devices?online=false');
    assert.ok(offline.json.devices.some((x: any) => x.guid === 'walker'));
    const watch = await watchAdminEvents(s.url, s.adminToken);
    const backOnline = watch.next('presence', (e) => e.app === 'roles' && e.device === 'walker' && e.online === true);
    await d.send('GET', '/v1/config');
    await backOnline; // recorded after the answer: the server tells when
    await watch.close();
    const events = (await systemMessages('roles', 'presence')).filter((e: any) => e.device === 'walker').map((e: any) => e.online);
    assert.deepEqual(events, [true, false, true]);
  });
});
