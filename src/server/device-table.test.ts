import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DeviceStatus, Grant } from '../protocol/index.js';
import type { DeviceRecord } from '../store/types.js';
import { DeviceTable } from './device-table.js';

const GRANT: Grant = { action: 'publish', scope: 'PUBLIC', stream: 'x/*' };
const guid = fc.stringMatching(/^[a-c0-9:]{1,6}$/);
const device = fc.record({
  id: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  appId: fc.integer({ min: 1, max: 3 }),
  guid,
  status: fc.constantFrom<DeviceStatus>('approved', 'pending', 'denied'),
  grants: fc.option(fc.constant<Grant[]>([GRANT]), { nil: null }),
  firstSeen: fc.nat(2 ** 31),
  lastSeen: fc.nat(2 ** 31),
});
const op = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), device }),
  fc.record({ kind: fc.constant('find' as const), appId: fc.integer({ min: 1, max: 3 }), guid }),
  fc.record({ kind: fc.constant('delete' as const), appId: fc.integer({ min: 1, max: 3 }), guid }),
  fc.record({ kind: fc.constant('clear' as const) }),
);

const keyOf = (appId: number, g: string) => `${appId}\u0000${g}`;

describe('DeviceTable', () => {
  it('finds what was put last under an app and GUID, never another device, and holds at most its bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 400 }), (max, ops) => {
        const table = new DeviceTable(max);
        const model = new Map<string, Omit<DeviceRecord, 'lastAddress'>>();
        let evicting = false;
        for (const o of ops) {
          if (o.kind === 'put') {
            table.put({ ...o.device, lastAddress: '10.0.0.1' }, 7);
            model.set(keyOf(o.device.appId, o.device.guid), o.device);
            if (model.size > max) evicting = true;
            const entry = table.find(o.device.appId, o.device.guid);
            assert.ok(entry >= 0, 'a device just put is held');
            assert.deepEqual(table.record(entry, o.device.guid), { ...o.device, lastAddress: null });
            assert.equal(table.loadedAtOf(entry), 7);
          } else if (o.kind === 'find') {
            const entry = table.find(o.appId, o.guid);
            const expected = model.get(keyOf(o.appId, o.guid));
            if (entry >= 0) assert.deepEqual(table.record(entry, o.guid), { ...expected, lastAddress: null });
            else assert.ok(evicting || expected === undefined, 'nothing is dropped before the table is full');
          } else if (o.kind === 'delete') {
            table.delete(o.appId, o.guid);
            model.delete(keyOf(o.appId, o.guid));
            assert.equal(table.find(o.appId, o.guid), -1);
          } else {
            table.clear();
            model.clear();
            evicting = false;
          }
          assert.ok(table.size <= Math.min(max, model.size), `size ${table.size}, bound ${max}, model ${model.size}`);
        }
      }),
    );
  });

  it('keeps the device used since the hand last passed and drops one that was not', () => {
    const table = new DeviceTable(3);
    const put = (g: string, id: number) => table.put({ id, appId: 1, guid: g, status: 'approved', grants: null, firstSeen: 0, lastSeen: 0, lastAddress: null }, 0);
    put('a', 1);
    put('b', 2);
    put('c', 3);
    put('d', 4); // the hand clears every mark and drops the first: a
    assert.equal(table.find(1, 'a'), -1);
    table.find(1, 'b'); // b used again
    put('e', 5); // c is the first unmarked after the hand
    assert.ok(table.find(1, 'b') >= 0);
    assert.equal(table.find(1, 'c'), -1);
    assert.deepEqual(['d', 'e'].map((g) => table.find(1, g) >= 0), [true, true]);
  });

  it('moves last-seen only forwards and never caches a GUID the protocol does not allow', () => {
    const table = new DeviceTable(10);
    const record = { id: 1, appId: 1, guid: 'dev', status: 'approved' as const, grants: null, firstSeen: 5, lastSeen: 100, lastAddress: null };
    table.put(record, 0);
    const entry = table.find(1, 'dev');
    table.setLastSeen(entry, 90);
    assert.equal(table.lastSeenOf(entry), 100);
    table.setLastSeen(entry, 120);
    assert.equal(table.lastSeenOf(entry), 120);
    table.put({ ...record, id: 2, guid: 'd\u00e9v' }, 0);
    assert.equal(table.find(1, 'd\u00e9v'), -1);
    assert.equal(table.find(1, 'dXv'), -1);
  });

  it('knows whether an address moved: against the record it was put with, then the last one seen', () => {
    const table = new DeviceTable(10);
    const record = { id: 1, appId: 1, guid: 'dev', status: 'approved' as const, grants: null, firstSeen: 5, lastSeen: 100, lastAddress: '10.0.0.1' };
    table.put(record, 0);
    const entry = table.find(1, 'dev');
    assert.equal(table.moveAddress(entry, '10.0.0.1'), false, 'the stored address');
    assert.equal(table.moveAddress(entry, '10.0.0.2'), true);
    assert.equal(table.moveAddress(entry, '10.0.0.2'), false);
    table.put({ ...record, guid: 'new', lastAddress: null }, 0);
    assert.equal(table.moveAddress(table.find(1, 'new'), '10.0.0.2'), true, 'unknown until first seen');
    assert.equal(table.record(entry, 'dev').lastAddress, null, 'records carry no address');
  });

  it('holds a large fleet through growth and arena compaction', () => {
    const table = new DeviceTable(50_000);
    const put = (i: number) => table.put({ id: i, appId: 1 + (i % 2), guid: `fleet-${i}`, status: 'approved', grants: null, firstSeen: 0, lastSeen: i, lastAddress: null }, 0);
    for (let i = 1; i <= 60_000; i++) put(i); // 10,000 evicted on the way
    for (let i = 1; i <= 20_000; i++) table.delete(1 + (i % 2), `fleet-${i}`);
    for (let i = 60_001; i <= 70_000; i++) put(i); // reuses freed entries and arena room
    assert.equal(table.size, 50_000);
    for (let i = 20_001; i <= 70_000; i++) {
      const entry = table.find(1 + (i % 2), `fleet-${i}`);
      assert.ok(entry >= 0, `fleet-${i}`);
      assert.equal(table.record(entry, `fleet-${i}`).id, i);
    }
  });
});
