// PROTOCOL §9: events read back from a stream body, signatures checked per position.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readLiveEvents } from './live-events.js';
import { sha256Hex, signLiveEvent } from './signing.js';

const SECRET = 's3cret-app-key';
const NONCE = 'n-live-1';

const frame = (id: number, json: string, signedId = id, signedJson = json) =>
  `id: ${id}\nevent: message\ndata: ${signLiveEvent(SECRET, { nonce: NONCE, id: signedId, dataSha256: sha256Hex(signedJson) })} ${json}\n\n`;

/** The text as a body cut into chunks at the given places. */
async function* chunks(text: string, cuts: number[]): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b).filter((c) => c > 0 && c < bytes.length)) {
    yield bytes.slice(at, cut);
    at = cut;
  }
  yield bytes.slice(at);
}

async function read(text: string, cuts: number[] = []) {
  const out = [];
  for await (const e of readLiveEvents(chunks(text, cuts), SECRET, NONCE)) out.push(e);
  return out;
}

describe('live events', () => {
  it('skips the retry hint and pings, and verifies each event', async () => {
    const events = await read(`retry: 2000\n\n${frame(1, '{"v":"a"}')}: ping\n\n${frame(2, '{"v":"b"}')}`);
    assert.deepEqual(events, [
      { id: 1, json: '{"v":"a"}', signatureValid: true },
      { id: 2, json: '{"v":"b"}', signatureValid: true },
    ]);
  });

  it('keeps values holding U+2028 and U+2029, which JSON does not escape', async () => {
    const json = JSON.stringify({ v: 'a\u2028b\u2029c' });
    assert.deepEqual(await read(frame(1, json)), [{ id: 1, json, signatureValid: true }]);
  });

  it('an event moved to another position, or with other bytes, does not verify', async () => {
    const [moved, altered] = await read(frame(2, '{"v":"a"}', 1) + frame(3, '{"v":"b"}', 3, '{"v":"c"}'));
    assert.equal(moved?.signatureValid, false);
    assert.equal(altered?.signatureValid, false);
  });

  it('reads the same events however the body is cut into chunks (UTF-8 included)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(400)), async (values, cuts) => {
        const text = values.map((v, i) => frame(i + 1, JSON.stringify({ v }))).join(': ping\n\n');
        const events = await read(text, cuts);
        assert.deepEqual(events.map((e) => JSON.parse(e.json).v), values);
        assert.ok(events.every((e) => e.signatureValid));
      }),
      { numRuns: 200 },
    );
  });
});
