// OnlineTable against a model (a Map and buckets of Sets, what presence used before): any sequence
// of set, delete and takeDue gives the same answers, through growth and backward-shift deletion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OnlineTable, type OnlineEntry } from './online-table.js';

type Op = { op: 'set'; id: number; at: number } | { op: 'delete'; id: number } | { op: 'take'; now: number } | { op: 'get'; id: number };

const ops = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), id: fc.integer({ min: 1, max: 60 }), at: fc.integer({ min: 0, max: 20 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), id: fc.integer({ min: 1, max: 60 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('take' as const), now: fc.integer({ min: 0, max: 20 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), id: fc.integer({ min: 1, max: 60 }) }) },
  ),
  { maxLength: 300 },
);

describe('OnlineTable', () => {
  it('behaves as a map with due buckets, whatever the order of operations', () => {
    fc.assert(
      fc.property(ops, (sequence) => {
        const table = new OnlineTable(16);
        const model = new Map<number, OnlineEntry>();
        for (const o of sequence as Op[]) {
          if (o.op === 'set') {
            assert.equal(table.set(o.id, o.id % 3, o.at, 2 * o.id), model.has(o.id));
            model.set(o.id, { deviceId: o.id, appId: o.id % 3, offlineAt: o.at, windowSeconds: 2 * o.id });
          } else if (o.op === 'delete') {
            assert.equal(table.delete(o.id), model.delete(o.id));
          } else if (o.op === 'get') {
            assert.deepEqual(table.get(o.id), model.get(o.id));
            const held = model.get(o.id);
            assert.equal(table.seenAt(o.id), held && held.offlineAt - held.windowSeconds);
          } else {
            const expected = [...model.values()].filter((e) => e.offlineAt <= o.now);
            for (const e of expected) model.delete(e.deviceId);
            const byId = (a: OnlineEntry, b: OnlineEntry) => a.deviceId - b.deviceId;
            assert.deepEqual(table.takeDue(o.now).sort(byId), expected.sort(byId));
          }
          assert.equal(table.size, model.size);
        }
        for (const [id, e] of model) assert.deepEqual(table.get(id), e);
      }),
      { numRuns: 500 },
    );
  });

  it('holds a million devices and finds every one', () => {
    const table = new OnlineTable();
    for (let id = 1; id <= 1_000_000; id++) table.set(id, 1, 1000 + (id % 600), 600);
    assert.equal(table.size, 1_000_000);
    for (const id of [1, 2, 777_777, 1_000_000]) assert.equal(table.get(id)?.offlineAt, 1000 + (id % 600));
    let due = 0;
    for (let id = 1; id <= 1_000_000; id++) if (id % 600 <= 9) due++;
    assert.equal(table.takeDue(1000 + 9).length, due);
    assert.equal(table.size, 1_000_000 - due);
  });
});
