// The hottest request of a fleet, a 304 config poll answered from memory once the app, device and
// config are cached: it keeps every rule of the device API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDevice, admin } from '../support/device-client.js';
import { startInProcess, type InProcessServer } from '../support/in-process.js';

describe('304 config polls', () => {
  let s: InProcessServer;
  let device: TestDevice;
  let etag: string;
  const poll = (d: TestDevice, held: string, options: { nonce?: string; time?: number; secret?: string } = {}) =>
    d.send('GET', '/v1/config', { ...options, headers: { 'if-none-match': held } });

  before(async () => {
    s = await startInProcess();
    await s.createApp('hot', 'hot-secret');
    await admin(s.url, s.adminToken, 'PATCH', '/v1/admin/apps/hot/config', { set: { 'stratus.refresh': '60', level: '1' } });
    device = new TestDevice(s.url, 'hot', 'hot-secret', 'poller', s.now);
    etag = (await device.send('GET', '/v1/config')).headers.get('etag') as string;
  });
  after(() => s.close());

  it('answers 304 with the ETag, no body and a valid response signature', async () => {
    const r = await poll(device, etag);
    assert.equal(r.status, 304);
    assert.equal(r.text, '');
    assert.equal(r.signatureValid, true);
    assert.equal(r.headers.get('etag'), etag);
    assert.equal(r.headers.get('x-stratus-time'), String(s.now()));
  });

  it('refuses a nonce used again, a wrong secret and a stale time, each with its code', async () => {
    assert.equal((await poll(device, etag, { nonce: 'hot-once' })).status, 304);
    const replayed = await poll(device, etag, { nonce: 'hot-once' });
    assert.equal(replayed.json.error.code, 'replayed');
    assert.equal(replayed.signatureValid, true);
    assert.equal((await poll(device, etag, { secret: 'not-the-secret' })).json.error.code, 'bad_signature');
    assert.equal((await poll(device, etag, { time: s.now() - 301 })).json.error.code, 'stale_time');
  });

  it('records presence: last seen moves with each poll', async () => {
    s.advance(30);
    assert.equal((await poll(device, etag)).status, 304);
    const seen = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/hot/devices/poller');
    assert.equal(seen.json.device.lastSeen, s.now());
    assert.equal(seen.json.device.online, true);
  });

  it('sends the new config at once after a change, and nothing to a denied device', async () => {
    await admin(s.url, s.adminToken, 'PATCH', '/v1/admin/apps/hot/config', { set: { level: '2' } });
    const changed = await poll(device, etag);
    assert.equal(changed.status, 200);
    assert.match(changed.text, /level: 2/);
    const current = changed.headers.get('etag') as string;
    assert.equal((await poll(device, current)).status, 304);
    await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/hot/devices/poller/deny');
    const denied = await poll(device, current);
    assert.equal(denied.status, 403);
    assert.equal(denied.json.error.code, 'denied');
  });
});

describe('304 polls and the rate limit', () => {
  it('count toward it and are answered rate_limited with Retry-After', async () => {
    const s = await startInProcess({ deviceRatePerSecond: 1, deviceRateBurst: 4 });
    try {
      await s.createApp('busy', 'busy-secret');
      const quick = new TestDevice(s.url, 'busy', 'busy-secret', 'quick', s.now);
      const etag = (await quick.send('GET', '/v1/config')).headers.get('etag') as string;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await quick.send('GET', '/v1/config', { headers: { 'if-none-match': etag } })).status);
      assert.deepEqual(statuses, [304, 304, 304, 429]);
      const limited = await quick.send('GET', '/v1/config', { headers: { 'if-none-match': etag } });
      assert.equal(limited.json.error.code, 'rate_limited');
      assert.equal(limited.headers.get('retry-after'), '1');
      assert.equal(limited.signatureValid, true);
    } finally {
      await s.close();
    }
  });
});
