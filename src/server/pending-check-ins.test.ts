// PendingCheckIns against a model: whatever the order of news, repeats, ticks and failed writes,
// what is written ends with each device's latest time and newest address, a tick writes the news
// (and a failed batch) and one slice in device-id order, so a repeat waits at most SLICES ticks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CheckIn } from '../store/types.js';
import { PendingCheckIns, SLICE_CHUNK, SLICES, sliceOf } from './pending-check-ins.js';

type Op =
  | { op: 'news'; id: number; time: number; address: string | null }
  | { op: 'repeat'; id: number; time: number }
  | { op: 'tick'; fails: boolean };

const id = fc.integer({ min: 0, max: 3 * SLICES - 1 }).map((chunk) => chunk * SLICE_CHUNK + (chunk % 5));
const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('news' as const), id, time: fc.integer({ min: 1, max: 1000 }), address: fc.constantFrom(null, 'a', 'b') }),
    fc.record({ op: fc.constant('repeat' as const), id, time: fc.integer({ min: 1, max: 1000 }) }),
    fc.record({ op: fc.constant('tick' as const), fails: fc.boolean() }),
  ),
  { maxLength: 200 },
);
/** The cap on waiting repeats: out of reach, or small enough that ticks write several slices. */
const caps = fc.constantFrom(undefined, 0, 3);

describe('PendingCheckIns', () => {
  it('writes every device its latest time and newest address, news at once and a repeat within SLICES ticks', () => {
    fc.assert(
      fc.property(ops, caps, (sequence, cap) => {
        const pending = new PendingCheckIns(cap);
        const latest = new Map<number, { time: number; address: string | null }>();
        const stored = new Map<number, { time: number; address: string | null }>();
        /** Devices with a check-in not yet written: news, or a repeat alone. */
        const waiting = new Map<number, 'news' | 'repeat'>();
        const write = (batch: CheckIn[]) => {
          for (const c of batch) {
            const old = stored.get(c.deviceId);
            stored.set(c.deviceId, { time: Math.max(c.time, old?.time ?? 0), address: c.address ?? old?.address ?? null });
            waiting.delete(c.deviceId);
          }
        };
        let turn = 0;
        for (const o of sequence as Op[]) {
          if (o.op === 'tick') {
            const batch = pending.takeTick();
            assert.deepEqual(batch, [...batch].sort((x, y) => x.deviceId - y.deviceId), 'in device-id order');
            const slice = turn;
            turn = (turn + 1) % SLICES;
            if (o.fails) {
              pending.putBack(batch);
              for (const c of batch) waiting.set(c.deviceId, 'news'); // retried on the next tick
              continue;
            }
            write(batch);
            for (const [device, kind] of waiting) {
              assert.equal(kind, 'repeat', `news of ${device} written on the next tick`);
              // with a cap reached, a tick writes the next slices too: the turn is then its own
              if (cap === undefined) assert.notEqual(sliceOf(device), slice, `device ${device} written on its slice's turn`);
            }
            if (cap !== undefined) assert.ok(pending.size <= cap, 'no more repeats wait than the cap');
            continue;
          }
          const old = latest.get(o.id);
          const address = o.op === 'news' ? o.address : null;
          latest.set(o.id, { time: Math.max(o.time, old?.time ?? 0), address: address ?? old?.address ?? null });
          if (o.op === 'news') pending.addNews({ deviceId: o.id, time: o.time, address: o.address });
          else pending.addRepeat(o.id, o.time);
          if (o.op === 'news' || !waiting.has(o.id)) waiting.set(o.id, o.op);
          assert.equal(pending.timeOf(o.id) >= o.time, true);
        }
        write(pending.takeAll());
        assert.equal(pending.size, 0);
        for (const [device, want] of latest) {
          const got = stored.get(device);
          assert.equal(got?.time, want.time, `time of ${device}`);
          if (want.address !== null) assert.equal(got?.address, want.address, `address of ${device}`);
        }
      }),
    );
  });
});
