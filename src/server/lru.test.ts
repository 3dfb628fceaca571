import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LruMap } from './lru.js';

/** The obvious model: a Map in recency order, the oldest first. */
class ModelLru<K, V> {
  readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: K, v: V): void {
    if (this.max < 1) return;
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
  delete(k: K): void {
    this.map.delete(k);
  }
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('get' as const), key: fc.nat(20) }),
  fc.record({ kind: fc.constant('set' as const), key: fc.nat(20), value: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.nat(20) }),
  fc.record({ kind: fc.constant('clear' as const) }),
);

describe('LruMap', () => {
  it('behaves as a recency-ordered Map that drops its oldest entry past the bound', () => {
    fc.assert(
      fc.property(fc.nat(8), fc.array(op, { maxLength: 300 }), (max, ops) => {
        const lru = new LruMap<number, number>(max);
        let model = new ModelLru<number, number>(max);
        for (const o of ops) {
          if (o.kind === 'get') {
            assert.equal(lru.get(o.key), model.get(o.key));
          } else if (o.kind === 'set') {
            lru.set(o.key, o.value);
            model.set(o.key, o.value);
          } else if (o.kind === 'delete') {
            lru.delete(o.key);
            model.delete(o.key);
          } else {
            lru.clear();
            model = new ModelLru(max);
          }
          assert.equal(lru.size, model.map.size);
        }
        for (let k = 0; k <= 20; k++) assert.equal(lru.get(k), model.get(k));
      }),
    );
  });
});
