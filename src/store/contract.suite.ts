// The storage contract (src/store/types.ts), as one suite every Store implementation runs (STYLE §5,
// like Aedes' persistence suite and Hono's common router cases). Only the Store interface is used, so
// the PostgreSQL store can run it unchanged. Times are unix seconds; PROTOCOL §6 for messaging.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import { StratusError, type ErrorCode, type Grant } from '../protocol/index.js';
import type {
  AppRecord,
  DeviceRecord,
  NewApp,
  NewMessage,
  PublishOutcome,
  Store,
  StoredMessage,
  StreamInfo,
  StreamRef,
  SubscriptionOutcome,
  SubscriptionRequest,
} from './types.js';

const T0 = 1_732_300_000;
const secretNames = async (store: Store, appId: number, now: number) => (await store.activeSecrets(appId, now)).map((s) => s.secret);
const DAY = 86_400;
const FAR = T0 + 365 * DAY;
const EVERYTHING: Grant[] = [
  { action: 'publish', scope: '*', stream: '*' },
  { action: 'subscribe', scope: '*', stream: '*' },
];

const newApp = (name: string): NewApp => ({
  name,
  policy: 'open',
  defaultTtlSeconds: 3600,
  maxTtlSeconds: DAY,
  defaultGrants: EVERYTHING,
});

const shared = (appId: number, scope: string, stream: string): StreamRef => ({ appId, scope, owner: '', stream });
const privateOf = (appId: number, guid: string, stream: string): StreamRef => ({ appId, scope: 'PRIVATE', owner: guid, stream });

interface MessageOptions {
  writer?: string;
  clientId?: string | null;
  time?: number;
  expiresAt?: number;
}

const message = (ref: StreamRef, value: string, o: MessageOptions = {}): NewMessage => ({
  ...ref,
  clientId: o.clientId ?? null,
  writer: o.writer ?? 'writer-1',
  value,
  time: o.time ?? T0,
  expiresAt: o.expiresAt ?? FAR,
});

/** What a stored message reads back as. */
const stored = (seq: number, value: string, o: MessageOptions = {}): StoredMessage => ({
  seq,
  value,
  writer: o.writer ?? 'writer-1',
  time: o.time ?? T0,
  expiresAt: o.expiresAt ?? FAR,
});

interface SubscribeOptions {
  after?: number | null;
  limit?: number | null;
  reset?: boolean;
  pageSize?: number;
}

const subscription = (ref: StreamRef, o: SubscribeOptions = {}): SubscriptionRequest => ({
  ...ref,
  after: o.after ?? null,
  limit: o.limit ?? null,
  reset: o.reset ?? false,
  pageSize: o.pageSize ?? 100,
});

const rejectsWith = (code: ErrorCode) => (error: unknown) => error instanceof StratusError && error.code === code;
const byGuid = (devices: DeviceRecord[]): string[] => devices.map((d) => d.guid).sort();
const streamKey = (s: StreamInfo): string => `${s.scope}\u0000${s.owner}\u0000${s.stream}`;
const sortStreams = (list: StreamInfo[]): StreamInfo[] => [...list].sort((a, b) => (streamKey(a) < streamKey(b) ? -1 : 1));

/**
 * Registers the contract tests for one Store implementation. `open` gives a fresh, empty store for
 * each test; the suite closes it.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let app: AppRecord;

    beforeEach(async () => {
      store = await open();
      app = await store.insertApp(newApp('greenhouse'), 'secret-1', T0);
    });
    afterEach(async () => {
      await store.close();
    });

    const device = (guid: string, o: Partial<{ appId: number; status: DeviceRecord['status']; now: number; address: string | null }> = {}) =>
      store.insertDevice({ appId: o.appId ?? app.id, guid, status: o.status ?? 'approved', now: o.now ?? T0, address: o.address ?? null });

    async function publish(deviceId: number, now: number, ...messages: NewMessage[]): Promise<PublishOutcome[]> {
      const result = await store.sync({ deviceId, now, publish: messages, subscribe: [] });
      assert.deepEqual(result.subscriptions, []);
      return result.published;
    }

    async function subscribe(deviceId: number, now: number, request: SubscriptionRequest): Promise<SubscriptionOutcome> {
      const result = await store.sync({ deviceId, now, publish: [], subscribe: [request] });
      assert.deepEqual(result.published, []);
      assert.equal(result.subscriptions.length, 1);
      return result.subscriptions[0] as SubscriptionOutcome;
    }

    /** Publishes `count` messages "v1".."vN" to a stream. */
    async function fill(deviceId: number, ref: StreamRef, count: number, o: MessageOptions = {}): Promise<void> {
      const values = Array.from({ length: count }, (_, i) => message(ref, `v${i + 1}`, o));
      await publish(deviceId, T0, ...values);
    }

    describe('admin tokens', () => {
      it('stores token hashes and counts them', async () => {
        assert.equal(await store.countAdminTokens(), 0);
        await store.insertAdminToken('a'.repeat(64), 'first', T0);
        await store.insertAdminToken('b'.repeat(64), 'second', T0);
        assert.equal(await store.countAdminTokens(), 2);
        assert.equal(await store.hasAdminToken('a'.repeat(64)), true);
        assert.equal(await store.hasAdminToken('c'.repeat(64)), false);
      });
    });

    describe('apps', () => {
      it('insertApp returns the record; getApp and listApps read it back', async () => {
        assert.deepEqual(app, { ...newApp('greenhouse'), id: app.id, createdAt: T0 });
        assert.equal(typeof app.id, 'number');
        assert.deepEqual(await store.getApp('greenhouse'), app);
        assert.equal(await store.getApp('nursery'), null);
        const other = await store.insertApp({ ...newApp('aviary'), policy: 'approval', defaultGrants: [] }, 's', T0 + 5);
        assert.deepEqual(other, { ...newApp('aviary'), policy: 'approval', defaultGrants: [], id: other.id, createdAt: T0 + 5 });
        assert.notEqual(other.id, app.id);
        const all = await store.listApps();
        assert.deepEqual([...all].sort((a, b) => a.id - b.id), [app, other].sort((a, b) => a.id - b.id));
      });

      it('insertApp of a taken name rejects with conflict and changes nothing', async () => {
        await assert.rejects(store.insertApp({ ...newApp('greenhouse'), policy: 'closed' }, 'secret-2', T0 + 1), rejectsWith('conflict'));
        assert.deepEqual(await store.listApps(), [app]);
        assert.deepEqual(await secretNames(store, app.id, T0 + 1), ['secret-1']);
      });

      it('updateApp changes only the fields given and returns the record', async () => {
        const grants: Grant[] = [{ action: 'publish', scope: 'home', stream: 'temp*' }];
        const updated = await store.updateApp(app.id, { policy: 'closed', defaultGrants: grants });
        const expected = { ...app, policy: 'closed', defaultGrants: grants };
        assert.deepEqual(updated, expected);
        assert.deepEqual(await store.getApp('greenhouse'), expected);
        const ttl = await store.updateApp(app.id, { defaultTtlSeconds: 60, maxTtlSeconds: 120 });
        assert.deepEqual(ttl, { ...expected, defaultTtlSeconds: 60, maxTtlSeconds: 120 });
      });

      it('updateApp keeps a field that is present but undefined', async () => {
        const updated = await store.updateApp(app.id, { policy: undefined, maxTtlSeconds: 7200 });
        assert.deepEqual(updated, { ...app, maxTtlSeconds: 7200 });
        assert.deepEqual(await store.getApp('greenhouse'), { ...app, maxTtlSeconds: 7200 });
      });

      it('updateApp of an unknown app rejects with not_found', async () => {
        await assert.rejects(store.updateApp(app.id + 1000, { policy: 'closed' }), rejectsWith('not_found'));
      });
    });

    describe('secrets and rotation', () => {
      it('a new app has its first secret, valid with no end', async () => {
        assert.deepEqual(await secretNames(store, app.id, T0), ['secret-1']);
        assert.deepEqual(await secretNames(store, app.id, FAR), ['secret-1']);
      });

      it('rotation adds a secret (newest first) and the old one expires at othersExpireAt', async () => {
        await store.rotateSecret(app.id, 'secret-2', T0 + 100, T0 + 200);
        assert.deepEqual(await secretNames(store, app.id, T0 + 100), ['secret-2', 'secret-1']);
        assert.deepEqual(await secretNames(store, app.id, T0 + 199), ['secret-2', 'secret-1']);
        assert.deepEqual(await secretNames(store, app.id, T0 + 200), ['secret-2']);
        assert.deepEqual(await secretNames(store, app.id, FAR), ['secret-2']);
        assert.deepEqual(await store.activeSecrets(app.id, T0 + 100), [
          { secret: 'secret-2', expiresAt: null },
          { secret: 'secret-1', expiresAt: T0 + 200 },
        ]);
      });

      it('a second rotation inside the overlap never extends an older expiry', async () => {
        await store.rotateSecret(app.id, 'secret-2', T0 + 100, T0 + 200);
        await store.rotateSecret(app.id, 'secret-3', T0 + 150, T0 + 400);
        assert.deepEqual(await secretNames(store, app.id, T0 + 150), ['secret-3', 'secret-2', 'secret-1']);
        assert.deepEqual(await secretNames(store, app.id, T0 + 300), ['secret-3', 'secret-2']);
        assert.deepEqual(await secretNames(store, app.id, T0 + 400), ['secret-3']);
      });

      it('a rotation without overlap ends the old secrets at once', async () => {
        await store.rotateSecret(app.id, 'secret-2', T0 + 100, T0 + 100);
        assert.deepEqual(await secretNames(store, app.id, T0 + 100), ['secret-2']);
      });

      it("a rotation touches only its own app's secrets", async () => {
        const other = await store.insertApp(newApp('aviary'), 'other-1', T0);
        await store.rotateSecret(app.id, 'secret-2', T0 + 100, T0 + 100);
        assert.deepEqual(await secretNames(store, other.id, T0 + 500), ['other-1']);
      });
    });

    describe('devices', () => {
      it('deviceCounts counts the devices of an app and those pending, not those of another app', async () => {
        assert.deepEqual(await store.deviceCounts(app.id), { total: 0, pending: 0 });
        await device('p-1', { status: 'pending' });
        await device('p-2', { status: 'pending' });
        await device('a-1', { status: 'approved' });
        await device('x-1', { status: 'denied' });
        assert.deepEqual(await store.deviceCounts(app.id), { total: 4, pending: 2 });
        assert.deepEqual(await store.deviceCounts(app.id + 1000), { total: 0, pending: 0 });
      });

      it('insertDevice returns the new record; getDevice reads it back', async () => {
        const d = await device('a4cf12fe0b11', { status: 'pending', now: T0 + 7, address: '10.0.0.7' });
        assert.deepEqual(d, {
          id: d.id,
          appId: app.id,
          guid: 'a4cf12fe0b11',
          status: 'pending',
          grants: null,
          firstSeen: T0 + 7,
          lastSeen: T0 + 7,
          lastAddress: '10.0.0.7',
        });
        assert.deepEqual(await store.getDevice(app.id, 'a4cf12fe0b11'), d);
        assert.equal(await store.getDevice(app.id, 'b8d61a000000'), null);
        assert.deepEqual(await store.getDeviceById(d.id), d);
        assert.equal(await store.getDeviceById(d.id + 1000), null);
      });

      it('insertDevice of a GUID already there returns the existing record unchanged', async () => {
        const first = await device('a4cf12fe0b11', { status: 'approved', now: T0, address: '10.0.0.1' });
        const again = await device('a4cf12fe0b11', { status: 'pending', now: T0 + 50, address: '10.0.0.2' });
        assert.deepEqual(again, first);
        assert.equal((await store.stats()).devices, 1);
      });

      it('concurrent first requests of one GUID get one device', async () => {
        const all = await Promise.all(Array.from({ length: 8 }, () => device('a4cf12fe0b11')));
        assert.equal(new Set(all.map((d) => d.id)).size, 1);
        assert.equal((await store.stats()).devices, 1);
      });

      it('the same GUID in two apps is two devices', async () => {
        const other = await store.insertApp(newApp('aviary'), 's', T0);
        const a = await device('a4cf12fe0b11');
        const b = await device('a4cf12fe0b11', { appId: other.id });
        assert.notEqual(a.id, b.id);
        assert.deepEqual(await store.getDevice(other.id, 'a4cf12fe0b11'), b);
      });

      it('updateDevice sets status and grants, and grants back to null; unknown id gives null', async () => {
        const d = await device('a4cf12fe0b11', { status: 'pending' });
        const grants: Grant[] = [{ action: 'subscribe', scope: 'home', stream: 'cmd' }];
        assert.deepEqual(await store.updateDevice(d.id, { status: 'approved' }), { ...d, status: 'approved' });
        assert.deepEqual(await store.updateDevice(d.id, { grants }), { ...d, status: 'approved', grants });
        assert.deepEqual(await store.updateDevice(d.id, { grants: [] }), { ...d, status: 'approved', grants: [] });
        assert.deepEqual(await store.updateDevice(d.id, { status: 'denied', grants: null }), { ...d, status: 'denied' });
        assert.deepEqual(await store.getDevice(app.id, d.guid), { ...d, status: 'denied' });
        assert.equal(await store.updateDevice(d.id + 1000, { status: 'approved' }), null);
      });

      it('listDevices filters by status, GUID substring, seen since/before, and pages', async () => {
        const other = await store.insertApp(newApp('aviary'), 's', T0);
        await device('sensor-01', { status: 'approved', now: T0 + 10 });
        await device('sensor-02', { status: 'pending', now: T0 + 20 });
        await device('display-01', { status: 'denied', now: T0 + 30 });
        await device('sensor-03', { status: 'approved', now: T0 + 40 });
        await device('sensor-99', { appId: other.id, now: T0 + 20 });
        const list = async (f: Partial<Parameters<Store['listDevices']>[1]>) =>
          byGuid(await store.listDevices(app.id, { limit: 100, offset: 0, ...f }));

        assert.deepEqual(await list({}), ['display-01', 'sensor-01', 'sensor-02', 'sensor-03']);
        assert.deepEqual(await list({ status: 'approved' }), ['sensor-01', 'sensor-03']);
        assert.deepEqual(await list({ status: 'pending' }), ['sensor-02']);
        assert.deepEqual(await list({ search: 'sensor' }), ['sensor-01', 'sensor-02', 'sensor-03']);
        assert.deepEqual(await list({ search: '-0' }), ['display-01', 'sensor-01', 'sensor-02', 'sensor-03']);
        assert.deepEqual(await list({ search: 'nothing' }), []);
        assert.deepEqual(await list({ seenSince: T0 + 20 }), ['display-01', 'sensor-02', 'sensor-03']);
        assert.deepEqual(await list({ seenBefore: T0 + 20 }), ['sensor-01']);
        assert.deepEqual(await list({ seenSince: T0 + 20, seenBefore: T0 + 40 }), ['display-01', 'sensor-02']);
        assert.deepEqual(await list({ status: 'approved', search: '03' }), ['sensor-03']);
        assert.deepEqual(byGuid(await store.listDevices(other.id, { limit: 100, offset: 0 })), ['sensor-99']);

        const pages = [];
        for (let offset = 0; offset < 6; offset += 2) pages.push(await store.listDevices(app.id, { limit: 2, offset }));
        assert.deepEqual(pages.map((p) => p.length), [2, 2, 0]);
        assert.deepEqual(byGuid(pages.flat()), ['display-01', 'sensor-01', 'sensor-02', 'sensor-03']);
        const full = await store.listDevices(app.id, { limit: 100, offset: 0 });
        assert.deepEqual(full.find((d) => d.guid === 'sensor-02'), await store.getDevice(app.id, 'sensor-02'));
      });

      it('writePresence moves lastSeen and lastAddress, keeps firstSeen, and a null address keeps the old one', async () => {
        const a = await device('a', { now: T0, address: '10.0.0.1' });
        const b = await device('b', { now: T0, address: '10.0.0.2' });
        await store.writePresence([
          { deviceId: a.id, time: T0 + 50, address: '10.0.0.9' },
          { deviceId: b.id, time: T0 + 60, address: null },
        ]);
        assert.deepEqual(await store.getDevice(app.id, 'a'), { ...a, lastSeen: T0 + 50, lastAddress: '10.0.0.9' });
        assert.deepEqual(await store.getDevice(app.id, 'b'), { ...b, lastSeen: T0 + 60 });
      });

      it('writePresence: a later entry for the same device wins; an empty batch changes nothing', async () => {
        const a = await device('a', { now: T0, address: '10.0.0.1' });
        await store.writePresence([
          { deviceId: a.id, time: T0 + 70, address: '10.0.0.7' },
          { deviceId: a.id, time: T0 + 80, address: '10.0.0.8' },
        ]);
        await store.writePresence([]);
        assert.deepEqual(await store.getDevice(app.id, 'a'), { ...a, lastSeen: T0 + 80, lastAddress: '10.0.0.8' });
      });
    });

    describe('config', () => {
      it('changeConfig sets app-wide and per-device entries; configEntries lists them all', async () => {
        const d = await device('a4cf12fe0b11');
        await store.changeConfig({ appId: app.id, deviceId: null, set: { debug: '0', 'refresh interval': '300' }, unset: [], now: T0, actor: 'alice' });
        await store.changeConfig({ appId: app.id, deviceId: d.id, set: { debug: '1' }, unset: [], now: T0 + 1, actor: 'bob' });
        const entries = await store.configEntries(app.id);
        const sorted = [...entries].sort((x, y) => (x.deviceId ?? 0) - (y.deviceId ?? 0) || (x.key < y.key ? -1 : 1));
        assert.deepEqual(sorted, [
          { deviceId: null, key: 'debug', value: '0', updatedAt: T0 },
          { deviceId: null, key: 'refresh interval', value: '300', updatedAt: T0 },
          { deviceId: d.id, key: 'debug', value: '1', updatedAt: T0 + 1 },
        ]);
        const other = await store.insertApp(newApp('aviary'), 's', T0);
        assert.deepEqual(await store.configEntries(other.id), []);
      });

      it('changeConfig overwrites, unsets, and keeps any value byte for byte', async () => {
        const value = 'line 1\nline 2\r\\ é 🌱 : x';
        await store.changeConfig({ appId: app.id, deviceId: null, set: { a: '1', b: '2' }, unset: [], now: T0, actor: 'alice' });
        await store.changeConfig({ appId: app.id, deviceId: null, set: { a: value }, unset: ['b', 'never-set'], now: T0 + 5, actor: 'alice' });
        assert.deepEqual(await store.configEntries(app.id), [{ deviceId: null, key: 'a', value, updatedAt: T0 + 5 }]);
      });

      it('configHistory records every set and effective unset, newest first, by device or for the whole app', async () => {
        const d = await device('a4cf12fe0b11');
        const change = (deviceId: number | null, set: Record<string, string>, unset: string[], now: number, actor: string) =>
          store.changeConfig({ appId: app.id, deviceId, set, unset, now, actor });
        await change(null, { a: '1' }, [], T0, 'alice');
        await change(d.id, { a: 'x' }, [], T0 + 1, 'bob');
        await change(null, { a: '2' }, [], T0 + 2, 'alice');
        await change(null, {}, ['a'], T0 + 3, 'carol');
        await change(null, {}, ['never-set'], T0 + 4, 'carol');
        assert.deepEqual(await store.configHistory(app.id, null, 10), [
          { device: null, key: 'a', value: null, time: T0 + 3, actor: 'carol' },
          { device: null, key: 'a', value: '2', time: T0 + 2, actor: 'alice' },
          { device: 'a4cf12fe0b11', key: 'a', value: 'x', time: T0 + 1, actor: 'bob' },
          { device: null, key: 'a', value: '1', time: T0, actor: 'alice' },
        ]);
        assert.deepEqual(await store.configHistory(app.id, d.id, 10), [
          { device: 'a4cf12fe0b11', key: 'a', value: 'x', time: T0 + 1, actor: 'bob' },
        ]);
        assert.deepEqual(await store.configHistory(app.id, null, 2), [
          { device: null, key: 'a', value: null, time: T0 + 3, actor: 'carol' },
          { device: null, key: 'a', value: '2', time: T0 + 2, actor: 'alice' },
        ]);
        const other = await store.insertApp(newApp('aviary'), 's', T0);
        assert.deepEqual(await store.configHistory(other.id, null, 10), []);
      });

      it('one change of several keys records one history entry per key', async () => {
        await store.changeConfig({ appId: app.id, deviceId: null, set: { a: '1', b: '2' }, unset: [], now: T0, actor: 'alice' });
        await store.changeConfig({ appId: app.id, deviceId: null, set: { c: '3' }, unset: ['a'], now: T0 + 1, actor: 'alice' });
        const history = await store.configHistory(app.id, null, 10);
        const key = (h: { key: string; value: string | null }) => `${h.key}=${h.value}`;
        assert.deepEqual(history.slice(0, 2).map(key).sort(), ['a=null', 'c=3']);
        assert.deepEqual(history.slice(2).map(key).sort(), ['a=1', 'b=2']);
      });
    });

    describe('config prepared for a GUID not seen yet', () => {
      const preset = (guid: string, set: Record<string, string>, unset: string[], now: number, appId = app.id) =>
        store.changePresetConfig({ appId, guid, set, unset, now, actor: 'alice' });

      it('is kept by GUID and app, creates no device and counts nowhere', async () => {
        assert.equal(await preset('new-board', { debug: '2', mode: 'eco' }, [], T0), true);
        assert.equal(await preset('new-board', { debug: '3' }, ['mode', 'never-set'], T0 + 1), true);
        assert.deepEqual(await store.presetConfig(app.id, 'new-board'), [{ key: 'debug', value: '3', updatedAt: T0 + 1 }]);
        assert.deepEqual(await store.presetConfig(app.id, 'other-board'), []);
        const other = await store.insertApp(newApp('aviary'), 's', T0);
        assert.deepEqual(await store.presetConfig(other.id, 'new-board'), []);
        assert.equal(await store.getDevice(app.id, 'new-board'), null);
        assert.deepEqual(await store.listDevices(app.id, { limit: 10, offset: 0 }), []);
        assert.deepEqual(await store.deviceCounts(app.id), { total: 0, pending: 0 });
        assert.deepEqual(await store.configEntries(app.id), []);
        assert.deepEqual(await store.configHistory(app.id, null, 10), []);
        assert.equal((await store.stats()).devices, 0);
      });

      it("the device's insert takes it over as its overrides, with the changes in its history", async () => {
        await preset('new-board', { debug: '2', mode: 'eco' }, [], T0 + 1);
        const d = await device('new-board', { status: 'pending', now: T0 + 9 });
        assert.equal(d.presetApplied, true);
        assert.equal(d.status, 'pending');
        assert.deepEqual(await store.configEntries(app.id), [
          { deviceId: d.id, key: 'debug', value: '2', updatedAt: T0 + 1 },
          { deviceId: d.id, key: 'mode', value: 'eco', updatedAt: T0 + 1 },
        ]);
        assert.deepEqual((await store.configHistory(app.id, d.id, 10)).map((h) => `${h.device}:${h.key}=${h.value}@${h.time}/${h.actor}`).sort(), [
          `new-board:debug=2@${T0 + 1}/alice`,
          `new-board:mode=eco@${T0 + 1}/alice`,
        ]);
        assert.deepEqual(await store.presetConfig(app.id, 'new-board'), []);
        const again = await device('new-board');
        assert.equal(again.presetApplied, undefined);
        assert.equal((await device('plain-board')).presetApplied, undefined);
      });

      it('is refused for a GUID that is a device already, writing nothing', async () => {
        await device('known-board');
        assert.equal(await preset('known-board', { debug: '2' }, [], T0), false);
        assert.deepEqual(await store.presetConfig(app.id, 'known-board'), []);
        assert.deepEqual(await store.configEntries(app.id), []);
      });

      it('concurrent presets and first requests of one GUID lose nothing', async () => {
        const outcomes = await Promise.all([
          preset('racer', { a: '1' }, [], T0),
          device('racer'),
          preset('racer', { b: '2' }, [], T0),
        ]);
        const d = outcomes[1] as DeviceRecord;
        const refused = [outcomes[0], outcomes[2]].filter((o) => o === false).length;
        const entries = (await store.configEntries(app.id)).filter((e) => e.deviceId === d.id).map((e) => e.key);
        // every accepted preset reached the device; a refused one reached nothing
        assert.equal(entries.length + refused, 2);
        assert.deepEqual(await store.presetConfig(app.id, 'racer'), []);
      });
    });

    describe('deleteDevice', () => {
      it('deletes the device, its cursors, config overrides and PRIVATE messages, and nothing else', async () => {
        const d1 = await device('d1');
        const d2 = await device('d2');
        const cmd = shared(app.id, 'home', 'cmd');
        const temp = shared(app.id, 'home', 'temp');
        await subscribe(d1.id, T0, subscription(cmd));
        await subscribe(d2.id, T0, subscription(cmd));
        await publish(d1.id, T0, message(privateOf(app.id, 'd1', 'kv'), 'mine', { writer: 'd1' }), message(temp, '21.5', { writer: 'd1' }));
        await publish(d2.id, T0, message(privateOf(app.id, 'd2', 'kv'), 'yours', { writer: 'd2' }));
        await store.changeConfig({ appId: app.id, deviceId: null, set: { a: '1' }, unset: [], now: T0, actor: 'alice' });
        await store.changeConfig({ appId: app.id, deviceId: d1.id, set: { a: 'd1' }, unset: [], now: T0, actor: 'alice' });
        await store.changeConfig({ appId: app.id, deviceId: d2.id, set: { a: 'd2' }, unset: [], now: T0, actor: 'alice' });
        const before = await store.stats();

        assert.equal(await store.deleteDevice(d1.id), true);
        assert.equal(await store.deleteDevice(d1.id), false);
        assert.equal(await store.getDevice(app.id, 'd1'), null);
        assert.deepEqual(await store.getDevice(app.id, 'd2'), d2);
        const entries = (await store.configEntries(app.id)).map((e) => `${e.deviceId}:${e.key}=${e.value}`).sort();
        assert.deepEqual(entries, [`${d2.id}:a=d2`, 'null:a=1']);
        assert.deepEqual(await store.readMessages(privateOf(app.id, 'd1', 'kv'), 0, 100, T0), []);
        assert.deepEqual(await store.readMessages(privateOf(app.id, 'd2', 'kv'), 0, 100, T0), [stored(1, 'yours', { writer: 'd2' })]);
        assert.deepEqual(await store.readMessages(temp, 0, 100, T0), [stored(1, '21.5', { writer: 'd1' })]);
        const after = await store.stats();
        assert.deepEqual(after, { ...before, devices: before.devices - 1, cursors: before.cursors - 1, messages: before.messages - 1, configEntries: before.configEntries - 1, streams: after.streams });
        assert.deepEqual(
          (await store.configHistory(app.id, null, 10)).map((h) => `${h.device}:${h.value}`).sort(),
          ['d2:d2', 'null:1'],
        );
      });

      it('a device created after a delete, even with the same GUID, inherits no cursor, config or history, and PRIVATE seqs are not reused', async () => {
        const old = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        assert.deepEqual(await subscribe(old.id, T0, subscription(cmd)), { cursor: 0, head: 0, messages: [] });
        await fill(old.id, cmd, 2);
        await publish(old.id, T0, message(privateOf(app.id, 'd1', 'kv'), 'a', { writer: 'd1' }), message(privateOf(app.id, 'd1', 'kv'), 'b', { writer: 'd1' }));
        await store.changeConfig({ appId: app.id, deviceId: old.id, set: { a: 'old' }, unset: [], now: T0, actor: 'alice' });
        await store.deleteDevice(old.id);

        for (const guid of ['d1', 'd3']) {
          const fresh = await device(guid, { now: T0 + 10 });
          assert.deepEqual(await subscribe(fresh.id, T0 + 10, subscription(cmd)), { cursor: 2, head: 2, messages: [] });
          assert.deepEqual(await store.configHistory(app.id, fresh.id, 10), []);
          assert.deepEqual(await store.configEntries(app.id), []);
          if (guid === 'd1') {
            assert.deepEqual(await publish(fresh.id, T0 + 10, message(privateOf(app.id, 'd1', 'kv'), 'c', { writer: 'd1' })), [
              { seq: 3, duplicate: false },
            ]);
          }
          await store.deleteDevice(fresh.id);
        }
        assert.deepEqual(await store.configHistory(app.id, null, 10), []);
      });
    });

    describe('sync: publish', () => {
      it('seq starts at 1 and grows by one per stream, within a batch and across syncs', async () => {
        const d = await device('d1');
        const temp = shared(app.id, 'home', 'temp');
        const cmd = shared(app.id, 'home', 'cmd');
        assert.deepEqual(await publish(d.id, T0, message(temp, 'a'), message(temp, 'b'), message(cmd, 'c')), [
          { seq: 1, duplicate: false },
          { seq: 2, duplicate: false },
          { seq: 1, duplicate: false },
        ]);
        assert.deepEqual(await publish(d.id, T0, message(temp, 'd')), [{ seq: 3, duplicate: false }]);
        assert.deepEqual(await store.readMessages(temp, 0, 100, T0), [stored(1, 'a'), stored(2, 'b'), stored(3, 'd')]);
      });

      it('streams are told apart by app, scope, owner and name', async () => {
        const other = await store.insertApp(newApp('aviary'), 's', T0);
        const d = await device('d1');
        const refs = [
          shared(app.id, 'home', 'temp'),
          shared(app.id, 'office', 'temp'),
          shared(app.id, 'home', 'hum'),
          shared(other.id, 'home', 'temp'),
          privateOf(app.id, 'd1', 'temp'),
          privateOf(app.id, 'd2', 'temp'),
        ];
        assert.deepEqual(
          await publish(d.id, T0, ...refs.map((r) => message(r, 'x'))),
          refs.map(() => ({ seq: 1, duplicate: false })),
        );
        assert.deepEqual(
          await publish(d.id, T0, ...refs.map((r) => message(r, 'y'))),
          refs.map(() => ({ seq: 2, duplicate: false })),
        );
      });

      it('concurrent syncs to one stream get distinct seqs 1..N', async () => {
        const d = await device('d1');
        const temp = shared(app.id, 'home', 'temp');
        const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => publish(d.id, T0, message(temp, `v${i}`))));
        const seqs = outcomes.map(([o]) => (o as PublishOutcome).seq).sort((a, b) => a - b);
        assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => i + 1));
        assert.equal((await store.readMessages(temp, 0, 100, T0)).length, 20);
      });

      it('a retry with the same (stream, writer, clientId) returns the first seq, duplicate, and stores nothing', async () => {
        const d = await device('d1');
        const temp = shared(app.id, 'home', 'temp');
        assert.deepEqual(await publish(d.id, T0, message(temp, 'first', { clientId: 'c1' })), [{ seq: 1, duplicate: false }]);
        assert.deepEqual(await publish(d.id, T0, message(temp, 'other')), [{ seq: 2, duplicate: false }]);
        assert.deepEqual(await publish(d.id, T0 + 9, message(temp, 'second', { clientId: 'c1', time: T0 + 9 })), [{ seq: 1, duplicate: true }]);
        assert.deepEqual(await publish(d.id, T0, message(temp, 'third')), [{ seq: 3, duplicate: false }]);
        assert.deepEqual(await store.readMessages(temp, 0, 100, T0), [stored(1, 'first'), stored(2, 'other'), stored(3, 'third')]);
      });

      it('the same clientId twice in one batch is stored once', async () => {
        const d = await device('d1');
        const temp = shared(app.id, 'home', 'temp');
        assert.deepEqual(await publish(d.id, T0, message(temp, 'a', { clientId: 'c1' }), message(temp, 'b', { clientId: 'c1' })), [
          { seq: 1, duplicate: false },
          { seq: 1, duplicate: true },
        ]);
        assert.deepEqual(await store.readMessages(temp, 0, 100, T0), [stored(1, 'a')]);
      });

      it('a clientId is per writer and per stream; a null clientId is never a duplicate', async () => {
        const d = await device('d1');
        const temp = shared(app.id, 'home', 'temp');
        const hum = shared(app.id, 'home', 'hum');
        assert.deepEqual(
          await publish(
            d.id,
            T0,
            message(temp, 'a', { clientId: 'c1', writer: 'w1' }),
            message(temp, 'b', { clientId: 'c1', writer: 'w2' }),
            message(hum, 'c', { clientId: 'c1', writer: 'w1' }),
            message(temp, 'd', { clientId: null }),
            message(temp, 'd', { clientId: null }),
          ),
          [
            { seq: 1, duplicate: false },
            { seq: 2, duplicate: false },
            { seq: 1, duplicate: false },
            { seq: 3, duplicate: false },
            { seq: 4, duplicate: false },
          ],
        );
      });

      it('keeps any value byte for byte', async () => {
        const d = await device('d1');
        const temp = shared(app.id, 'home', 'temp');
        const values = ['', ' ', 'é 🌱', 'a\nb\r\n\\', '{"json":true}', 'x'.repeat(65_536)];
        await publish(d.id, T0, ...values.map((v) => message(temp, v)));
        assert.deepEqual((await store.readMessages(temp, 0, 100, T0)).map((m) => m.value), values);
      });
    });

    describe('sync: subscribe', () => {
      it('a first subscription starts at the head: only new messages come', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        await fill(d.id, cmd, 3);
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd)), { cursor: 3, head: 3, messages: [] });
        await fill(d.id, cmd, 2);
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd)), {
          cursor: 3,
          head: 5,
          messages: [stored(4, 'v1'), stored(5, 'v2')],
        });
      });

      it('a first subscription of a stream nobody wrote starts at 0 and gets the first message', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd)), { cursor: 0, head: 0, messages: [] });
        await fill(d.id, cmd, 1);
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd)), { cursor: 0, head: 1, messages: [stored(1, 'v1')] });
      });

      it('limit N starts N live messages back', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        await fill(d.id, cmd, 5);
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd, { limit: 2, pageSize: 2 })), {
          cursor: 3,
          head: 5,
          messages: [stored(4, 'v4'), stored(5, 'v5')],
        });
      });

      it('limit N counts only live messages', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        await publish(
          d.id,
          T0,
          message(cmd, 'a'),
          message(cmd, 'b'),
          message(cmd, 'c'),
          message(cmd, 'short', { expiresAt: T0 + 10 }),
          message(cmd, 'e'),
        );
        assert.deepEqual(await subscribe(d.id, T0 + 20, subscription(cmd, { limit: 2, pageSize: 2 })), {
          cursor: 2,
          head: 5,
          messages: [stored(3, 'c'), stored(5, 'e')],
        });
      });

      it('limit beyond the live messages starts before the first', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        await fill(d.id, cmd, 3);
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd, { limit: 10, pageSize: 10 })), {
          cursor: 0,
          head: 3,
          messages: [stored(1, 'v1'), stored(2, 'v2'), stored(3, 'v3')],
        });
      });

      it('without after the same messages come again: delivery is acknowledged', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        await fill(d.id, cmd, 3);
        const first = await subscribe(d.id, T0, subscription(cmd, { limit: 3 }));
        assert.deepEqual(first, { cursor: 0, head: 3, messages: [stored(1, 'v1'), stored(2, 'v2'), stored(3, 'v3')] });
        assert.deepEqual(await subscribe(d.id, T0 + 1, subscription(cmd)), first);
      });

      it('after acknowledges: the cursor moves forward, never backwards, never past the head', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        await fill(d.id, cmd, 5);
        await subscribe(d.id, T0, subscription(cmd, { limit: 5 }));
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd, { after: 3 })), {
          cursor: 3,
          head: 5,
          messages: [stored(4, 'v4'), stored(5, 'v5')],
        });
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd, { after: 1 })), {
          cursor: 3,
          head: 5,
          messages: [stored(4, 'v4'), stored(5, 'v5')],
        });
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd, { after: 99 })), { cursor: 5, head: 5, messages: [] });
        await fill(d.id, cmd, 1);
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd)), { cursor: 5, head: 6, messages: [stored(6, 'v1')] });
      });

      it('a first subscription with after starts there, but never past the head', async () => {
        const d1 = await device('d1');
        const d2 = await device('d2');
        const cmd = shared(app.id, 'home', 'cmd');
        await fill(d1.id, cmd, 4);
        assert.deepEqual(await subscribe(d1.id, T0, subscription(cmd, { after: 2 })), {
          cursor: 2,
          head: 4,
          messages: [stored(3, 'v3'), stored(4, 'v4')],
        });
        assert.deepEqual(await subscribe(d2.id, T0, subscription(cmd, { after: 42 })), { cursor: 4, head: 4, messages: [] });
      });

      it('reset starts over like a first subscription and ignores after', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        await fill(d.id, cmd, 5);
        await subscribe(d.id, T0, subscription(cmd, { after: 5 }));
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd, { reset: true, limit: 2 })), {
          cursor: 3,
          head: 5,
          messages: [stored(4, 'v4'), stored(5, 'v5')],
        });
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd)), {
          cursor: 3,
          head: 5,
          messages: [stored(4, 'v4'), stored(5, 'v5')],
        });
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd, { reset: true, after: 1 })), { cursor: 5, head: 5, messages: [] });
      });

      it('a page holds at most pageSize messages, oldest first', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        await fill(d.id, cmd, 5);
        const page = (after: number | null) => subscribe(d.id, T0, subscription(cmd, { limit: 5, after, pageSize: 2 }));
        assert.deepEqual(await page(null), { cursor: 0, head: 5, messages: [stored(1, 'v1'), stored(2, 'v2')] });
        assert.deepEqual(await page(null), { cursor: 0, head: 5, messages: [stored(1, 'v1'), stored(2, 'v2')] });
        assert.deepEqual(await page(2), { cursor: 2, head: 5, messages: [stored(3, 'v3'), stored(4, 'v4')] });
        assert.deepEqual(await page(4), { cursor: 4, head: 5, messages: [stored(5, 'v5')] });
        assert.deepEqual(await page(5), { cursor: 5, head: 5, messages: [] });
      });

      it('expired messages are never returned, by sync or readMessages', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        await subscribe(d.id, T0, subscription(cmd));
        await publish(
          d.id,
          T0,
          message(cmd, 'a', { expiresAt: T0 + 10 }),
          message(cmd, 'b', { expiresAt: T0 + 100 }),
          message(cmd, 'c', { expiresAt: T0 + 10 }),
        );
        assert.deepEqual(await subscribe(d.id, T0 + 9, subscription(cmd)), {
          cursor: 0,
          head: 3,
          messages: [stored(1, 'a', { expiresAt: T0 + 10 }), stored(2, 'b', { expiresAt: T0 + 100 }), stored(3, 'c', { expiresAt: T0 + 10 })],
        });
        assert.deepEqual(await subscribe(d.id, T0 + 10, subscription(cmd)), {
          cursor: 0,
          head: 3,
          messages: [stored(2, 'b', { expiresAt: T0 + 100 })],
        });
        assert.deepEqual(await store.readMessages(cmd, 0, 100, T0 + 10), [stored(2, 'b', { expiresAt: T0 + 100 })]);
        assert.deepEqual(await subscribe(d.id, T0 + 100, subscription(cmd)), { cursor: 0, head: 3, messages: [] });
        assert.deepEqual(await store.readMessages(cmd, 0, 100, T0 + 100), []);
      });

      it('cursors are per device', async () => {
        const d1 = await device('d1');
        const d2 = await device('d2');
        const cmd = shared(app.id, 'home', 'cmd');
        await fill(d1.id, cmd, 3);
        await subscribe(d1.id, T0, subscription(cmd, { limit: 3 }));
        await subscribe(d1.id, T0, subscription(cmd, { after: 3 }));
        assert.deepEqual(await subscribe(d2.id, T0, subscription(cmd, { limit: 1 })), { cursor: 2, head: 3, messages: [stored(3, 'v3')] });
        assert.deepEqual(await subscribe(d1.id, T0, subscription(cmd)), { cursor: 3, head: 3, messages: [] });
      });

      it('one sync stores its publishes before it reads its subscriptions', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        await subscribe(d.id, T0, subscription(cmd));
        const result = await store.sync({ deviceId: d.id, now: T0, publish: [message(cmd, 'echo')], subscribe: [subscription(cmd)] });
        assert.deepEqual(result, {
          published: [{ seq: 1, duplicate: false }],
          subscriptions: [{ cursor: 0, head: 1, messages: [stored(1, 'echo')] }],
        });
      });

      it('several subscriptions in one sync answer in request order', async () => {
        const d = await device('d1');
        const a = shared(app.id, 'home', 'a');
        const b = privateOf(app.id, 'd1', 'b');
        await fill(d.id, a, 2);
        await fill(d.id, b, 1);
        const result = await store.sync({
          deviceId: d.id,
          now: T0,
          publish: [],
          subscribe: [subscription(b, { limit: 5 }), subscription(a, { limit: 1 })],
        });
        assert.deepEqual(result.subscriptions, [
          { cursor: 0, head: 1, messages: [stored(1, 'v1')] },
          { cursor: 1, head: 2, messages: [stored(2, 'v2')] },
        ]);
      });

      it('matches a model of head and cursor under any sequence of publishes and acknowledgements', async () => {
        const d = await device('d1');
        type Op = { kind: 'publish'; count: number } | { kind: 'poll'; after: number | null; pageSize: number };
        const opArb: fc.Arbitrary<Op> = fc.oneof(
          fc.record({ kind: fc.constant('publish' as const), count: fc.integer({ min: 1, max: 4 }) }),
          fc.record({
            kind: fc.constant('poll' as const),
            after: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
            pageSize: fc.integer({ min: 1, max: 5 }),
          }),
        );
        let run = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(opArb, { maxLength: 12 }), async (ops) => {
            const ref = shared(app.id, 'model', `s${run++}`);
            let head = 0;
            let cursor: number | null = null;
            for (const op of ops) {
              if (op.kind === 'publish') {
                const values = Array.from({ length: op.count }, (_, i) => message(ref, `m${head + i + 1}`));
                assert.deepEqual(
                  await publish(d.id, T0, ...values),
                  values.map((_, i) => ({ seq: head + i + 1, duplicate: false })),
                );
                head += op.count;
                continue;
              }
              if (cursor === null) cursor = op.after === null ? head : Math.min(op.after, head);
              else if (op.after !== null) cursor = Math.max(cursor, Math.min(op.after, head));
              const expected: StoredMessage[] = [];
              for (let seq: number = cursor + 1; seq <= Math.min(head, cursor + op.pageSize); seq++) expected.push(stored(seq, `m${seq}`));
              assert.deepEqual(await subscribe(d.id, T0, subscription(ref, { after: op.after, pageSize: op.pageSize })), {
                cursor,
                head,
                messages: expected,
              });
            }
          }),
          { numRuns: 30 },
        );
      });
    });

    describe('readMessages', () => {
      it('reads after a seq, oldest first, at most limit, without a cursor', async () => {
        const d = await device('d1');
        const temp = shared(app.id, 'home', 'temp');
        await fill(d.id, temp, 5);
        assert.deepEqual(await store.readMessages(temp, 1, 2, T0), [stored(2, 'v2'), stored(3, 'v3')]);
        assert.deepEqual(await store.readMessages(temp, 4, 100, T0), [stored(5, 'v5')]);
        assert.deepEqual(await store.readMessages(temp, 5, 100, T0), []);
        assert.deepEqual(await store.readMessages(shared(app.id, 'home', 'nothing'), 0, 100, T0), []);
        assert.equal((await store.stats()).cursors, 0);
      });
    });

    describe('deleteMessages', () => {
      it('deletes one message or the whole stream, says how many, and seqs are never reused', async () => {
        const d = await device('d1');
        const temp = shared(app.id, 'home', 'temp');
        await fill(d.id, temp, 4);
        assert.equal(await store.deleteMessages(temp, 2), 1);
        assert.equal(await store.deleteMessages(temp, 2), 0);
        assert.equal(await store.deleteMessages(temp, 99), 0);
        assert.deepEqual(await store.readMessages(temp, 0, 100, T0), [stored(1, 'v1'), stored(3, 'v3'), stored(4, 'v4')]);
        assert.equal(await store.deleteMessages(temp, null), 3);
        assert.deepEqual(await store.readMessages(temp, 0, 100, T0), []);
        assert.deepEqual(await publish(d.id, T0, message(temp, 'after')), [{ seq: 5, duplicate: false }]);
        assert.deepEqual(await subscribe(d.id, T0, subscription(temp, { limit: 10 })), { cursor: 0, head: 5, messages: [stored(5, 'after')] });
        assert.equal(await store.deleteMessages(shared(app.id, 'home', 'nothing'), null), 0);
      });

      it('a deleted message is not delivered to a cursor before it', async () => {
        const d = await device('d1');
        const cmd = shared(app.id, 'home', 'cmd');
        await subscribe(d.id, T0, subscription(cmd));
        await fill(d.id, cmd, 3);
        await store.deleteMessages(cmd, 2);
        assert.deepEqual(await subscribe(d.id, T0, subscription(cmd)), { cursor: 0, head: 3, messages: [stored(1, 'v1'), stored(3, 'v3')] });
      });
    });

    describe('sweepExpired', () => {
      it('deletes only expired messages, at most max at a time', async () => {
        const d = await device('d1');
        const a = shared(app.id, 'home', 'a');
        const b = privateOf(app.id, 'd1', 'b');
        await fill(d.id, a, 3, { expiresAt: T0 + 10 });
        await fill(d.id, b, 2, { expiresAt: T0 + 10 });
        await fill(d.id, a, 2, { expiresAt: T0 + 1000 });
        assert.equal(await store.sweepExpired(T0 + 9, 100), 0);
        assert.equal(await store.sweepExpired(T0 + 10, 0), 0);
        assert.equal(await store.sweepExpired(T0 + 10, 3), 3);
        assert.equal((await store.stats()).messages, 4);
        assert.equal(await store.sweepExpired(T0 + 10, 100), 2);
        assert.equal(await store.sweepExpired(T0 + 10, 100), 0);
        // Read as of T0, when all were live: only the unexpired two are left.
        assert.deepEqual(await store.readMessages(a, 0, 100, T0), [
          stored(4, 'v1', { expiresAt: T0 + 1000 }),
          stored(5, 'v2', { expiresAt: T0 + 1000 }),
        ]);
        assert.deepEqual(await store.readMessages(b, 0, 100, T0), []);
        assert.deepEqual(await publish(d.id, T0, message(b, 'new')), [{ seq: 3, duplicate: false }]);
      });
    });

    describe('sweepStreams', () => {
      it('deletes streams that hold no message and that nobody follows; a stream written again goes on above its old seqs', async () => {
        const d = await device('d1');
        const gone = shared(app.id, 'home', 'gone');
        const followed = shared(app.id, 'home', 'followed');
        const kept = shared(app.id, 'home', 'kept');
        const system = shared(app.id, '$stratus', 'presence');
        await fill(d.id, gone, 3, { expiresAt: T0 + 10 });
        await fill(d.id, system, 1, { expiresAt: T0 + 10 });
        await subscribe(d.id, T0, subscription(followed));
        await fill(d.id, followed, 1, { expiresAt: T0 + 10 });
        await fill(d.id, kept, 1);
        assert.equal(await store.sweepStreams(100), 0); // every stream still holds a message
        assert.equal(await store.sweepExpired(T0 + 10, 100), 5);
        assert.equal(await store.streamCount(app.id), 3);
        assert.equal(await store.sweepStreams(100), 1);
        assert.equal(await store.streamExists(gone), false);
        assert.equal(await store.streamExists(followed), true);
        assert.equal(await store.streamExists(kept), true);
        assert.equal(await store.streamExists(system), true);
        assert.equal(await store.streamCount(app.id), 2);
        // PROTOCOL §6: a seq is never reused, in the stream swept nor in any other created later
        assert.deepEqual(await publish(d.id, T0, message(gone, 'again')), [{ seq: 4, duplicate: false }]);
        assert.deepEqual(await publish(d.id, T0, message(shared(app.id, 'home', 'new'), 'first')), [{ seq: 4, duplicate: false }]);
        assert.deepEqual(await subscribe(d.id, T0, subscription(followed)), { cursor: 0, head: 1, messages: [] });
        assert.deepEqual(await subscribe(d.id, T0, subscription(gone, { limit: 5 })), { cursor: 0, head: 4, messages: [stored(4, 'again')] });
      });

      it('looks at max streams a call, round and round', async () => {
        const d = await device('d1');
        for (const name of ['a', 'b', 'c']) await fill(d.id, shared(app.id, 'home', name), 1, { expiresAt: T0 + 10 });
        await store.sweepExpired(T0 + 10, 100);
        await subscribe(d.id, T0, subscription(shared(app.id, 'home', 'b')));
        assert.equal(await store.sweepStreams(0), 0);
        assert.equal(await store.sweepStreams(1), 1); // a
        assert.equal(await store.sweepStreams(1), 0); // b: followed
        assert.equal(await store.streamExists(shared(app.id, 'home', 'c')), true);
        await fill(d.id, shared(app.id, 'home', 'a'), 1, { expiresAt: T0 + 10 }); // created again, after c
        await store.sweepExpired(T0 + 10, 100);
        assert.equal(await store.sweepStreams(1), 1); // c
        assert.equal(await store.sweepStreams(1), 1); // a again
        assert.equal(await store.streamCount(app.id), 1);
      });
    });

    describe('quota counts', () => {
      it('streamExists, streamCount, cursorExists and cursorCount follow publishes and subscriptions', async () => {
        const d = await device('d1');
        const temp = shared(app.id, 'home', 'temp');
        const cmd = shared(app.id, 'home', 'cmd');
        assert.equal(await store.streamExists(temp), false);
        assert.equal(await store.streamCount(app.id), 0);
        await publish(d.id, T0, message(temp, 'a'));
        assert.equal(await store.streamExists(temp), true);
        assert.equal(await store.streamExists(shared(app.id + 1000, 'home', 'temp')), false);
        assert.equal(await store.cursorExists(d.id, temp), false);
        await subscribe(d.id, T0, { ...cmd, after: null, limit: null, reset: false, pageSize: 10 });
        await subscribe(d.id, T0, { ...temp, after: null, limit: null, reset: false, pageSize: 10 });
        assert.equal(await store.streamCount(app.id), 2);
        assert.equal(await store.cursorExists(d.id, cmd), true);
        assert.equal(await store.cursorExists(d.id + 1000, cmd), false);
        assert.equal(await store.cursorCount(d.id), 2);
        assert.equal(await store.cursorCount(d.id + 1000), 0);
      });
    });

    describe('listStreams and stats', () => {
      it('lists each stream with head, count and last time, by scope or all', async () => {
        const other = await store.insertApp(newApp('aviary'), 's', T0);
        const d = await device('d1');
        const temp = shared(app.id, 'home', 'temp');
        await publish(d.id, T0, message(temp, 'a', { time: T0 }), message(temp, 'b', { time: T0 + 5 }), message(temp, 'c', { time: T0 + 3 }));
        await publish(d.id, T0, message(shared(app.id, 'home', 'cmd'), 'on', { time: T0 + 1 }));
        await publish(d.id, T0, message(shared(app.id, 'office', 'temp'), 'x', { time: T0 + 2 }));
        await publish(d.id, T0, message(privateOf(app.id, 'd1', 'kv'), 'k', { time: T0 + 4 }));
        await publish(d.id, T0, message(shared(other.id, 'home', 'temp'), 'o', { time: T0 + 9 }));
        await store.deleteMessages(temp, 3);

        assert.deepEqual(sortStreams(await store.listStreams(app.id, null)), [
          { scope: 'PRIVATE', owner: 'd1', stream: 'kv', head: 1, count: 1, lastTime: T0 + 4 },
          { scope: 'home', owner: '', stream: 'cmd', head: 1, count: 1, lastTime: T0 + 1 },
          { scope: 'home', owner: '', stream: 'temp', head: 3, count: 2, lastTime: T0 + 5 },
          { scope: 'office', owner: '', stream: 'temp', head: 1, count: 1, lastTime: T0 + 2 },
        ]);
        assert.deepEqual(sortStreams(await store.listStreams(app.id, 'home')), [
          { scope: 'home', owner: '', stream: 'cmd', head: 1, count: 1, lastTime: T0 + 1 },
          { scope: 'home', owner: '', stream: 'temp', head: 3, count: 2, lastTime: T0 + 5 },
        ]);
        assert.deepEqual(await store.listStreams(other.id, null), [
          { scope: 'home', owner: '', stream: 'temp', head: 1, count: 1, lastTime: T0 + 9 },
        ]);
        assert.deepEqual(await store.listStreams(app.id, 'nowhere'), []);

        await store.deleteMessages(temp, null);
        assert.deepEqual(
          (await store.listStreams(app.id, 'home')).find((s) => s.stream === 'temp'),
          { scope: 'home', owner: '', stream: 'temp', head: 3, count: 0, lastTime: null },
        );
      });

      it('stats counts rows', async () => {
        assert.deepEqual(await store.stats(), { apps: 1, devices: 0, streams: 0, messages: 0, cursors: 0, configEntries: 0 });
        const d1 = await device('d1');
        const d2 = await device('d2');
        const cmd = shared(app.id, 'home', 'cmd');
        await publish(d1.id, T0, message(cmd, 'a'), message(cmd, 'b'), message(shared(app.id, 'home', 'temp'), 'c'));
        await subscribe(d1.id, T0, subscription(cmd));
        await subscribe(d2.id, T0, subscription(cmd));
        await store.changeConfig({ appId: app.id, deviceId: null, set: { a: '1', b: '2' }, unset: [], now: T0, actor: 'alice' });
        await store.changeConfig({ appId: app.id, deviceId: d1.id, set: { a: '3' }, unset: [], now: T0, actor: 'alice' });
        assert.deepEqual(await store.stats(), { apps: 1, devices: 2, streams: 2, messages: 3, cursors: 2, configEntries: 3 });
      });
    });

    describe('nodes', () => {
      it('answers a ping, and lists this node with its last heartbeat', async () => {
        await store.ping();
        await store.heartbeat({ address: 'http://10.0.0.1:8080', startedAt: T0, now: T0 + 5 });
        await store.heartbeat({ address: 'http://10.0.0.1:8080', startedAt: T0, now: T0 + 10 });
        const self = (await store.listNodes()).filter((n) => n.id === store.nodeId);
        assert.deepEqual(self, [{ id: store.nodeId, address: 'http://10.0.0.1:8080', startedAt: T0, lastHeard: T0 + 10 }]);
      });
    });
  });
}
