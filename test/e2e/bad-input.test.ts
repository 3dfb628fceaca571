// Bad input gets a clear error code and changes nothing: the store is compared before and after.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDevice, admin } from '../support/device-client.js';
import { startInProcess, type InProcessServer } from '../support/in-process.js';

describe('bad input changes nothing', () => {
  let s: InProcessServer;
  let device: TestDevice;
  before(async () => {
    s = await startInProcess({ bodyLimitBytes: 200_000 });
    await s.createApp('strict', 'strict-secret');
    device = new TestDevice(s.url, 'strict', 'strict-secret', 'dev-1', s.now);
    await device.sync({ publish: [{ id: 'seed', scope: 'a', stream: 'b', value: 'v' }], subscribe: [{ scope: 'a', stream: 'b' }] });
  });
  after(() => s.close());

  async function assertUnchanged(action: () => Promise<{ status: number; code: string | undefined }>, status: number, code: string) {
    await s.server.services.presence.flush();
    const before = await s.store.stats();
    const r = await action();
    assert.deepEqual([r.status, r.code], [status, code]);
    assert.deepEqual(await s.store.stats(), before);
  }
  const viaDevice = (body: string) => async () => {
    const r = await device.send('POST', '/v1/sync', { body });
    return { status: r.status, code: r.json?.error?.code };
  };
  const viaAdmin = (method: string, path: string, body?: unknown) => async () => {
    const r = await admin(s.url, s.adminToken, method, path, body);
    return { status: r.status, code: r.json?.error?.code };
  };

  const deviceCases: [string, string, number, string][] = [
    ['malformed JSON', '{"publish": [', 400, 'bad_request'],
    ['a JSON array', '[1,2]', 400, 'bad_request'],
    ['an unknown field', '{"publsh": []}', 400, 'bad_request'],
    ['publish not an array', '{"publish": {"stream":"x"}}', 400, 'bad_request'],
    ['subscribe with a bad stream', '{"publish":[{"id":"n1","scope":"a","stream":"b","value":"v"}],"subscribe":[{"scope":"a","stream":"bad stream"}]}', 400, 'bad_request'],
    ['after of the wrong type', '{"subscribe":[{"scope":"a","stream":"b","after":"3"}]}', 400, 'bad_request'],
    ['limit out of range', '{"subscribe":[{"scope":"a","stream":"b","limit":100000}]}', 400, 'bad_request'],
    ['a subscription twice', '{"subscribe":[{"scope":"a","stream":"b"},{"scope":"a","stream":"b"}]}', 400, 'bad_request'],
    ['config of the wrong type', '{"config": 5}', 400, 'bad_request'],
    ['a server-private scope', '{"subscribe":[{"scope":"$stratus","stream":"access"}]}', 400, 'bad_request'],
    ['too many messages', JSON.stringify({ publish: Array.from({ length: 1001 }, (_, i) => ({ id: `m${i}`, stream: 's', value: 'v' })) }), 413, 'too_large'],
    ['a body over the limit', JSON.stringify({ publish: [{ id: 'big', stream: 's', value: 'x'.repeat(250_000) }] }), 413, 'too_large'],
  ];
  for (const [name, body, status, code] of deviceCases) {
    it(`sync: ${name} → ${code}`, () => assertUnchanged(viaDevice(body), status, code));
  }

  it('sync: rejected items alone write nothing', async () => {
    const body = JSON.stringify({
      publish: [
        { id: 'w1', scope: 'a', stream: 'b', value: 1 },
        { id: 'bad id!', scope: 'a', stream: 'b', value: 'v' },
        { id: 'w3', scope: 'a', stream: 'bad stream', value: 'v' },
        { id: 'w4', scope: 'a', stream: 'b', value: 'x'.repeat(70_000) },
        { id: 'w5', scope: 'a', stream: 'b', value: 'v', ttl: -1 },
        { id: 'w6', scope: 'a', stream: 'b', value: 'v', extra: true },
        { id: 'w7', scope: 'a', stream: 'b', value: 'nul\u0000inside' },
      ],
    });
    const before = await s.store.stats();
    const r = await device.send('POST', '/v1/sync', { body });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.rejected.map((x: any) => x.code), ['bad_request', 'bad_request', 'bad_request', 'too_large', 'bad_request', 'bad_request', 'bad_request']);
    assert.deepEqual(r.json.accepted, []);
    assert.deepEqual((await s.store.stats()).messages, before.messages);
  });

  it('an unknown app changes nothing', async () => {
    const stranger = new TestDevice(s.url, 'nope', 'x', 'dev-9', s.now);
    await assertUnchanged(async () => {
      const r = await stranger.sync({ publish: [{ id: 'a', stream: 's', value: 'v' }] });
      return { status: r.status, code: r.json?.error?.code };
    }, 401, 'bad_signature');
  });

  const adminCases: [string, string, string, unknown, number, string][] = [
    ['app with a bad name', 'POST', '/v1/admin/apps', { name: 'Bad Name' }, 400, 'bad_request'],
    ['app with an unknown field', 'POST', '/v1/admin/apps', { name: 'ok', colour: 'red' }, 400, 'bad_request'],
    ['app with default TTL over max', 'POST', '/v1/admin/apps', { name: 'ok', defaultTtlSeconds: 10, maxTtlSeconds: 5 }, 400, 'bad_request'],
    ['app that exists', 'POST', '/v1/admin/apps', { name: 'strict' }, 409, 'conflict'],
    ['policy of an unknown app', 'PATCH', '/v1/admin/apps/ghost', { policy: 'open' }, 404, 'not_found'],
    ['an unknown policy', 'PATCH', '/v1/admin/apps/strict', { policy: 'maybe' }, 400, 'bad_request'],
    ['a grant with a bad action', 'PUT', '/v1/admin/apps/strict/devices/dev-1/grants', { grants: [{ action: 'read', scope: '*', stream: '*' }] }, 400, 'bad_request'],
    ['a config key with a colon', 'PATCH', '/v1/admin/apps/strict/config', { set: { 'a:b': '1' } }, 400, 'bad_request'],
    ['a config value of the wrong type', 'PATCH', '/v1/admin/apps/strict/config', { set: { a: 1 } }, 400, 'bad_request'],
    ['an oversize config value', 'PATCH', '/v1/admin/apps/strict/config', { set: { a: 'x'.repeat(5000) } }, 400, 'bad_request'],
    ['device config in an unknown app', 'PATCH', '/v1/admin/apps/nope/devices/ghost/config', { set: { a: '1' } }, 404, 'not_found'],
    ['nothing to set for a GUID not seen yet', 'PATCH', '/v1/admin/apps/strict/devices/ghost/config', {}, 400, 'bad_request'],
    ['an admin message over the value limit', 'POST', '/v1/admin/apps/strict/messages', { scope: 'a', stream: 'b', value: 'x'.repeat(70_000) }, 413, 'too_large'],
    ['a PRIVATE read without owner', 'GET', '/v1/admin/apps/strict/messages?scope=PRIVATE&stream=b', undefined, 400, 'bad_request'],
  ];
  for (const [name, method, path, body, status, code] of adminCases) {
    it(`admin: ${name} → ${code}`, () => assertUnchanged(viaAdmin(method, path, body), status, code));
  }

  it('admin: a missing or wrong token is unauthorized', async () => {
    const r = await fetch(`${s.url}/v1/admin/apps`, { method: 'POST', body: '{"name":"x"}', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as any).error.code, 'unauthorized');
    const wrong = await admin(s.url, 'stratus_admin_wrong', 'GET', '/v1/admin/apps');
    assert.equal(wrong.json.error.code, 'unauthorized');
  });
});
