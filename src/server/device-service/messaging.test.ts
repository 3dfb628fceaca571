// The device service's operations, driven with no socket (PROTOCOL §5, §6, §9, §10): grants,
// PRIVATE isolation, idempotent publish, acknowledged cursors, config ETags, stream and cursor
// quotas and live delivery, each answered as typed data or a StratusError.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StratusError, type DeliveredMessage, type ErrorCode } from '../../protocol/index.js';
import { ServiceHarness } from '../../../test/support/device-service.js';
import type { AppRecord } from '../../store/types.js';

const SECRET = 'messaging-secret-of-thirty-two-chars';

/** Resolves to the StratusError code the operation is refused with. */
async function refusedWith(operation: Promise<unknown> | (() => unknown)): Promise<ErrorCode> {
  try {
    await (typeof operation === 'function' ? operation() : operation);
  } catch (error) {
    assert.ok(error instanceof StratusError, String(error));
    return error.code;
  }
  assert.fail('expected a refusal');
}

describe('device service: messaging', () => {
  let h: ServiceHarness;
  let app: AppRecord;
  const device = (guid: string) => h.as('fleet', SECRET, guid);
  const values = (messages: { value: string }[]) => messages.map((m) => m.value);

  before(async () => {
    h = await ServiceHarness.start({ maxStreamsPerApp: 12, maxCursorsPerDevice: 3 });
    app = await h.createApp('fleet', SECRET);
  });
  after(() => h.close());

  it('publishes idempotently: an id stored already answers its first seq and stores nothing', async () => {
    const sensor = await device('sensor');
    const first = await h.devices.publish(sensor, { id: 'm-1', scope: 'home', stream: 'temp', value: '21.5' });
    const again = await h.devices.publish(sensor, { id: 'm-1', scope: 'home', stream: 'temp', value: 'a retry' });
    assert.deepEqual(again, first);
    const sync = await h.devices.sync(sensor, { publish: [{ id: 'm-1', scope: 'home', stream: 'temp', value: 'x' }, { scope: 'home', stream: 'temp', value: '22' }] });
    assert.deepEqual(sync.accepted, [{ id: 'm-1', seq: first.seq }, { id: null, seq: first.seq + 1 }]);
    const stored = await h.store.readMessages({ appId: app.id, scope: 'home', owner: '', stream: 'temp' }, 0, 10, h.now());
    assert.deepEqual(values(stored), ['21.5', '22']);
  });

  it('rejects bad publish items one by one with their code and index, and accepts the rest', async () => {
    const sensor = await device('sensor');
    const result = await h.devices.sync(sensor, {
      publish: [
        { id: 'ok-1', scope: 'home', stream: 'temp', value: '1' },
        { id: 'bad id!', scope: 'home', stream: 'temp', value: '2' },
        { scope: 'home', stream: 'temp', value: 'x'.repeat(70_000) },
        { id: 'ok-2', scope: 'home', stream: 'temp', value: '3', colour: 'red' },
      ],
    });
    assert.deepEqual(result.accepted.map((a) => a.id), ['ok-1']);
    assert.deepEqual(result.rejected.map((r) => [r.index, r.id, r.code]), [[1, 'bad id!', 'bad_request'], [2, null, 'too_large'], [3, 'ok-2', 'bad_request']]);
    assert.match(result.rejected[2]?.message ?? '', /^publish\[3\]: unknown field "colour"$/);
  });

  it('refuses a malformed sync as a whole: unknown field, wrong types, too many items, a stream twice', async () => {
    const sensor = await device('sensor');
    assert.equal(await refusedWith(h.devices.sync(sensor, [1])), 'bad_request');
    assert.equal(await refusedWith(h.devices.sync(sensor, { publsh: [] })), 'bad_request');
    assert.equal(await refusedWith(h.devices.sync(sensor, { config: 5 })), 'bad_request');
    assert.equal(await refusedWith(h.devices.sync(sensor, { subscribe: [{ scope: 'home', stream: 'bad stream' }] })), 'bad_request');
    assert.equal(await refusedWith(h.devices.sync(sensor, { subscribe: [{ stream: 's' }, { stream: 's' }] })), 'bad_request');
    assert.equal(await refusedWith(h.devices.sync(sensor, { publish: Array.from({ length: 1001 }, () => ({ stream: 's', value: 'v' })) })), 'too_large');
    assert.equal(await refusedWith(h.devices.sync(sensor, { subscribe: [{ scope: '$stratus', stream: 'access' }] })), 'bad_request');
  });

  it('starts a first subscription at the head, or limit messages back; moves the cursor only on after, never past the head', async () => {
    const writer = await device('writer');
    for (const v of ['1', '2', '3', '4']) await h.devices.publish(writer, { scope: 'feed', stream: 'f', value: v });
    const reader = await device('reader');
    const fresh = await h.devices.read(reader, { scope: 'feed', stream: 'f' });
    assert.deepEqual([fresh.cursor, fresh.head, fresh.messages], [4, 4, []]);
    const back = await h.devices.sync(reader, { subscribe: [{ scope: 'feed', stream: 'f', limit: 2, reset: true }] });
    assert.deepEqual([values(back.messages), back.cursors], [['3', '4'], [{ scope: 'feed', stream: 'f', cursor: 2, head: 4 }]]);
    const unacked = await h.devices.sync(reader, { subscribe: [{ scope: 'feed', stream: 'f', limit: 2 }] });
    assert.deepEqual(values(unacked.messages), ['3', '4'], 'nothing acknowledged: the same messages again');
    const acked = await h.devices.sync(reader, { subscribe: [{ scope: 'feed', stream: 'f', after: 3 }] });
    assert.deepEqual(values(acked.messages), ['4']);
    const past = await h.devices.read(reader, { scope: 'feed', stream: 'f', after: 99 });
    assert.deepEqual([past.cursor, past.messages], [4, []]);
    const delivered: DeliveredMessage = back.messages[0]!;
    assert.deepEqual(delivered, { scope: 'feed', stream: 'f', seq: 3, value: '3', from: 'writer', time: h.now() });
  });

  it('keeps PRIVATE streams to their device', async () => {
    const a = await device('private-a');
    const b = await device('private-b');
    await h.devices.publish(a, { stream: 'notes', value: 'mine' });
    const own = await h.devices.read(a, { stream: 'notes', limit: 10 });
    const other = await h.devices.read(b, { stream: 'notes', limit: 10 });
    assert.deepEqual([own.scope, values(own.messages)], ['PRIVATE', ['mine']]);
    assert.deepEqual(other.messages, []);
  });

  it('holds a device to its grants: publish-only and subscribe-only', async () => {
    await h.updateDevice(app, 'only-pub', { status: 'approved', grants: [{ action: 'publish', scope: 'home', stream: 'temp*' }] });
    await h.updateDevice(app, 'only-sub', { status: 'approved', grants: [{ action: 'subscribe', scope: '*', stream: '*' }] });
    const pub = await device('only-pub');
    const sub = await device('only-sub');
    assert.ok((await h.devices.publish(pub, { scope: 'home', stream: 'temp-1', value: 'v' })).seq > 0);
    assert.equal(await refusedWith(h.devices.publish(pub, { scope: 'home', stream: 'humidity', value: 'v' })), 'forbidden');
    assert.equal(await refusedWith(h.devices.sync(pub, { subscribe: [{ scope: 'home', stream: 'temp-1' }] })), 'forbidden');
    assert.equal(await refusedWith(() => h.devices.live(pub, [{ scope: 'home', stream: 'temp-1' }])), 'forbidden');
    const mixed = await h.devices.sync(sub, { publish: [{ id: 'p', scope: 'home', stream: 'temp-1', value: 'v' }], subscribe: [{ scope: 'home', stream: 'temp-1' }] });
    assert.deepEqual([mixed.accepted, mixed.rejected.map((r) => r.code), mixed.cursors.length], [[], ['forbidden'], 1]);
  });

  it('sends the config when the ETag held differs, always on null, never when left out; config() says when it is unchanged', async () => {
    await h.setConfig(app, { variable: '7' });
    const sensor = await device('sensor');
    const { view, unchanged } = await h.devices.config(sensor, undefined);
    assert.deepEqual([view.values, unchanged], [{ variable: '7' }, false]);
    assert.equal((await h.devices.config(sensor, view.etag)).unchanged, true);
    assert.equal((await h.devices.config(sensor, `W/${view.etag}, "other"`)).unchanged, true);
    assert.equal((await h.devices.sync(sensor, {})).config, null);
    assert.equal((await h.devices.sync(sensor, { config: view.etag })).config, null);
    assert.deepEqual((await h.devices.sync(sensor, { config: null })).config?.values, { variable: '7' });
    await h.setConfig(app, { variable: '8' });
    assert.deepEqual((await h.devices.sync(sensor, { config: view.etag })).config?.values, { variable: '8' });
    assert.equal((await h.devices.config(sensor, view.etag)).unchanged, false);
  });

  it('delivers live what is committed after the feed starts, and nothing after it stops', async () => {
    const listener = await device('listener');
    const writer = await device('writer');
    assert.equal(await refusedWith(() => h.devices.live(listener, [])), 'bad_request');
    assert.equal(await refusedWith(() => h.devices.live(listener, Array.from({ length: 101 }, (_, i) => ({ scope: 'live', stream: `s${i}` })))), 'too_large');
    await h.devices.publish(writer, { scope: 'live', stream: 'l', value: 'before' });
    const got: DeliveredMessage[] = [];
    const stop = h.devices.live(listener, [{ scope: 'live', stream: 'l' }]).start((m) => got.push(m));
    const { seq } = await h.devices.publish(writer, { scope: 'live', stream: 'l', value: 'during' });
    stop();
    await h.devices.publish(writer, { scope: 'live', stream: 'l', value: 'after' });
    assert.deepEqual(got, [{ scope: 'live', stream: 'l', seq, value: 'during', from: 'writer', time: h.now() }]);
  });

  it('refuses streams past the app quota (a publish item alone) and cursors past the device quota (the whole sync)', async () => {
    const streams = await h.store.streamCount(app.id);
    const filler = await device('filler');
    const room = 12 - streams;
    const publish = Array.from({ length: room + 1 }, (_, i) => ({ id: `q${i}`, scope: 'quota', stream: `s${i}`, value: 'v' }));
    const result = await h.devices.sync(filler, { publish });
    assert.deepEqual(result.rejected.map((r) => [r.index, r.code]), [[room, 'quota_exceeded']]);
    const follower = await device('follower');
    await h.devices.sync(follower, { subscribe: [{ scope: 'quota', stream: 's0' }, { scope: 'quota', stream: 's1' }, { scope: 'quota', stream: 's2' }] });
    assert.equal(await refusedWith(h.devices.read(follower, { scope: 'quota', stream: 's3' })), 'quota_exceeded');
    assert.equal((await h.devices.read(follower, { scope: 'quota', stream: 's0' })).head, 1, 'streams it follows already still answer');
  });
});
