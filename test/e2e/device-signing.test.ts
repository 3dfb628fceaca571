// PROTOCOL §2–§4 over real HTTP: request signing, response signing, errors, and vectors.json end to end.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  EMPTY_SHA256,
  HEADER_SIGNATURE,
  HEADER_TIME,
  parseEnvelope,
  requestHeaders,
  sha256Hex,
  signResponse,
  signedRequestHeaders,
  type SignedRequestHeaders,
} from '../../src/protocol/index.js';
import { TestDevice, admin } from '../support/device-client.js';
import { startInProcess, type InProcessServer } from '../support/in-process.js';
import { ROOT } from '../support/server-process.js';

const vectors = JSON.parse(readFileSync(join(ROOT, 'spec/vectors.json'), 'utf8'));
const vector = (list: any[], name: string) => list.find((v) => v.name === name);

/** Sends a request vector's exact headers and body. */
async function sendVector(url: string, v: any, extra: Record<string, string> = {}): Promise<Response> {
  return fetch(url + v.target, {
    method: v.method,
    headers: {
      ...extra,
      ...requestHeaders(v, v.signature),
      ...(v.body ? { 'content-type': v.target === '/v1/publish' ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
    },
    ...(v.body ? { body: v.body } : {}),
  });
}

/** A server at `time` holding the vectors' app and the config of the config-200 answer. */
async function greenhouseAt(time: number): Promise<InProcessServer> {
  const s = await startInProcess({}, time);
  await s.createApp('greenhouse', vectors.secret, 'open');
  await admin(s.url, s.adminToken, 'PATCH', '/v1/admin/apps/greenhouse/config', { set: { debug: '0', 'refresh interval': '300', variable: '7' } });
  return s;
}

describe('vectors.json against a running server', () => {
  it('config-200: the get-config request is accepted and the answer carries the vector signature', async () => {
    const req = vector(vectors.requests, 'get-config');
    const res = vector(vectors.responses, 'config-200');
    const s = await greenhouseAt(res.time);
    try {
      const answer = await sendVector(s.url, req);
      assert.equal(answer.status, 200);
      assert.equal(await answer.text(), res.body);
      assert.equal(answer.headers.get(HEADER_TIME), String(res.time));
      assert.equal(answer.headers.get(HEADER_SIGNATURE), res.signature);
    } finally {
      await s.close();
    }
  });

  it('forbidden-403: the sync request of an unapproved device gets the vector answer', async () => {
    const req = vector(vectors.requests, 'sync');
    const res = vector(vectors.responses, 'forbidden-403');
    const s = await startInProcess({}, res.time);
    try {
      await s.createApp('greenhouse', vectors.secret, 'approval');
      const answer = await sendVector(s.url, req);
      assert.equal(answer.status, 403);
      assert.equal(await answer.text(), res.body);
      assert.equal(answer.headers.get(HEADER_SIGNATURE), res.signature);
    } finally {
      await s.close();
    }
  });

  it('query-and-unicode and utf8-body requests are accepted; the form value is stored as UTF-8', async () => {
    const q = vector(vectors.requests, 'query-and-unicode');
    const u = vector(vectors.requests, 'utf8-body');
    const s = await startInProcess({}, u.time);
    try {
      await s.createApp('greenhouse', vectors.secret, 'open');
      assert.equal((await sendVector(s.url, q)).status, 200);
      const published = await sendVector(s.url, u);
      assert.equal(published.status, 200);
      const read = await admin(s.url, s.adminToken, 'GET', '/v1/admin/apps/greenhouse/messages?scope=home&stream=note');
      assert.deepEqual(read.json.messages.map((m: any) => [m.value, m.from]), [['été 21°C', 'a4cf12fe0b11']]);
    } finally {
      await s.close();
    }
  });
});

describe('request signing (PROTOCOL §2) and answers (§3, §4)', () => {
  let s: InProcessServer;
  let device: TestDevice;
  before(async () => {
    s = await startInProcess();
    await s.createApp('farm', 'farm-secret');
    device = new TestDevice(s.url, 'farm', 'farm-secret', 'dev-a', s.now);
  });
  after(() => s.close());

  it('a signed request is answered with a verifiable signature and the server time', async () => {
    const r = await device.send('GET', '/v1/config');
    assert.equal(r.status, 200);
    assert.equal(r.signatureValid, true);
    assert.equal(r.headers.get(HEADER_TIME), String(s.now()));
  });

  it('a wrong secret is bad_signature, and the answer is still signed with the app secret', async () => {
    const r = await device.send('GET', '/v1/config', { secret: 'not-the-secret' });
    assert.equal(r.status, 401);
    assert.deepEqual(r.json.error.code, 'bad_signature');
    assert.equal(r.signatureValid, true);
  });

  it('an unknown app is bad_signature, unsigned, with the server time', async () => {
    const stranger = new TestDevice(s.url, 'no-such-app', 'x', 'dev-a', s.now);
    const r = await stranger.send('GET', '/v1/config');
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, 'bad_signature');
    assert.equal(r.headers.get(HEADER_SIGNATURE), null);
    assert.equal(r.headers.get(HEADER_TIME), String(s.now()));
  });

  it('a body other than the one signed is bad_signature', async () => {
    const r = await device.send('POST', '/v1/sync', { body: { publish: [] }, signedBody: '{"publish":[{"x":1}]}' });
    assert.equal(r.json.error.code, 'bad_signature');
  });

  it('the query string is signed exactly as sent', async () => {
    const signed = await device.send('GET', '/v1/messages?scope=home&stream=cmd');
    assert.equal(signed.status, 200);
    const time = s.now();
    const r = await fetch(s.url + '/v1/messages?scope=home&stream=cmd', {
      headers: signedHeaders(device, 'GET', '/v1/messages?stream=cmd&scope=home', time),
    });
    assert.equal(((await r.json()) as any).error.code, 'bad_signature');
  });

  it('time outside ±300 s is stale_time; inside it is accepted', async () => {
    assert.equal((await device.send('GET', '/v1/config', { time: s.now() - 301 })).json.error.code, 'stale_time');
    assert.equal((await device.send('GET', '/v1/config', { time: s.now() + 301 })).json.error.code, 'stale_time');
    assert.equal((await device.send('GET', '/v1/config', { time: s.now() - 299 })).status, 200);
  });

  it('a nonce used again inside the window is replayed', async () => {
    assert.equal((await device.send('GET', '/v1/config', { nonce: 'once-only' })).status, 200);
    const again = await device.send('GET', '/v1/config', { nonce: 'once-only' });
    assert.equal(again.status, 401);
    assert.equal(again.json.error.code, 'replayed');
  });

  it('missing signature headers are bad_signature', async () => {
    const r = await fetch(s.url + '/v1/config', { headers: { 'x-stratus-app': 'farm' } });
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as any).error.code, 'bad_signature');
  });

  it('errors come as text when text/plain is asked for', async () => {
    const r = await device.send('GET', '/v1/config', { secret: 'wrong', headers: { accept: 'text/plain' } });
    assert.equal(r.status, 401);
    assert.match(r.text, /^error: bad_signature /);
  });

  it('unknown routes are not_found in the error format', async () => {
    const r = await device.send('GET', '/v1/nowhere');
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'not_found');
  });
});

function signedHeaders(device: TestDevice, method: string, target: string, time: number): SignedRequestHeaders {
  const nonce = `n${Math.random().toString(36).slice(2)}`;
  return signedRequestHeaders(device.secret, { method, target, app: device.app, device: device.guid, time, nonce, bodySha256: EMPTY_SHA256 });
}

describe('rate limit per device', () => {
  it('answers rate_limited with Retry-After once the burst is spent, per device', async () => {
    const s = await startInProcess({ deviceRatePerSecond: 1, deviceRateBurst: 2 });
    try {
      await s.createApp('busy', 'busy-secret');
      const d = new TestDevice(s.url, 'busy', 'busy-secret', 'chatty', s.now);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await d.send('GET', '/v1/config')).status);
      assert.deepEqual(statuses, [200, 200, 429]);
      const limited = await d.send('GET', '/v1/config');
      assert.equal(limited.json.error.code, 'rate_limited');
      assert.equal(limited.headers.get('retry-after'), '1');
      assert.equal(limited.signatureValid, true);
      const other = new TestDevice(s.url, 'busy', 'busy-secret', 'quiet', s.now);
      assert.equal((await other.send('GET', '/v1/config')).status, 200);
    } finally {
      await s.close();
    }
  });
});

describe('the answer envelope (PROTOCOL §3.1) against a running server', () => {
  const ENVELOPE = { accept: 'text/plain; envelope=1' };
  const headerSignatureHolds = async (answer: Response, nonce: string, text: string) =>
    assert.equal(
      answer.headers.get(HEADER_SIGNATURE),
      signResponse(vectors.secret, { nonce, status: answer.status, time: Number(answer.headers.get(HEADER_TIME)), bodySha256: sha256Hex(text) }),
    );

  it('config-200 enveloped is the vector, and the header signature covers the body as sent', async () => {
    const req = vector(vectors.requests, 'get-config');
    const res = vector(vectors.responses, 'config-200');
    const s = await greenhouseAt(res.time);
    try {
      const answer = await sendVector(s.url, req, ENVELOPE);
      const text = await answer.text();
      assert.equal(answer.status, 200);
      assert.equal(text, res.enveloped);
      await headerSignatureHolds(answer, req.nonce, text);
      const again = await sendVector(s.url, req, { accept: 'text/plain; envelope=0' });
      assert.match(await again.text(), /^error: replayed /, 'envelope=0 asks for none (and the nonce was used)');
    } finally {
      await s.close();
    }
  });

  it('a 304 goes out as 200 with the envelope saying 304; an error carries its code and Retry-After', async () => {
    const s = await startInProcess({}, 1732300000);
    try {
      await s.createApp('greenhouse', vectors.secret, 'open');
      const device = new TestDevice(s.url, 'greenhouse', vectors.secret, 'env-1', s.now);
      const first = await device.send('GET', '/v1/config', { headers: ENVELOPE, nonce: 'env-a' });
      const etag = first.headers.get('etag') ?? '';
      const unchanged = await device.send('GET', '/v1/config', { headers: { ...ENVELOPE, 'if-none-match': etag }, nonce: 'env-b' });
      assert.equal(unchanged.status, 200);
      assert.equal(unchanged.signatureValid, true);
      const opened = parseEnvelope(unchanged.text);
      assert.deepEqual(opened?.envelope, {
        status: 304,
        time: 1732300000,
        retryAfterSeconds: 0,
        signature: signResponse(vectors.secret, { nonce: 'env-b', status: 304, time: 1732300000, bodySha256: EMPTY_SHA256 }),
      });
      assert.equal(opened?.body, '');

      const stale = await device.send('GET', '/v1/config', { headers: ENVELOPE, nonce: 'env-c', time: 1732290000 });
      assert.equal(stale.status, 401);
      const error = parseEnvelope(stale.text);
      assert.equal(error?.envelope.status, 401);
      assert.match(error?.body ?? '', /^error: stale_time /);
      assert.equal(error?.envelope.signature, signResponse(vectors.secret, { nonce: 'env-c', status: 401, time: 1732300000, bodySha256: sha256Hex(error?.body ?? '') }));

      const json = await device.send('GET', '/v1/config', { nonce: 'env-d' });
      assert.equal(parseEnvelope(json.text), null, 'no envelope unless asked for');
    } finally {
      await s.close();
    }
  });
});
