// spec/vectors.json both ways: the code reproduces the file byte for byte, and every case of the
// file checks out against the code on its own (so a hand edit and a code change are both caught).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  configEtag,
  errorText,
  formatConfigText,
  formatLiveEvent,
  formatSyncText,
  hmacHex,
  parseConfigText,
  parseEnvelope,
  parseSyncRequestText,
  parseSyncText,
  readLiveEvents,
  requestStringToSign,
  responseStringToSign,
  sha256Hex,
  signRequest,
  signResponse,
  statusOf,
  verifyStaticConfig,
  type ErrorCode,
} from '../src/protocol/index.js';
import { CONTRACT_VERSION, VECTORS_FILE, renderVectors } from './vectors.js';

const file = readFileSync(VECTORS_FILE, 'utf8');
const vectors = JSON.parse(file);

describe('spec/vectors.json', () => {
  it('is what the code produces, byte for byte (`npm run vectors` rewrites it)', () => {
    assert.equal(file, renderVectors());
  });

  it('names the contract version of spec/PROTOCOL.md and holds at least 25 cases', () => {
    assert.equal(vectors.contract, CONTRACT_VERSION);
    const spec = readFileSync(new URL('../../spec/PROTOCOL.md', import.meta.url), 'utf8');
    assert.match(spec, new RegExp(`^# Stratus wire contract, version ${CONTRACT_VERSION.replace('.', '\\.')}$`, 'm'));
    const cases = ['requests', 'responses', 'configText', 'configParse', 'staticConfig', 'syncText', 'errors', 'liveEvents', 'etags', 'hmac'];
    const count = cases.reduce((n, key) => n + vectors[key].length, 0);
    assert.ok(count >= 25, `${count} cases`);
  });
});

describe('vectors: request and response signing (§2, §3)', () => {
  for (const v of vectors.requests) {
    it(`request ${v.name}`, () => {
      assert.equal(sha256Hex(Buffer.from(v.body, 'utf8')), v.bodySha256);
      assert.equal(requestStringToSign(v), v.stringToSign);
      assert.equal(signRequest(vectors.secret, v), v.signature);
      assert.equal(hmacHex(vectors.secret, v.stringToSign), v.signature);
    });
  }
  for (const v of vectors.responses) {
    it(`response ${v.name}`, () => {
      assert.equal(sha256Hex(Buffer.from(v.body, 'utf8')), v.bodySha256);
      assert.equal(responseStringToSign(v), v.stringToSign);
      assert.equal(signResponse(vectors.secret, v), v.signature);
      assert.deepEqual(parseEnvelope(v.enveloped), {
        envelope: { status: v.status, time: v.time, retryAfterSeconds: v.retryAfterSeconds, signature: v.signature },
        body: v.body,
      });
    });
  }
  it('HMAC-SHA256 of RFC 4231 test case 2, and a key longer than a block', () => {
    const [rfc, long] = vectors.hmac;
    assert.equal(rfc.hmac, '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    assert.equal(hmacHex(rfc.key, rfc.message), rfc.hmac);
    assert.equal(hmacHex(long.key, long.message), long.hmac);
    assert.ok(Buffer.byteLength(long.key) > 64);
  });
});

describe('vectors: config text (§5)', () => {
  for (const v of vectors.configText) {
    it(`formats and parses ${v.name}`, () => {
      assert.equal(formatConfigText(v.values), v.text);
      assert.deepEqual(parseConfigText(v.text), v.values);
      assert.doesNotMatch(v.text.replace(/\n/g, ''), /\r/);
    });
  }
  for (const v of vectors.configParse) {
    it(`parses ${v.name}`, () => assert.deepEqual(parseConfigText(v.text), v.values));
  }
  for (const v of vectors.etags) {
    it(`ETag of ${JSON.stringify(v.text).slice(0, 20)}`, () => assert.equal(configEtag(v.text), v.etag));
  }
});

describe('vectors: static config files (§5.4)', () => {
  for (const v of vectors.staticConfig) {
    it(`${v.name}: ${v.values ? 'verified' : 'refused'}`, () => {
      assert.deepEqual(verifyStaticConfig(vectors.secret, v.file, { app: v.app, device: v.device }), v.values);
    });
  }
});

describe('vectors: sync (§6)', () => {
  it('the request body is the JSON of the request, and the sync request vector signs it', () => {
    assert.equal(JSON.stringify(vectors.sync.request), vectors.sync.requestBody);
    assert.equal(vectors.requests.find((r: { name: string }) => r.name === 'sync').body, vectors.sync.requestBody);
  });
  it('the text request carries the same request as the JSON one, and the sync-text request vector signs it', () => {
    assert.deepEqual(parseSyncRequestText(vectors.sync.requestText), vectors.sync.request);
    assert.equal(vectors.requests.find((r: { name: string }) => r.name === 'sync-text').body, vectors.sync.requestText);
  });
  it('the JSON and text answer vectors carry the same answer', () => {
    const json = JSON.parse(vectors.responses.find((r: { name: string }) => r.name === 'sync-json-200').body);
    const text = parseSyncText(vectors.responses.find((r: { name: string }) => r.name === 'sync-text-200').body);
    assert.deepEqual({ ...json, config: null }, { ...text, config: null });
    assert.equal(formatConfigText(json.config.values), text.config?.text);
    assert.equal(json.config.etag, text.config?.etag);
  });
  for (const v of vectors.syncText) {
    it(`text answer ${v.name}`, () => {
      assert.equal(formatSyncText(v.answer), v.body);
      assert.deepEqual(parseSyncText(v.body), v.answer);
    });
  }
});

describe('vectors: errors (§4) and live events (§9)', () => {
  for (const v of vectors.errors) {
    it(`error ${v.name}`, () => {
      assert.equal(statusOf(v.code as ErrorCode), v.status);
      const body = v.accept === 'text/plain' ? errorText(v.code, v.message) : JSON.stringify({ error: { code: v.code, message: v.message } });
      assert.equal(body, v.body);
    });
  }
  for (const v of vectors.liveEvents) {
    it(`live event ${v.name}`, async () => {
      assert.equal(formatLiveEvent(vectors.secret, v.nonce, v.id, v.json), v.event);
      assert.equal(v.event, `id: ${v.id}\nevent: message\ndata: ${v.signature} ${v.json}\n\n`);
      const read = [];
      const body = (async function* () {
        yield Buffer.from(v.event);
      })();
      for await (const e of readLiveEvents(body, vectors.secret, v.nonce)) read.push(e);
      assert.deepEqual(read, [{ id: v.id, json: v.json, signatureValid: true }]);
    });
  }
});
