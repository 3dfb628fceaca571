// The client storage contract (ClientStorage in ./outbox.ts), as one suite every implementation runs:
// memory, SQLite, and any asynchronous one (IndexedDB in a browser). Only the interface is used, and
// every call is awaited, so a storage answering with promises runs it unchanged.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import type { ClientStorage, OutboxEntry } from './outbox.js';

export interface StorageUnderTest {
  /** A new, empty storage. */
  open(): ClientStorage | Promise<ClientStorage>;
  /** For a durable storage: closes `storage` and opens the same one again. */
  reopen?: (storage: ClientStorage) => ClientStorage | Promise<ClientStorage>;
}

const entry = (id: string, priority = 0, extra: Partial<OutboxEntry> = {}): OutboxEntry => ({ id, scope: 'home', stream: 'temp', value: `v-${id}`, ttl: null, priority, ...extra });
const ids = async (storage: ClientStorage, max = 1000) => (await storage.pending(max)).map((e) => e.id);

export function clientStorageContract(name: string, under: StorageUnderTest): void {
  describe(`ClientStorage contract: ${name}`, () => {
    let storage: ClientStorage;
    beforeEach(async () => {
      storage = await under.open();
    });
    afterEach(async () => {
      await storage.close();
    });

    it('keeps entries whole and hands them out by priority, then in the order they came', async () => {
      assert.deepEqual(await storage.enqueue(entry('a', 0, { ttl: 60, value: 'ünïcode ✓ "quoted"\nline' }), 10, 'reject'), []);
      await storage.enqueue(entry('b', 5), 10, 'reject');
      await storage.enqueue(entry('c', 0), 10, 'reject');
      await storage.enqueue(entry('d', 5), 10, 'reject');
      assert.equal(await storage.size(), 4);
      assert.deepEqual(await ids(storage), ['b', 'd', 'a', 'c']);
      assert.deepEqual(await ids(storage, 3), ['b', 'd', 'a']);
      assert.deepEqual((await storage.pending(10)).find((e) => e.id === 'a'), entry('a', 0, { ttl: 60, value: 'ünïcode ✓ "quoted"\nline' }));
    });

    it('removes by id; unknown ids change nothing', async () => {
      for (const id of ['a', 'b', 'c']) await storage.enqueue(entry(id), 10, 'reject');
      await storage.remove(['b', 'nope']);
      await storage.remove([]);
      assert.deepEqual(await ids(storage), ['a', 'c']);
      assert.equal(await storage.size(), 2);
    });

    it('full under reject: null, and nothing changes', async () => {
      await storage.enqueue(entry('a'), 2, 'reject');
      await storage.enqueue(entry('b'), 2, 'reject');
      assert.equal(await storage.enqueue(entry('c', 9), 2, 'reject'), null);
      assert.deepEqual(await ids(storage), ['a', 'b']);
    });

    it('full under drop-oldest: the oldest of the lowest priority not above the new one goes, and is returned', async () => {
      await storage.enqueue(entry('hi', 5), 3, 'drop-oldest');
      await storage.enqueue(entry('lo1', 1), 3, 'drop-oldest');
      await storage.enqueue(entry('lo2', 1), 3, 'drop-oldest');
      assert.deepEqual(await storage.enqueue(entry('new', 1), 3, 'drop-oldest'), [entry('lo1', 1)]);
      assert.deepEqual(await ids(storage), ['hi', 'lo2', 'new']);
      // Everything left outranks a priority-0 message: it does not get in.
      await storage.remove(['lo2', 'new']);
      await storage.enqueue(entry('hi2', 5), 2, 'drop-oldest');
      assert.equal(await storage.enqueue(entry('low', 0), 2, 'drop-oldest'), null);
      assert.deepEqual(await ids(storage), ['hi', 'hi2']);
    });

    it('state: null when absent, the last value written otherwise', async () => {
      assert.equal(await storage.getState('acks'), null);
      await storage.setState('acks', '{"home/cmd":4}');
      await storage.setState('acks', '{"home/cmd":5}');
      await storage.setState('server', 'http://127.0.0.1:1');
      assert.equal(await storage.getState('acks'), '{"home/cmd":5}');
      assert.equal(await storage.getState('server'), 'http://127.0.0.1:1');
    });

    it('behaves as the model under any sequence of enqueue and remove (fast-check)', async () => {
      const op = fc.oneof(
        fc.record({ kind: fc.constant('enqueue' as const), priority: fc.integer({ min: 0, max: 3 }), policy: fc.constantFrom('reject' as const, 'drop-oldest' as const) }),
        fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
          await storage.remove(await ids(storage)); // the same storage for every run: start empty
          const model: OutboxEntry[] = [];
          let n = 0;
          for (const o of ops) {
            if (o.kind === 'remove') {
              const victim = model[o.pick % Math.max(1, model.length)];
              if (victim) model.splice(model.indexOf(victim), 1);
              await storage.remove(victim ? [victim.id] : []);
              continue;
            }
            const e = entry(`e${n++}`, o.priority);
            const dropped = await storage.enqueue(e, 5, o.policy);
            let expected: OutboxEntry[] | null = [];
            if (model.length >= 5) {
              const candidates = model.filter((m) => m.priority <= e.priority);
              const lowest = Math.min(...candidates.map((m) => m.priority));
              const victim = o.policy === 'drop-oldest' ? candidates.find((m) => m.priority === lowest) : undefined;
              expected = victim ? [victim] : null;
              if (victim) model.splice(model.indexOf(victim), 1);
            }
            if (expected !== null) model.push(e);
            assert.deepEqual(dropped, expected);
          }
          const order = model.map((e, i) => ({ e, i })).sort((a, b) => b.e.priority - a.e.priority || a.i - b.i);
          assert.deepEqual(await ids(storage), order.map((x) => x.e.id));
          assert.equal(await storage.size(), model.length);
        }),
        { numRuns: 50 },
      );
    });

    if (under.reopen) {
      const reopen = under.reopen;
      it('keeps the outbox and the state across a close and a reopen', async () => {
        await storage.enqueue(entry('a', 1), 10, 'reject');
        await storage.enqueue(entry('b', 2), 10, 'reject');
        await storage.setState('config', '{"etag":"e1","values":{}}');
        storage = await reopen(storage);
        assert.deepEqual(await ids(storage), ['b', 'a']);
        assert.equal(await storage.getState('config'), '{"etag":"e1","values":{}}');
      });
    }
  });
}

/** Any storage answering every call with a promise, after a turn of the event loop (as IndexedDB does). */
export class DeferredStorage implements ClientStorage {
  constructor(private readonly inner: ClientStorage) {}
  private later<T>(f: () => T | Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => setImmediate(() => Promise.resolve().then(f).then(resolve, reject)));
  }
  enqueue(...args: Parameters<ClientStorage['enqueue']>) {
    return this.later(() => this.inner.enqueue(...args));
  }
  pending(max: number) {
    return this.later(() => this.inner.pending(max));
  }
  remove(ids: readonly string[]) {
    return this.later(() => this.inner.remove(ids));
  }
  size() {
    return this.later(() => this.inner.size());
  }
  getState(key: string) {
    return this.later(() => this.inner.getState(key));
  }
  setState(key: string, value: string) {
    return this.later(() => this.inner.setState(key, value));
  }
  close() {
    return this.later(() => this.inner.close());
  }
}
