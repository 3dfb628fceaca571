// PublishBatcher's batching rules, with a publish call the test answers when it chooses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewMessage, PublishOutcome } from '../types.js';
import { PublishBatcher } from './publish-batcher.js';

const message = (value: string): NewMessage => ({ appId: 1, scope: 's', owner: '', stream: 'x', clientId: null, writer: 'w', value, time: 1, expiresAt: 2 });

/** Records each call's values; `answer()` settles the oldest open call with seqs 1..n or an error. */
function heldCalls() {
  const calls: { values: string[]; settle: (error?: Error) => void }[] = [];
  const call = (messages: NewMessage[]) =>
    new Promise<PublishOutcome[]>((resolve, reject) => {
      calls.push({
        values: messages.map((m) => m.value),
        settle: (error) => (error ? reject(error) : resolve(messages.map((_, i) => ({ seq: i + 1, duplicate: false })))),
      });
    });
  let answered = 0;
  return { call, calls, answer: (error?: Error) => calls[answered++]?.settle(error) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('PublishBatcher', () => {
  it('sends at once while under the limit; what waits meanwhile goes in one call, each caller getting its own outcomes', async () => {
    const held = heldCalls();
    const batcher = new PublishBatcher(held.call, 1);
    const first = batcher.publish([message('a')], [1], 10);
    const second = batcher.publish([message('b'), message('c')], [1, 1], 10);
    const third = batcher.publish([message('d')], [1], 11);
    assert.deepEqual(held.calls.map((c) => c.values), [['a']]);
    held.answer();
    assert.deepEqual(await first, [{ seq: 1, duplicate: false }]);
    await tick();
    assert.deepEqual(held.calls.map((c) => c.values), [['a'], ['b', 'c', 'd']]);
    held.answer();
    assert.deepEqual((await second).map((o) => o.seq), [1, 2]);
    assert.deepEqual((await third).map((o) => o.seq), [3]);
  });

  it('a failed call rejects every publish in it, and the next call still goes', async () => {
    const held = heldCalls();
    const batcher = new PublishBatcher(held.call, 1);
    const first = batcher.publish([message('a')], [1], 10);
    const waiting = [batcher.publish([message('b')], [1], 10), batcher.publish([message('c')], [1], 10)];
    const failed = new Error('connection lost');
    held.answer(failed);
    await assert.rejects(first, failed);
    await tick();
    const late = batcher.publish([message('d')], [1], 10);
    held.answer(failed);
    for (const w of waiting) await assert.rejects(w, failed);
    await tick();
    assert.deepEqual(held.calls.map((c) => c.values), [['a'], ['b', 'c'], ['d']]);
    held.answer();
    assert.deepEqual(await late, [{ seq: 1, duplicate: false }]);
  });

  it('keeps a call under 2000 messages, but never splits one publish', async () => {
    const held = heldCalls();
    const batcher = new PublishBatcher(held.call, 1);
    const many = (n: number, tag: string) => Array.from({ length: n }, (_, i) => message(`${tag}${i}`));
    void batcher.publish(many(1, 'first'), [1], 1);
    const publishes = [many(1500, 'p'), many(400, 'q'), many(200, 'r'), many(2500, 's')].map((m) => batcher.publish(m, m.map(() => 1), 1));
    for (let i = 0; i < 4; i++) {
      held.answer();
      await tick();
    }
    assert.deepEqual(held.calls.map((c) => c.values.length), [1, 1900, 200, 2500]);
    held.answer();
    await Promise.all(publishes);
  });
});
