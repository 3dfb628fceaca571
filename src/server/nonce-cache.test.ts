import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonceCache } from './nonce-cache.js';

describe('NonceCache', () => {
  it('refuses a nonce seen before while its request time is inside the window', () => {
    const cache = new NonceCache(300);
    assert.equal(cache.remember('app', 'dev', 'n1', 1000, 1000), true);
    assert.equal(cache.remember('app', 'dev', 'n1', 1000, 1300), false);
    assert.equal(cache.remember('app', 'other', 'n1', 1000, 1000), true, 'nonces are per device');
  });

  it('forgets a nonce once its request time has left the window, so memory follows the window', () => {
    const cache = new NonceCache(300);
    for (let i = 0; i < 100; i++) cache.remember('app', 'dev', `n${i}`, 1000, 1000);
    cache.remember('app', 'dev', 'late', 1301, 1301);
    assert.equal(cache.size, 1);
    assert.equal(cache.remember('app', 'dev', 'n1', 1000, 1301), true);
  });

  it('keeps an entry behind one signed ahead of time until that one expires', () => {
    const cache = new NonceCache(300);
    cache.remember('app', 'dev', 'ahead', 1300, 1000); // time 300 s ahead of the server
    cache.remember('app', 'dev', 'normal', 1000, 1000);
    cache.remember('app', 'dev', 'x', 1400, 1400);
    assert.equal(cache.remember('app', 'dev', 'ahead', 1300, 1400), false);
    assert.equal(cache.remember('app', 'dev', 'normal', 1000, 1300), false);
  });
});
