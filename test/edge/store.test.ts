// The gateway's store on a real SQLite file: byte bounds overall and per priority, the eviction
// orders, TTL on an injected clock, and totals that survive a reopen.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EdgeStore, accountedBytes, type NewMessage, type StoreLimits } from '../../src/edge/store.js';
import { removeDir } from '../support/server-process.js';
import { tempDir } from './support.js';

const dirs: string[] = [];
function open(limits: Partial<StoreLimits>, nowMs: () => number = () => 1_000_000, dir = tempDir('stratus-edge-store-')): { store: EdgeStore; dir: string } {
  dirs.push(dir);
  const store = new EdgeStore(join(dir, 'edge.db'), { maxBytes: 1 << 30, priorityMaxBytes: {}, eviction: 'lowest-oldest', ...limits }, 'gw', nowMs);
  return { store, dir };
}
const msg = (value: string, priority = 0, ttl: number | null = null): NewMessage => ({ scope: 's', stream: 't', value, priority, ttl });
const unit = accountedBytes(msg('v00'));
const values = (store: EdgeStore, priority: number): string[] => store.oldestOf(priority, 1000).map((m) => m.value);

describe('edge store', () => {
  after(() => dirs.forEach(removeDir));

  it('lowest-oldest: evicts the oldest of the lowest priority not above the new one', () => {
    const { store } = open({ maxBytes: unit * 4 });
    store.append([msg('a00', 0), msg('b00', 5), msg('c00', 0), msg('d00', 5)]);
    const { results, evicted } = store.append([msg('e00', 5)]);
    assert.equal(typeof results[0], 'string');
    assert.deepEqual(evicted.map((e) => [e.priority, e.reason]), [[0, 'store.maxBytes']]);
    assert.deepEqual(values(store, 0), ['c00']);
    assert.deepEqual(values(store, 5), ['b00', 'd00', 'e00']);
    assert.ok(store.totalBytes <= unit * 4);
    // A low message cannot push out higher ones: it evicts its own kind, or is refused.
    store.append([msg('f00', 0)]);
    assert.deepEqual(values(store, 0), ['f00']);
    const full = open({ maxBytes: unit * 2 }).store;
    full.append([msg('x00', 5), msg('y00', 5)]);
    const refused = full.append([msg('z00', 0)]).results[0];
    assert.ok(refused instanceof Error && /quota_exceeded|store holds/.test(`${(refused as { code: string }).code} ${refused.message}`));
    assert.deepEqual(full.evictionCounts(), []);
  });

  it('oldest: evicts the oldest of any priority; reject: refuses and keeps everything', () => {
    const { store } = open({ maxBytes: unit * 2, eviction: 'oldest' });
    store.append([msg('a00', 9), msg('b00', 0)]);
    store.append([msg('c00', 0)]);
    assert.deepEqual([values(store, 9), values(store, 0)], [[], ['b00', 'c00']]);
    const strict = open({ maxBytes: unit * 2, eviction: 'reject' }).store;
    strict.append([msg('a00'), msg('b00')]);
    const r = strict.append([msg('c00', 9)]).results[0] as { code: string };
    assert.equal(r.code, 'quota_exceeded');
    assert.deepEqual(values(strict, 0), ['a00', 'b00']);
  });

  it('bounds each priority on its own and counts the evictions', () => {
    const { store } = open({ priorityMaxBytes: { '1': unit * 2 } });
    store.append([msg('a00', 1), msg('b00', 1), msg('c00', 1), msg('d00', 0)]);
    assert.deepEqual(values(store, 1), ['b00', 'c00']);
    assert.deepEqual(store.evictionCounts(), [{ priority: 1, reason: 'store.priorityMaxBytes', count: 1, bytes: unit }]);
    const big = store.append([msg('x'.repeat(unit * 3), 1)]).results[0] as { code: string };
    assert.equal(big.code, 'too_large');
  });

  it('never evicts a message being sent', () => {
    const { store } = open({ maxBytes: unit * 2 });
    store.append([msg('a00'), msg('b00')]);
    const [first] = store.oldestOf(0, 1);
    store.inFlight.add(first?.seq as number);
    store.append([msg('c00')]);
    assert.deepEqual(values(store, 0), ['a00', 'c00']);
  });

  it('drops expired messages on the clock it is given', () => {
    let now = 1_000_000;
    const { store } = open({}, () => now);
    store.append([msg('short', 0, 10), msg('long', 0, 100), msg('forever')]);
    now += 10_000;
    assert.deepEqual(values(store, 0), ['long', 'forever'], 'an expired message is never sent');
    assert.deepEqual(store.expire().map((e) => e.reason), ['ttl']);
    assert.equal(store.figures().get(0)?.count, 2);
  });

  it('reclaims space as messages are removed, and keeps its totals and ids unique across a reopen', () => {
    const { store, dir } = open({});
    store.append(Array.from({ length: 100 }, (_, i) => msg(`m${i}`.padEnd(2000, '.'))));
    const ids = new Set(store.oldestOf(0, 1000).map((m) => m.id));
    store.remove(store.oldestOf(0, 60).map((m) => m.seq));
    const bytes = store.totalBytes;
    assert.equal(bytes, store.figures().get(0)?.bytes);
    store.reclaim(0);
    assert.equal(store.db.pragma('freelist_count', { simple: true }), 0);
    store.close();
    const again = open({}, undefined, dir).store;
    assert.equal(again.totalBytes, bytes);
    again.append([msg('new')]);
    for (const m of again.oldestOf(0, 1000)) if (m.value === 'new') assert.ok(!ids.has(m.id), 'a new boot, a new id');
    assert.equal(again.getState('boot'), '2');
    again.close();
  });
});
