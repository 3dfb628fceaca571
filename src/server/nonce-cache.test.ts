import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NonceCache, nonceHalves } from './nonce-cache.js';

const WINDOW = 300;

describe('NonceCache', () => {
  it('refuses a nonce seen before, per app and device', () => {
    const cache = new NonceCache(WINDOW);
    assert.equal(cache.remember('app', 'dev', 'n1', 1000), true);
    assert.equal(cache.remember('app', 'dev', 'n1', 1000), false);
    assert.equal(cache.remember('app', 'other', 'n1', 1000), true, 'nonces are per device');
    assert.equal(cache.remember('other', 'dev', 'n1', 1000), true, 'and per app');
    assert.equal(cache.remember('ap', 'pdev', 'n1', 1000), true, 'the parts do not run into each other');
  });

  it('keeps a nonce two windows after it arrived (a client clock a window ahead), and forgets it after three', () => {
    const cache = new NonceCache(WINDOW);
    for (let i = 0; i < 5000; i++) cache.remember('app', 'dev', `n${i}`, 1000);
    assert.equal(cache.size, 5000);
    assert.equal(cache.remember('app', 'dev', 'n1', 1000 + 2 * WINDOW), false);
    assert.equal(cache.remember('app', 'dev', 'n4999', 1000 + 2 * WINDOW), false);
    assert.equal(cache.remember('app', 'dev', 'n1', 1000 + 3 * WINDOW), true, 'forgotten: the time check refuses such a replay');
    assert.equal(cache.size, 1, 'memory follows the window');
  });

  it('has hash halves that do not collide together: nonces sharing one half under a key rarely share the other under any', () => {
    // Pairs of the test below's nonces whose first halves collide under one key (a few in 200,000)...
    const firsts = new Map<number, number>();
    const pairs: [number, number][] = [];
    for (let i = 0; i < 200_000; i++) {
      const [hi] = nonceHalves([0x5eed, 0], 'app', `d${i % 97}`, `n${i}`);
      const earlier = firsts.get(hi);
      if (earlier === undefined) firsts.set(hi, i);
      else pairs.push([earlier, i]);
    }
    assert.ok(pairs.length > 0, 'a 32-bit half collides among 200,000');
    // ...and their second halves under 2,000 other keys: ~2^-32 each if independent; with two FNV
    // halves ~0.2% did (the suite's run of 2026-11-30 refused a fresh nonce)
    let both = 0;
    for (const [x, y] of pairs) {
      for (let key = 1; key <= 2000; key++) {
        const lo = (i: number) => nonceHalves([0x5eed, key * 0x9e3779b1], 'app', `d${i % 97}`, `n${i}`)[1];
        if (lo(x) === lo(y)) both++;
      }
    }
    assert.equal(both, 0);
  });

  it('refuses every nonce again while it grows and after', () => {
    const cache = new NonceCache(WINDOW);
    for (let i = 0; i < 200_000; i++) {
      assert.equal(cache.remember('app', `d${i % 97}`, `n${i}`, 1000), true);
      // a nonce from earlier is refused while the table is moving to a bigger one
      if (i % 1000 === 999) assert.equal(cache.remember('app', `d${(i >> 1) % 97}`, `n${i >> 1}`, 1000), false);
    }
    for (let i = 0; i < 200_000; i += 7) assert.equal(cache.remember('app', `d${i % 97}`, `n${i}`, 1000), false);
    assert.equal(cache.size, 200_000);
    assert.equal(cache.remember('app', 'd0', 'next-window', 1000 + WINDOW), true);
    for (let i = 0; i < 200_000; i += 7) assert.equal(cache.remember('app', `d${i % 97}`, `n${i}`, 1000 + WINDOW), false, 'kept a window on');
  });

  it('never lets a nonce through twice within two windows, whatever the order of arrivals (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.constantFrom('d1', 'd2'), fc.integer({ min: 0, max: 400 })), { maxLength: 300 }),
        (steps) => {
          const cache = new NonceCache(WINDOW);
          const lastAccepted = new Map<string, number>();
          let now = 10_000;
          for (const [nonce, device, advance] of steps) {
            now += advance;
            const key = `${device}/${nonce}`;
            const accepted = cache.remember('app', device, nonce, now);
            const seen = lastAccepted.get(key);
            if (seen === undefined) assert.equal(accepted, true, `${key} was never seen`);
            else if (now - seen <= 2 * WINDOW) assert.equal(accepted, false, `${key} seen ${now - seen} s ago`);
            else if (now - seen >= 3 * WINDOW) assert.equal(accepted, true, `${key} seen ${now - seen} s ago is forgotten`);
            if (accepted) lastAccepted.set(key, now);
          }
        },
      ),
    );
  });
});
