// Strict text (text.ts): what node:buffer and URLSearchParams would have silently replaced is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeUtf8, isWellFormed, parseStrictForm, parseStrictJson } from './text.js';

describe('strict text', () => {
  it('decodeUtf8 agrees with Buffer for valid UTF-8 and refuses what Buffer would replace with U+FFFD', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const lenient = Buffer.from(bytes).toString('utf8');
        const valid = Buffer.from(lenient, 'utf8').equals(Buffer.from(bytes));
        assert.equal(decodeUtf8(bytes), valid ? lenient : null);
      }),
    );
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x61, 0x80]]) assert.equal(decodeUtf8(Uint8Array.from(bad)), null, String(bad));
  });

  it('isWellFormed is false exactly for strings with a lone surrogate', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => isWellFormed(s)));
    for (const bad of ['a\ud800b', '\udc00', 'x\ud83d', '\ude00y']) assert.equal(isWellFormed(bad), false, JSON.stringify(bad));
    assert.equal(isWellFormed('😀'), true);
  });

  it('parseStrictJson parses like JSON.parse but refuses lone surrogates in strings and keys', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => assert.deepEqual(parseStrictJson(JSON.stringify(v)), JSON.parse(JSON.stringify(v)))));
    assert.deepEqual(parseStrictJson('{"v":"\\ud83d\\ude00"}'), { v: '😀' });
    for (const bad of ['{"v":"a\\ud800b"}', '{"\\udc00":1}', '["\\uDBFF"]']) assert.throws(() => parseStrictJson(bad), SyntaxError, bad);
  });

  it('parseStrictForm decodes like URLSearchParams for valid input and refuses bad escapes', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1 }), fc.string({ unit: 'grapheme' })), (fields) => {
        const text = new URLSearchParams(fields).toString();
        assert.deepEqual(parseStrictForm(text), Object.fromEntries(new URLSearchParams(text)));
      }),
    );
    for (const bad of ['v=%FF', 'v=%C3', 'v=%ED%A0%80', 'v=%', 'v=%G1']) assert.equal(parseStrictForm(bad), null, bad);
    assert.deepEqual(parseStrictForm('__proto__=x&a=b+c'), Object.fromEntries([['__proto__', 'x'], ['a', 'b c']]));
  });
});
