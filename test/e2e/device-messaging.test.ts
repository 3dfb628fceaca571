// PROTOCOL §6 over real HTTP: idempotent publish, server-held cursors, acknowledged delivery, replay, TTL, PRIVATE.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatConfigText, formatSyncRequestText, formatSyncText, parseSyncText } from '../../src/protocol/index.js';
import { TestDevice, admin } from '../support/device-client.js';
import { startInProcess, type InProcessServer } from '../support/in-process.js';

describe('publish and subscribe (PROTOCOL §6)', () => {
  let s: InProcessServer;
  let sensor: TestDevice;
  let display: TestDevice;
  before(async () => {
    s = await startInProcess();
    await s.createApp('home', 'home-secret');
    sensor = new TestDevice(s.url, 'home', 'home-secret', 'sensor-1', s.now);
    display = new TestDevice(s.url, 'home', 'home-secret', 'display-1', s.now);
  });
  after(() => s.close());

  const publish = (d: TestDevice, stream: string, values: string[], extra: object = {}) =>
    d.sync({ publish: values.map((value, i) => ({ id: `${stream}-${value}-${i}`, scope: 'house', stream, value, ...extra })) });

  it('a retry with the same id stores once and returns the first seq', async () => {
    const first = await sensor.sync({ publish: [{ id: 'm-1', scope: 'house', stream: 'retry', value: 'a' }] });
    const retry = await sensor.sync({ publish: [{ id: 'm-1', scope: 'house', stream: 'retry', value: 'a' }] });
    assert.deepEqual(first.json.accepted, [{ id: 'm-1', seq: 1 }]);
    assert.deepEqual(retry.json.accepted, [{ id: 'm-1', seq: 1 }]);
    const stored = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/home/messages?scope=house&stream=retry');
    assert.equal(stored.json.messages.length, 1);
  });

  it('seqs start at 1 and increase per stream', async () => {
    const r = await publish(sensor, 'seqs', ['a', 'b', 'c']);
    assert.deepEqual(r.json.accepted.map((a: any) => a.seq), [1, 2, 3]);
  });

  it('each message is accepted or rejected on its own', async () => {
    const r = await sensor.sync({
      publish: [
        { id: 'ok-1', scope: 'house', stream: 'mixed', value: 'fine' },
        { id: 'bad-1', scope: 'house', stream: 'mixed', value: 42 },
        { id: 'big-1', scope: 'house', stream: 'mixed', value: 'x'.repeat(65_537) },
        { id: 'ok-2', scope: 'house', stream: 'mixed', value: 'also fine' },
      ],
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.accepted, [
      { id: 'ok-1', seq: 1 },
      { id: 'ok-2', seq: 2 },
    ]);
    assert.deepEqual(
      r.json.rejected.map((x: any) => [x.id, x.index, x.code]),
      [
        ['bad-1', 1, 'bad_request'],
        ['big-1', 2, 'too_large'],
      ],
    );
  });

  it('a first subscription starts at the head: only new messages arrive', async () => {
    await publish(sensor, 'fresh', ['old']);
    const first = await display.sync({ subscribe: [{ scope: 'house', stream: 'fresh' }] });
    assert.deepEqual(first.json.messages, []);
    assert.deepEqual(first.json.cursors, [{ scope: 'house', stream: 'fresh', cursor: 1, head: 1 }]);
    await publish(sensor, 'fresh', ['new']);
    const next = await display.sync({ subscribe: [{ scope: 'house', stream: 'fresh' }] });
    assert.deepEqual(next.json.messages.map((m: any) => [m.seq, m.value, m.from]), [[2, 'new', 'sensor-1']]);
  });

  it('unacknowledged messages come again; after: N moves the cursor', async () => {
    await display.sync({ subscribe: [{ scope: 'house', stream: 'acks' }] });
    await publish(sensor, 'acks', ['one', 'two']);
    const a = await display.sync({ subscribe: [{ scope: 'house', stream: 'acks' }] });
    const b = await display.sync({ subscribe: [{ scope: 'house', stream: 'acks' }] });
    assert.deepEqual(a.json.messages.map((m: any) => m.value), ['one', 'two']);
    assert.deepEqual(b.json.messages, a.json.messages);
    const acked = await display.sync({ subscribe: [{ scope: 'house', stream: 'acks', after: 1 }] });
    assert.deepEqual(acked.json.messages.map((m: any) => m.value), ['two']);
    assert.equal(acked.json.cursors[0].cursor, 1);
    const backwards = await display.sync({ subscribe: [{ scope: 'house', stream: 'acks', after: 0 }] });
    assert.equal(backwards.json.cursors[0].cursor, 1, 'the cursor never moves back');
    const done = await display.sync({ subscribe: [{ scope: 'house', stream: 'acks', after: 2 }] });
    assert.deepEqual(done.json.messages, []);
  });

  it('reset + limit replays the last N, oldest to newest', async () => {
    await publish(sensor, 'replay', ['1', '2', '3', '4', '5']);
    const r = await display.sync({ subscribe: [{ scope: 'house', stream: 'replay', reset: true, limit: 3 }] });
    assert.deepEqual(r.json.messages.map((m: any) => m.value), ['3', '4', '5']);
    const again = await display.sync({ subscribe: [{ scope: 'house', stream: 'replay', reset: true, limit: 2 }] });
    assert.deepEqual(again.json.messages.map((m: any) => m.value), ['4', '5']);
  });

  it('a page holds at most limit (or 100) messages per stream', async () => {
    await publish(sensor, 'paged', Array.from({ length: 120 }, (_, i) => String(i)));
    const all = await display.sync({ subscribe: [{ scope: 'house', stream: 'paged', reset: true, limit: 1000 }] });
    assert.equal(all.json.messages.length, 120);
    const fresh = new TestDevice(s.url, 'home', 'home-secret', 'pager', s.now);
    await fresh.sync({ subscribe: [{ scope: 'house', stream: 'paged', after: 0 }] });
    const page = await fresh.sync({ subscribe: [{ scope: 'house', stream: 'paged' }] });
    assert.equal(page.json.messages.length, 100);
    assert.equal(page.json.messages[0].seq, 1);
  });

  it('expired messages never arrive', async () => {
    await display.sync({ subscribe: [{ scope: 'house', stream: 'ttl' }] });
    await sensor.sync({
      publish: [
        { id: 'short', scope: 'house', stream: 'ttl', value: 'short', ttl: 5 },
        { id: 'long', scope: 'house', stream: 'ttl', value: 'long', ttl: 500 },
      ],
    });
    s.advance(6);
    const r = await display.sync({ subscribe: [{ scope: 'house', stream: 'ttl' }] });
    assert.deepEqual(r.json.messages.map((m: any) => m.value), ['long']);
    const swept = await s.store.sweepExpired(s.now(), 1000);
    assert.ok(swept >= 1);
  });

  it('a TTL above the app maximum is rejected', async () => {
    const r = await sensor.sync({ publish: [{ id: 'forever', scope: 'house', stream: 'ttl', value: 'x', ttl: 86_401 }] });
    assert.deepEqual(r.json.rejected.map((x: any) => x.code), ['bad_request']);
  });

  it('PRIVATE streams belong to their device: another device cannot read them', async () => {
    await sensor.sync({ publish: [{ id: 'kv-1', scope: 'PRIVATE', stream: 'settings', value: 'secret-of-sensor', ttl: 86_400 }] });
    const own = await sensor.sync({ subscribe: [{ scope: 'PRIVATE', stream: 'settings', reset: true, limit: 1 }] });
    assert.deepEqual(own.json.messages.map((m: any) => m.value), ['secret-of-sensor']);
    const other = await display.sync({ subscribe: [{ scope: 'PRIVATE', stream: 'settings', reset: true, limit: 10 }] });
    assert.deepEqual(other.json.messages, []);
    assert.equal(other.json.cursors[0].head, 0);
    const asAdmin = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/home/messages?scope=PRIVATE&owner=sensor-1&stream=settings');
    assert.deepEqual(asAdmin.json.messages.map((m: any) => m.value), ['secret-of-sensor']);
  });

  it('scope defaults to PRIVATE', async () => {
    const r = await sensor.sync({ publish: [{ id: 'p-1', stream: 'notes', value: 'mine' }], subscribe: [{ stream: 'notes', reset: true, limit: 5 }] });
    assert.deepEqual(r.json.messages.map((m: any) => [m.scope, m.value]), [['PRIVATE', 'mine']]);
  });

  it('the convenience endpoints follow the same rules', async () => {
    const form = 'scope=house&stream=curl&value=hello&id=c-1';
    const first = await sensor.send('POST', '/v1/publish', { body: form, contentType: 'application/x-www-form-urlencoded' });
    const retry = await sensor.send('POST', '/v1/publish', { body: form, contentType: 'application/x-www-form-urlencoded' });
    assert.deepEqual(first.json, { id: 'c-1', seq: 1 });
    assert.deepEqual(retry.json, { id: 'c-1', seq: 1 });
    const json = await sensor.send('POST', '/v1/publish', { body: { scope: 'house', stream: 'curl', value: 'json' } });
    assert.equal(json.json.seq, 2);
    const read = await display.send('GET', '/v1/messages?scope=house&stream=curl&limit=10&reset=true');
    assert.deepEqual(read.json.messages.map((m: any) => m.value), ['hello', 'json']);
    const acked = await display.send('GET', '/v1/messages?scope=house&stream=curl&after=2');
    assert.deepEqual(acked.json.messages, []);
    assert.equal(acked.json.cursor, 2);
  });

  it('Accept: text/plain gets the text answer (spec/PROTOCOL.md §6.3), signed, with the same content as JSON', async () => {
    await publish(sensor, 'text-form', ['one', 'two\nlines \\ é']);
    const request = (accept: string, nonceTag: string) =>
      display.send('POST', '/v1/sync', {
        headers: { accept },
        nonce: `text-form-${nonceTag}`,
        body: {
          publish: [
            { id: `t-${nonceTag}`, scope: 'house', stream: 'text-out', value: 'x' },
            { id: `bad-${nonceTag}`, scope: '$stratus', stream: 'x', value: 'y' },
          ],
          subscribe: [{ scope: 'house', stream: 'text-form', limit: 5 }],
          config: null,
        },
      });
    const text = await request('text/plain', 'a');
    assert.equal(text.status, 200);
    assert.equal(text.signatureValid, true);
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    const parsed = parseSyncText(text.text);
    const json = (await request('application/json', 'b')).json;
    assert.deepEqual(parsed.messages, json.messages);
    assert.deepEqual(parsed.cursors, json.cursors);
    assert.deepEqual(parsed.accepted, [{ id: 't-a', seq: 1 }]);
    assert.deepEqual(parsed.rejected.map((r) => [r.index, r.id, r.code]), [[1, 'bad-a', 'bad_request']]);
    assert.deepEqual(parsed.config, { etag: json.config.etag, text: formatConfigText(json.config.values) });
    assert.equal(formatSyncText(parsed), text.text);
  });

  it('Content-Type: text/plain takes the text request (spec/PROTOCOL.md §6.1): the same outcome as its JSON twin', async () => {
    await publish(sensor, 'text-in', ['first', 'second']);
    const twin = (tag: string) => ({
      publish: [
        { id: `ti-${tag}`, scope: 'house', stream: 'text-in-out', value: 'a value\nwith * and \\', ttl: 600 },
        { id: `ti-bad-${tag}`, scope: '$stratus', stream: 'x', value: 'y' },
        { stream: `mine-${tag}`, value: '' },
      ],
      subscribe: [{ scope: 'house', stream: 'text-in', reset: true, limit: 1 }],
      config: null,
    });
    const asText = await display.send('POST', '/v1/sync', { body: formatSyncRequestText(twin('t')), contentType: 'text/plain' });
    const asJson = await sensor.send('POST', '/v1/sync', { body: twin('j') });
    assert.equal(asText.status, 200);
    assert.deepEqual(
      asText.json.accepted.map((a: any) => a.id),
      ['ti-t', null],
    );
    assert.deepEqual(
      asText.json.rejected.map((r: any) => [r.index, r.code]),
      asJson.json.rejected.map((r: any) => [r.index, r.code]),
    );
    assert.deepEqual(asText.json.messages.map((m: any) => m.value), ['second']);
    assert.deepEqual(asText.json.config, asJson.json.config);
    const stored = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/home/messages?scope=house&stream=text-in-out');
    assert.deepEqual(stored.json.messages.map((m: any) => m.value), ['a value\nwith * and \\', 'a value\nwith * and \\']);

    const refused = await display.send('POST', '/v1/sync', { body: 'publish: a * t * v\nhello: there\n', contentType: 'text/plain' });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, 'bad_request');
    assert.match(refused.json.error.message, /line 2: unknown kind "hello"/);
    const none = await display.sync({ subscribe: [{ stream: 't', reset: true, limit: 10 }] });
    assert.deepEqual(none.json.messages, [], 'the refused request stored nothing');
  });
});
