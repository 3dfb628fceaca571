// The browser's SHA-256 and HMAC (digest-web.ts) against Node's (digest.ts), and vectors.json's
// signatures through the browser's code.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as node from './digest.js';
import * as web from './digest-web.js';
import { requestStringToSign, responseStringToSign } from './signing.js';

const vectors = JSON.parse(readFileSync(new URL('../../../spec/vectors.json', import.meta.url), 'utf8'));
const text = fc.string({ unit: 'binary', maxLength: 300 });

describe('digest-web (browsers) agrees with node:crypto', () => {
  it('SHA-256 of strings (UTF-8, any length across block boundaries) and bytes', () => {
    for (const known of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'a'.repeat(1000)]) assert.equal(web.sha256Hex(known), node.sha256Hex(known));
    fc.assert(fc.property(text, (s) => web.sha256Hex(s) === node.sha256Hex(s)));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => web.sha256Hex(b) === node.sha256Hex(b)));
  });

  it('HMAC-SHA256 with short and long keys', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 150 }), text, (key, s) => web.hmacHex(key, s) === node.hmacHex(key, s)));
  });

  it('reproduces the request and response signatures of vectors.json', () => {
    for (const r of vectors.requests) assert.equal(web.hmacHex(vectors.secret, requestStringToSign(r)), r.signature, r.name);
    for (const r of vectors.responses) assert.equal(web.hmacHex(vectors.secret, responseStringToSign(r)), r.signature, r.name);
  });

  it('compares hex strings as equal only when every character is', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), fc.stringMatching(/^[0-9a-f]{64}$/), (a, b) => web.hexEqual(a, b) === (a === b) && node.hexEqual(a, b) === (a === b)));
  });
});
