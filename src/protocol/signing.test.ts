// spec/PROTOCOL.md §2, §3 and §5.4: properties of the signatures that spec/vectors.json cannot show.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { keyProblem, signStaticConfig, verifyStaticConfig } from './config-text.js';
import { APP_NAME, DEVICE_GUID, NONCE } from './names.js';
import {
  EMPTY_SHA256,
  sha256Hex,
  signRequest,
  signResponse,
  signaturesEqual,
  type RequestToSign,
  type ResponseToSign,
} from './signing.js';

interface RequestVector extends RequestToSign {
  name: string;
  signature: string;
}

// Compiled to dist/src/protocol/, so the repository root is three levels up. spec/vectors.test.ts
// checks every vector; this file adds what the vectors cannot show.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const vectors = JSON.parse(readFileSync(join(ROOT, 'spec/vectors.json'), 'utf8')) as { secret: string; requests: RequestVector[] };

const request = (v: RequestVector): RequestToSign => ({
  method: v.method,
  target: v.target,
  app: v.app,
  device: v.device,
  time: v.time,
  nonce: v.nonce,
  bodySha256: v.bodySha256,
});

describe('request vectors', () => {
  it('the method is signed upper case whatever case it is given in', () => {
    for (const v of vectors.requests) assert.equal(signRequest(vectors.secret, { ...request(v), method: v.method.toLowerCase() }), v.signature, v.name);
  });
  it('an empty body hashes to EMPTY_SHA256, as string or bytes', () => {
    assert.equal(sha256Hex(''), EMPTY_SHA256);
    assert.equal(sha256Hex(new Uint8Array(0)), EMPTY_SHA256);
    assert.equal(EMPTY_SHA256, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

// HMAC pads a key shorter than its block with zero bytes, so "k" and "k\0" sign alike; secrets are
// printable (the server makes them), and so are the ones generated here.
const secretArb = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 80 });
const hexArb = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });
const requestArb: fc.Arbitrary<RequestToSign> = fc.record({
  method: fc.constantFrom('GET', 'get', 'POST', 'Post', 'PUT', 'PATCH', 'DELETE', 'HEAD'),
  target: fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
  app: fc.stringMatching(APP_NAME),
  device: fc.stringMatching(DEVICE_GUID),
  time: fc.integer({ min: 0, max: 2 ** 40 }),
  nonce: fc.stringMatching(NONCE),
  bodySha256: hexArb,
});
const responseArb: fc.Arbitrary<ResponseToSign> = fc.record({
  nonce: fc.stringMatching(NONCE),
  status: fc.integer({ min: 100, max: 599 }),
  time: fc.integer({ min: 0, max: 2 ** 40 }),
  bodySha256: hexArb,
});

/** Verification as a device or the server does it: recompute, compare in constant time. */
const verifies = (secret: string, r: RequestToSign, signature: string): boolean =>
  signaturesEqual(signRequest(secret, r), signature);

describe('signature properties', () => {
  it('a request signature verifies with its own secret and fields', () => {
    fc.assert(fc.property(secretArb, requestArb, (secret, r) => verifies(secret, r, signRequest(secret, r))));
  });

  it('a request signature verifies under no other secret', () => {
    fc.assert(
      fc.property(secretArb, secretArb, requestArb, (a, b, r) => {
        fc.pre(a !== b);
        assert.equal(verifies(b, r, signRequest(a, r)), false);
      }),
    );
  });

  it('changing any one request field changes the signature', () => {
    const fields = ['method', 'target', 'app', 'device', 'time', 'nonce', 'bodySha256'] as const;
    fc.assert(
      fc.property(secretArb, requestArb, requestArb, fc.constantFrom(...fields), (secret, r, other, field) => {
        const changed: RequestToSign = { ...r, [field]: other[field] };
        fc.pre(field === 'method' ? changed.method.toUpperCase() !== r.method.toUpperCase() : changed[field] !== r[field]);
        assert.notEqual(signRequest(secret, changed), signRequest(secret, r));
        assert.equal(verifies(secret, changed, signRequest(secret, r)), false);
      }),
    );
  });

  it('changing any one response field, or the secret, changes the response signature', () => {
    const fields = ['nonce', 'status', 'time', 'bodySha256'] as const;
    fc.assert(
      fc.property(secretArb, responseArb, responseArb, fc.constantFrom(...fields), (secret, r, other, field) => {
        const changed: ResponseToSign = { ...r, [field]: other[field] };
        fc.pre(changed[field] !== r[field]);
        assert.notEqual(signResponse(secret, changed), signResponse(secret, r));
        assert.equal(signaturesEqual(signResponse(secret, r), signResponse(secret, changed)), false);
      }),
    );
    fc.assert(
      fc.property(secretArb, secretArb, responseArb, (a, b, r) => {
        fc.pre(a !== b);
        assert.notEqual(signResponse(a, r), signResponse(b, r));
      }),
    );
  });
});

describe('signaturesEqual', () => {
  const good = signRequest(vectors.secret, request(vectors.requests[0] as RequestVector));

  it('is true only for the identical lower-case hex string: table', () => {
    const table: [string, boolean][] = [
      [good, true],
      [good.toUpperCase(), false],
      [good.slice(0, -1), false],
      [`${good}0`, false],
      [`${good.slice(0, -1)}g`, false],
      [`${good.slice(0, -2)}  `, false],
      [` ${good.slice(1)}`, false],
      ['', false],
      [good.slice(0, 32), false],
      [`${good.slice(0, -1)}é`, false],
      [`${good}${good}`, false],
    ];
    for (const [given, expected] of table) assert.equal(signaturesEqual(good, given), expected, JSON.stringify(given));
  });

  it('is false for malformed or different-length input, true only for the same string', () => {
    const mutation = (expected: string): fc.Arbitrary<string> =>
      fc.oneof(
        fc.constant(expected),
        fc.constant(expected.toUpperCase()),
        fc.string({ unit: 'binary', maxLength: 130 }),
        hexArb,
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), maxLength: 130 }),
        fc.tuple(fc.nat({ max: 63 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 2 })).map(
          ([at, c]) => expected.slice(0, at) + c + expected.slice(at + 1),
        ),
        fc.nat({ max: 63 }).map((at) => expected.slice(0, at) + expected.slice(at + 1)),
      );
    fc.assert(
      fc.property(
        hexArb.chain((expected) => fc.tuple(fc.constant(expected), mutation(expected))),
        ([expected, given]) => {
          assert.equal(signaturesEqual(expected, given), expected === given);
        },
      ),
    );
  });
});

const keyArb = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }),
    fc.constantFrom('signature', '#x', '__proto__', 'stratus.refresh', 'refresh interval'),
  )
  .filter((k) => keyProblem(k) === null);
const valueArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\\', '\n', '\r', 'n', 'r', ' ', ':', 'a'), maxLength: 20 }),
);
const valuesArb = fc
  .uniqueArray(fc.tuple(keyArb, valueArb), { selector: ([k]) => k, maxLength: 8 })
  .map((pairs) => Object.fromEntries(pairs));
const guidArb = fc.oneof(fc.stringMatching(DEVICE_GUID), fc.constant('*'));

describe('static config properties (PROTOCOL §5)', () => {
  it('a signed file verifies to exactly its values', () => {
    fc.assert(
      fc.property(secretArb, fc.stringMatching(APP_NAME), guidArb, valuesArb, (secret, app, device, values) => {
        assert.deepEqual(verifyStaticConfig(secret, signStaticConfig(secret, app, device, values)), values);
      }),
    );
  });

  it('a signed file verifies under no other secret', () => {
    fc.assert(
      fc.property(secretArb, secretArb, fc.stringMatching(APP_NAME), guidArb, valuesArb, (a, b, app, device, values) => {
        fc.pre(a !== b);
        assert.equal(verifyStaticConfig(b, signStaticConfig(a, app, device, values)), null);
      }),
    );
  });

  it('any single-byte modification of a signed file is rejected', () => {
    fc.assert(
      fc.property(
        secretArb,
        fc.stringMatching(APP_NAME),
        guidArb,
        valuesArb,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (secret, app, device, values, position, byte) => {
          const file = signStaticConfig(secret, app, device, values);
          const bytes = Buffer.from(file, 'utf8');
          const at = position % bytes.length;
          fc.pre(bytes[at] !== byte);
          const modified = Buffer.from(bytes);
          modified[at] = byte;
          const text = modified.toString('utf8');
          // Bytes that are not UTF-8 decode to U+FFFD; the verifier reads text, so a change must show in it.
          fc.pre(text !== file);
          assert.equal(verifyStaticConfig(secret, text), null);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
