// GET /v1/live: server-sent events of committed messages, each signed (PROTOCOL §9).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestDevice, admin } from '../support/device-client.js';
import { startInProcess, type InProcessServer } from '../support/in-process.js';
import { openLive } from '../support/live-reader.js';

describe('live push (GET /v1/live)', () => {
  let s: InProcessServer;
  let sensor: TestDevice;
  let display: TestDevice;
  before(async () => {
    s = await startInProcess();
    await s.createApp('live', 'live-secret');
    sensor = new TestDevice(s.url, 'live', 'live-secret', 'sensor', s.now);
    display = new TestDevice(s.url, 'live', 'live-secret', 'display', s.now);
  });
  after(() => s.close());

  it('pushes each newly stored message once, in order, signed, to subscribers of its stream', async () => {
    const live = await openLive(display, ['home/temp', 'PRIVATE/inbox']);
    assert.equal(live.status, 200);
    assert.equal(live.startSignatureValid, true);
    await sensor.sync({ publish: [{ id: 't1', scope: 'home', stream: 'temp', value: '20' }, { id: 'o1', scope: 'home', stream: 'other', value: 'x' }] });
    await sensor.sync({ publish: [{ id: 't1', scope: 'home', stream: 'temp', value: '20' }] }); // a retry: stored once, told once
    await sensor.send('POST', '/v1/publish', { body: { id: 't2', scope: 'home', stream: 'temp', value: '21' } });
    await display.sync({ publish: [{ id: 'p1', scope: 'PRIVATE', stream: 'inbox', value: 'mine' }] });
    await sensor.sync({ publish: [{ id: 'p2', scope: 'PRIVATE', stream: 'inbox', value: "sensor's own" }] });
    await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/live/messages', { scope: 'home', stream: 'temp', value: '22' });
    const events = await live.waitFor(4);
    await live.close();
    assert.deepEqual(
      events.map((e) => [e.id, e.data.scope, e.data.stream, e.data.seq, e.data.value, e.data.from]),
      [
        [1, 'home', 'temp', 1, '20', 'sensor'],
        [2, 'home', 'temp', 2, '21', 'sensor'],
        [3, 'PRIVATE', 'inbox', 1, 'mine', 'display'],
        [4, 'home', 'temp', 3, '22', '$admin'],
      ],
    );
    assert.ok(events.every((e) => e.signatureValid));
  });

  it('needs a subscribe grant for every stream, and well-formed subs', async () => {
    await admin(s.url, s.adminToken, 'PUT', '/v1/admin/apps/live/devices/sensor/grants', { grants: [{ action: 'publish', scope: '*', stream: '*' }] });
    const forbidden = await openLive(sensor, ['home/temp']);
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.json.error.code, 'forbidden');
    const malformed = await openLive(display, ['no-slash']);
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error.code, 'bad_request');
  });

  it('ends open streams when the server shuts down', async () => {
    const own = await startInProcess();
    await own.createApp('bye', 'bye-secret');
    const d = new TestDevice(own.url, 'bye', 'bye-secret', 'd', own.now);
    const live = await openLive(d, ['a/b']);
    assert.equal(live.status, 200);
    await own.close();
    await live.ended$;
    assert.equal(live.ended, true);
  });
});
