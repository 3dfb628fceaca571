// Presence on a real SQLite store: online and offline events in `$stratus/presence`, driven by a
// clock the test moves. Offline devices are found by the second they are due, not by a scan.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { SYSTEM_SCOPE } from '../protocol/index.js';
import { SqliteStore } from '../store/sqlite/index.js';
import type { AppRecord, CheckIn, DeviceRecord, Store } from '../store/types.js';
import { syncAndNotify } from './messaging.js';
import { LiveHub } from './live-hub.js';
import { Directory } from './directory.js';
import { SLICE_CHUNK, SLICES, sliceOf } from './pending-check-ins.js';
import { Presence } from './presence.js';
import { SystemEvents } from './system-events.js';

const T0 = 1_700_000_000;
const REFRESH = 10; // seconds: online while seen within 20
const SLOW = 300; // the default refresh: repeat check-ins go to slices

describe('Presence', () => {
  let dir: string;
  let store: SqliteStore;
  let app: AppRecord;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-presence-'));
    store = new SqliteStore({ path: join(dir, 'stratus.db') });
    app = await store.insertApp({ name: 'fleet', policy: 'open', defaultTtlSeconds: 3600, maxTtlSeconds: 86_400, defaultGrants: [] }, 'a-secret-of-thirty-two-characters', T0);
  });

  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A presence service whose timer the test plays (tick) on a clock it sets; and the events it recorded. */
  function presenceAt(clock: { now: number }, target: Store = store, directory = new Directory(store, 5000, 900_000, 1000)) {
    const log = pino({ level: 'silent' });
    const events = new SystemEvents((input) => syncAndNotify(store, new LiveHub(), input), log, 60);
    const presence = new Presence(target, events, log, directory);
    const recorded = async () =>
      (await store.readMessages({ appId: app.id, scope: SYSTEM_SCOPE, owner: '', stream: 'presence' }, 0, 1000, clock.now)).map(
        (m) => JSON.parse(m.value) as { device: string; online: boolean },
      );
    return { presence, recorded };
  }

  /** The store, with each presence batch it is given kept in `batches`. */
  function recordingStore() {
    const batches: CheckIn[][] = [];
    const recording = Object.create(store) as Store;
    recording.writePresence = (batch) => {
      batches.push([...batch]);
      return store.writePresence(batch);
    };
    return { recording, batches };
  }

  it('records a device online, keeps it online while it checks in, and offline once it is silent', async () => {
    const clock = { now: T0 };
    const { presence, recorded } = presenceAt(clock);
    const devices: DeviceRecord[] = [];
    for (const guid of ['quiet', 'chatty']) devices.push(await store.insertDevice({ appId: app.id, guid, status: 'approved', now: T0, address: null }));
    const [quiet, chatty] = devices as [DeviceRecord, DeviceRecord];
    presence.checkIn(app, quiet, null, '10.0.0.1', clock.now, REFRESH);
    presence.checkIn(app, chatty, null, '10.0.0.2', clock.now, REFRESH);
    for (let t = 1; t <= 30; t++) {
      clock.now = T0 + t;
      if (t % 5 === 0) presence.checkIn(app, chatty, chatty.lastSeen, '10.0.0.2', clock.now, REFRESH);
      await presence.tick(clock.now);
      if (t === 19) assert.deepEqual((await recorded()).filter((e) => !e.online), [], 'nobody offline within two refresh intervals');
    }
    await presence.stop();
    const events = (await recorded()).map((e) => `${e.device} ${e.online ? 'online' : 'offline'}`);
    assert.deepEqual(events, ['quiet online', 'chatty online', 'quiet offline']);
  });

  it('forgets a deleted device: no offline event for it later', async () => {
    const clock = { now: T0 + 1000 };
    const { presence, recorded } = presenceAt(clock);
    const gone = await store.insertDevice({ appId: app.id, guid: 'deleted', status: 'approved', now: clock.now, address: null });
    presence.checkIn(app, gone, null, null, clock.now, REFRESH);
    presence.forget(gone.id);
    clock.now += 3 * REFRESH;
    await presence.tick(clock.now);
    await presence.stop();
    assert.deepEqual((await recorded()).filter((e) => e.device === 'deleted').map((e) => e.online), [true]);
  });

  it('writes an address only when it changed for a device read from the cache (whose record carries no address)', async () => {
    const clock = { now: T0 + 2500 };
    const { recording, batches } = recordingStore();
    const directory = new Directory(store, 5000, 900_000, 1000);
    const { presence } = presenceAt(clock, recording, directory);
    await store.insertDevice({ appId: app.id, guid: 'cached', status: 'approved', now: clock.now, address: '10.0.0.1' });
    await directory.device(app.id, 'cached'); // the first request reads it from the store into the cache
    for (const address of ['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.2']) {
      clock.now += 1;
      const device = directory.peekDevice(app.id, 'cached') as DeviceRecord; // as each request finds it
      assert.equal(device.lastAddress, null, 'a cached record carries no address');
      presence.checkIn(app, device, device.lastSeen, address, clock.now, REFRESH);
      await presence.tick(clock.now);
    }
    await presence.stop();
    assert.deepEqual(
      batches.map((b) => b.map((c) => c.address)),
      [[null], [null], ['10.0.0.2'], [null]],
    );
    assert.equal((await store.getDevice(app.id, 'cached'))?.lastAddress, '10.0.0.2');
  });

  it('stores the last check-in time, and an address only when it changed', async () => {
    const clock = { now: T0 + 2000 };
    const { recording, batches } = recordingStore();
    const { presence } = presenceAt(clock, recording);
    const device = await store.insertDevice({ appId: app.id, guid: 'roaming', status: 'approved', now: clock.now, address: '10.0.0.1' });
    const checkIn = async (address: string | null) => {
      clock.now += 1;
      presence.checkIn(app, device, device.lastSeen, address, clock.now, REFRESH);
      await presence.tick(clock.now);
    };
    await checkIn('10.0.0.1');
    await checkIn('10.0.0.9');
    presence.checkIn(app, device, device.lastSeen, '10.0.0.9', clock.now, REFRESH); // the same address again within a flush
    await checkIn(null);
    await presence.stop();
    assert.deepEqual(
      batches.map((b) => b.map((c) => c.address)),
      [[null], ['10.0.0.9'], [null]],
    );
    const stored = await store.getDevice(app.id, 'roaming');
    assert.equal(stored?.lastSeen, clock.now);
    assert.equal(stored?.lastAddress, '10.0.0.9');
  });

  /** A store that keeps the batches it is given (and writes nothing): devices of any id. */
  function batchesOf(presenceStore: { writePresence: Store['writePresence'] }) {
    const batches: CheckIn[][] = [];
    const fail: { next: (() => void) | null } = { next: null };
    presenceStore.writePresence = async (batch) => {
      const failing = fail.next;
      fail.next = null;
      if (failing) {
        failing();
        throw new Error('disk full');
      }
      batches.push([...batch]);
    };
    return { batches, fail };
  }

  function fakeDevice(id: number): DeviceRecord {
    return { id, appId: app.id, guid: `d-${id}`, status: 'approved', grants: null, firstSeen: T0, lastSeen: T0, lastAddress: '10.0.0.1' };
  }

  it('writes the repeat check-ins of devices held online one device-id slice a tick, each within SLICES ticks', async () => {
    const clock = { now: T0 };
    const target = Object.create(store) as Store;
    const { batches } = batchesOf(target);
    const { presence } = presenceAt(clock, target);
    // two devices in each slice (a chunk apart by SLICES chunks), and a neighbour of the first
    const devices = [1, 2, ...Array.from({ length: 2 * SLICES - 1 }, (_, k) => (k + 1) * SLICE_CHUNK + 7)].map(fakeDevice);
    for (const d of devices) presence.checkIn(app, d, d.lastSeen, '10.0.0.1', clock.now, SLOW);
    await presence.tick(clock.now); // news: all of them, and slice 0 (empty)
    assert.deepEqual(batches.splice(0).map((b) => b.length), [devices.length]);

    clock.now += 1;
    for (const d of devices) presence.checkIn(app, d, d.lastSeen, '10.0.0.1', clock.now, SLOW);
    for (let i = 0; i < SLICES; i++) await presence.tick(clock.now + i);
    const expected = Array.from({ length: SLICES }, (_, i) =>
      devices.filter((d) => sliceOf(d.id) === (i + 1) % SLICES).map((d) => ({ deviceId: d.id, time: T0 + 1, address: null })),
    ).filter((b) => b.length > 0);
    assert.deepEqual(batches, expected);
    assert.equal(expected.flat().length, devices.length, 'every repeat check-in written within SLICES ticks');
    assert.ok(expected.every((b) => b.length <= 3), 'a batch holds one slice only');
  });

  it('writes news on the next tick: a device new here, a new address, a device late in its window; flush writes the rest', async () => {
    const clock = { now: T0 };
    const target = Object.create(store) as Store;
    const { batches } = batchesOf(target);
    const { presence } = presenceAt(clock, target);
    const [steady, roaming, late, newcomer] = [3, 4, 5, 2 * SLICE_CHUNK].map(fakeDevice) as [DeviceRecord, DeviceRecord, DeviceRecord, DeviceRecord];
    for (const d of [steady, roaming, late]) presence.checkIn(app, d, d.lastSeen, '10.0.0.1', clock.now, SLOW);
    await presence.tick(clock.now);
    batches.splice(0);
    clock.now = T0 + 2 * SLOW - SLICES; // late's last chance: its window closes before a slice is sure to be written
    presence.checkIn(app, late, late.lastSeen, '10.0.0.1', clock.now, SLOW);
    clock.now = T0 + 100;
    presence.checkIn(app, steady, steady.lastSeen, '10.0.0.1', clock.now, SLOW);
    presence.checkIn(app, roaming, roaming.lastSeen, '10.0.0.9', clock.now, SLOW);
    presence.checkIn(app, roaming, roaming.lastSeen, '10.0.0.9', clock.now + 1, SLOW); // the same address again before the tick
    presence.checkIn(app, newcomer, null, '10.0.0.7', clock.now, SLOW);
    await presence.tick(clock.now + 1); // slice 1: none of them
    assert.deepEqual(batches.splice(0), [
      [
        { deviceId: roaming.id, time: T0 + 101, address: '10.0.0.9' },
        { deviceId: late.id, time: T0 + 2 * SLOW - SLICES, address: null },
        { deviceId: newcomer.id, time: T0 + 100, address: '10.0.0.7' },
      ],
    ]);
    assert.equal(presence.pendingSeen(steady.id), T0 + 100);
    await presence.flush();
    assert.deepEqual(batches, [[{ deviceId: steady.id, time: T0 + 100, address: null }]]);
    assert.equal(presence.pendingSeen(steady.id), 0);
  });

  it('retries a failed write on the next tick, keeping an address that a later check-in did not repeat', async () => {
    const clock = { now: T0 };
    const target = Object.create(store) as Store;
    const { batches, fail } = batchesOf(target);
    const { presence } = presenceAt(clock, target);
    const [moving, steady] = [6, 7].map(fakeDevice) as [DeviceRecord, DeviceRecord];
    for (const d of [moving, steady]) presence.checkIn(app, d, d.lastSeen, '10.0.0.1', clock.now, SLOW);
    await presence.tick(clock.now);
    batches.splice(0);
    clock.now += 1;
    presence.checkIn(app, moving, moving.lastSeen, '10.0.0.5', clock.now, SLOW);
    presence.checkIn(app, steady, steady.lastSeen, '10.0.0.1', clock.now, SLOW);
    // the device checks in again while the write that carries its new address fails
    fail.next = () => presence.checkIn(app, moving, moving.lastSeen, '10.0.0.5', clock.now + 1, SLOW);
    await presence.flush();
    assert.deepEqual(batches, []);
    await presence.tick(clock.now + 2);
    assert.deepEqual(batches, [
      [
        { deviceId: moving.id, time: clock.now + 1, address: '10.0.0.5' },
        { deviceId: steady.id, time: clock.now, address: null },
      ],
    ]);
  });

  it('does not report a device offline that another node saw within the last SLICES seconds of the window', async () => {
    const clock = { now: T0 + 5000 };
    const a = presenceAt(clock);
    const b = presenceAt(clock);
    const inserted = await store.insertDevice({ appId: app.id, guid: 'hopping', status: 'approved', now: clock.now, address: '10.0.0.1' });
    const onA = { ...inserted };
    const onB = { ...inserted };
    const t0 = clock.now;
    b.presence.checkIn(app, onB, null, '10.0.0.1', t0, SLOW); // B holds it online
    await b.presence.tick(t0);
    a.presence.checkIn(app, onA, onA.lastSeen, '10.0.0.1', t0 + 10, SLOW); // a visit to A
    await a.presence.tick(t0 + 10);
    // back on B, which still holds it, late in A's window: B must not keep this time for a slice
    b.presence.checkIn(app, onB, onB.lastSeen, '10.0.0.1', t0 + 2 * SLOW - 5, SLOW);
    await b.presence.tick(t0 + 2 * SLOW - 4);
    clock.now = t0 + 10 + 2 * SLOW;
    await a.presence.tick(clock.now); // A's window for it closes
    await a.presence.stop();
    await b.presence.stop();
    assert.deepEqual((await a.recorded()).filter((e) => e.device === 'hopping').map((e) => e.online), [true]);
  });
});
