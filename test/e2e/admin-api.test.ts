// The admin API through HTTP: OpenAPI document, secret rotation with overlap, forget, delete, export.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyStaticConfig } from '../../src/protocol/index.js';
import { DEVICE_ROUTES } from '../../src/server/routes/device/index.js';
import { TestDevice, admin } from '../support/device-client.js';
import { startInProcess, type InProcessServer } from '../support/in-process.js';

describe('admin API', () => {
  let s: InProcessServer;
  const call = (method: string, path: string, body?: unknown) => admin(s.url, s.adminToken, method, path, body);
  before(async () => {
    s = await startInProcess();
  });
  after(() => s.close());

  it('lists this node (SQLite: the only one) as alive, and is ready while its database answers', async () => {
    const { json } = await call('GET', '/v1/admin/nodes');
    assert.equal(json.nodes.length, 1);
    assert.deepEqual([json.nodes[0].address, json.nodes[0].alive, json.nodes[0].self, json.nodes[0].lastHeard], [s.url, true, true, s.now()]);
    const ready = await fetch(`${s.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { ok: true, store: 'sqlite', node: json.nodes[0].id });
  });

  it('filters devices by presence before paging, so a page of online devices is full', async () => {
    await s.createApp('presence', 'presence-secret');
    for (const guid of ['a-old', 'b-old']) await call('POST', `/v1/admin/apps/presence/devices/${guid}/approve`);
    s.advance(1000); // both now offline (default refresh 300 s: online = seen within 600 s)
    await new TestDevice(s.url, 'presence', 'presence-secret', 'c-new', s.now).send('GET', '/v1/config');
    const guids = async (query: string) => (await call('GET', `/v1/admin/apps/presence/devices?${query}`)).json.devices.map((d: { guid: string }) => d.guid);
    assert.deepEqual(await guids('online=true&limit=1'), ['c-new']);
    assert.deepEqual(await guids('online=false&limit=1'), ['a-old']);
    assert.deepEqual(await guids('online=false&limit=1&offset=1'), ['b-old']);
    assert.deepEqual(await guids('limit=2'), ['a-old', 'b-old']);
  });

  it('serves an OpenAPI 3 document describing every admin and device route', async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as any;
    assert.match(doc.openapi, /^3\./);
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
    for (const expected of [
      'GET /v1/admin/apps',
      'POST /v1/admin/apps',
      'PATCH /v1/admin/apps/{app}',
      'POST /v1/admin/apps/{app}/rotate-secret',
      'GET /v1/admin/apps/{app}/devices',
      'POST /v1/admin/apps/{app}/devices/{device}/approve',
      'PUT /v1/admin/apps/{app}/devices/{device}/grants',
      'DELETE /v1/admin/apps/{app}/devices/{device}',
      'PATCH /v1/admin/apps/{app}/config',
      'GET /v1/admin/apps/{app}/config/history',
      'GET /v1/admin/nodes',
      'GET /v1/admin/events',
      'GET /v1/admin/apps/{app}/streams',
      'DELETE /v1/admin/apps/{app}/messages',
      'GET /v1/admin/apps/{app}/access-requests',
      ...DEVICE_ROUTES,
    ]) {
      assert.ok(routes.includes(expected), `${expected} is documented`);
    }
    assert.deepEqual(doc.components.securitySchemes.adminToken, { type: 'http', scheme: 'bearer' });
    const sync = doc.paths['/v1/sync'].post;
    assert.deepEqual(sync.parameters.map((p: { name: string }) => p.name), ['X-Stratus-App', 'X-Stratus-Device', 'X-Stratus-Time', 'X-Stratus-Nonce', 'X-Stratus-Signature']);
    assert.ok(sync.requestBody.content['application/json'].schema.properties.publish);
  });

  it('creates an app with its secret once; rotation keeps old secrets valid for the overlap only', async () => {
    const created = await call('POST', '/v1/admin/apps', { name: 'rot', policy: 'open' });
    assert.equal(created.status, 201);
    assert.equal((await call('GET', '/v1/admin/apps/rot')).json.app.secret, undefined, 'the secret is never shown again');
    const oldSecret = created.json.secret as string;
    const rotated = await call('POST', '/v1/admin/apps/rot/rotate-secret', { overlapSeconds: 60 });
    assert.equal(rotated.json.previousValidUntil, s.now() + 60);
    const oldDevice = new TestDevice(s.url, 'rot', oldSecret, 'd1', s.now);
    const newDevice = new TestDevice(s.url, 'rot', rotated.json.secret, 'd1', s.now);
    assert.equal((await oldDevice.send('GET', '/v1/config')).status, 200);
    assert.equal((await newDevice.send('GET', '/v1/config')).status, 200);
    s.advance(61);
    s.server.services.directory.forgetApp('rot'); // a node trusts its cached secrets for appCacheMs (5 s)
    assert.equal((await oldDevice.send('GET', '/v1/config')).json?.error?.code, 'bad_signature');
    assert.equal((await newDevice.send('GET', '/v1/config')).status, 200);
  });

  it('forgetting a device removes its cursors, overrides and PRIVATE messages, and keeps seqs unique', async () => {
    await call('POST', '/v1/admin/apps', { name: 'forget', policy: 'open' }).then(async (r) => {
      const d = new TestDevice(s.url, 'forget', r.json.secret, 'gone', s.now);
      await d.sync({ publish: [{ id: 'p1', stream: 'kv', value: 'v1' }, { id: 's1', scope: 'shared', stream: 'log', value: 'kept' }], subscribe: [{ scope: 'shared', stream: 'log' }] });
      await call('PATCH', '/v1/admin/apps/forget/devices/gone/config', { set: { debug: '1' } });
      const before = await s.store.stats();
      assert.equal((await call('DELETE', '/v1/admin/apps/forget/devices/gone')).status, 204);
      const after = await s.store.stats();
      assert.deepEqual([before.devices - after.devices, before.messages - after.messages, before.cursors - after.cursors, before.configEntries - after.configEntries], [1, 1, 1, 1]);
      assert.equal((await call('GET', '/v1/admin/apps/forget/devices/gone')).status, 404);
      const again = await d.sync({ publish: [{ id: 'p2', stream: 'kv', value: 'v2' }] });
      assert.deepEqual(again.json.accepted, [{ id: 'p2', seq: 2 }], 'a seq is never reused');
    });
  });

  it('lists streams with counts, deletes one message or a whole stream', async () => {
    const r = await call('POST', '/v1/admin/apps', { name: 'streams', policy: 'open' });
    const d = new TestDevice(s.url, 'streams', r.json.secret, 'd', s.now);
    await d.sync({ publish: ['a', 'b', 'c'].map((v) => ({ id: v, scope: 'x', stream: 'y', value: v })) });
    const listed = (await call('GET', '/v1/admin/apps/streams/streams?scope=x')).json.streams;
    assert.deepEqual(listed.map((x: any) => [x.scope, x.stream, x.head, x.count]), [['x', 'y', 3, 3]]);
    assert.deepEqual((await call('DELETE', '/v1/admin/apps/streams/messages?scope=x&stream=y&seq=2')).json, { deleted: 1 });
    const left = (await call('GET', '/v1/admin/apps/streams/messages?scope=x&stream=y')).json.messages.map((m: any) => m.value);
    assert.deepEqual(left, ['a', 'c']);
    assert.deepEqual((await call('DELETE', '/v1/admin/apps/streams/messages?scope=x&stream=y')).json, { deleted: 2 });
    const pub = await call('POST', '/v1/admin/apps/streams/messages', { scope: 'x', stream: 'y', value: 'from admin' });
    assert.deepEqual(pub.json, { seq: 4 });
    const read = (await call('GET', '/v1/admin/apps/streams/messages?scope=x&stream=y')).json.messages;
    assert.deepEqual(read.map((m: any) => [m.seq, m.value, m.from]), [[4, 'from admin', '$admin']]);
  });

  it('exports signed static config files that verify with the app secret', async () => {
    const r = await call('POST', '/v1/admin/apps', { name: 'static', policy: 'open' });
    const d = new TestDevice(s.url, 'static', r.json.secret, 'dev-x', s.now);
    await d.send('GET', '/v1/config');
    await call('PATCH', '/v1/admin/apps/static/config', { set: { interval: '60' } });
    await call('PATCH', '/v1/admin/apps/static/devices/dev-x/config', { set: { interval: '5' } });
    const files = (await call('GET', '/v1/admin/apps/static/config/export')).json.files;
    assert.deepEqual(files.map((f: any) => f.name), ['default.txt', 'devices/dev-x.txt']);
    assert.deepEqual(verifyStaticConfig(r.json.secret, files[0].content), { interval: '60' });
    assert.deepEqual(verifyStaticConfig(r.json.secret, files[1].content), { interval: '5' });
    assert.equal(verifyStaticConfig('other-secret', files[1].content), null);
    assert.deepEqual(verifyStaticConfig(r.json.secret, files[1].content, { app: 'static', device: 'dev-x' }), { interval: '5' });
    assert.deepEqual(verifyStaticConfig(r.json.secret, files[0].content, { app: 'static', device: 'dev-x' }), { interval: '60' });
    assert.equal(verifyStaticConfig(r.json.secret, files[1].content, { app: 'static', device: 'dev-y' }), null, "another device's file");
    assert.equal(verifyStaticConfig(r.json.secret, files[1].content, { app: 'other', device: 'dev-x' }), null);
    assert.ok(files[1].content.startsWith('# stratus config v1 app=static device=dev-x\n'));
  });
});
