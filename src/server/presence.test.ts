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
import { Presence } from './presence.js';
import { SystemEvents } from './system-events.js';

const T0 = 1_700_000_000;
const REFRESH = 10; // seconds: online while seen within 20

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
  function presenceAt(clock: { now: number }, target: Store = store) {
    const log = pino({ level: 'silent' });
    const events = new SystemEvents((input) => syncAndNotify(store, new LiveHub(), input), log, 60);
    const presence = new Presence(target, events, log, new Directory(store, 5000, 900_000, 1000));
    const recorded = async () =>
      (await store.readMessages({ appId: app.id, scope: SYSTEM_SCOPE, owner: '', stream: 'presence' }, 0, 1000, clock.now)).map(
        (m) => JSON.parse(m.value) as { device: string; online: boolean },
      );
    return { presence, recorded };
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

  it('stores the last check-in time, and an address only when it changed', async () => {
    const clock = { now: T0 + 2000 };
    const batches: CheckIn[][] = [];
    const recording = Object.create(store) as Store;
    recording.writePresence = (batch) => {
      batches.push([...batch]);
      return store.writePresence(batch);
    };
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
});
