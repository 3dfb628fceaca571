// vectors.json through the SDK's own transport: the headers it sends and the answers it accepts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ClientError } from './errors.js';
import { DEFAULT_RETRY, Transport } from './transport.js';

const vectors = JSON.parse(readFileSync(new URL('../../../spec/vectors.json', import.meta.url), 'utf8'));

interface Sent {
  url: string;
  headers: Record<string, string>;
}

/** A fetch that records the request and answers with the given response vector. */
function replay(response: { status: number; time: number; body: string; signature: string }, sent: Sent[]): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    sent.push({ url, headers: init.headers as Record<string, string> });
    return new Response(response.status === 304 ? null : response.body, {
      status: response.status,
      headers: { 'x-stratus-time': String(response.time), 'x-stratus-signature': response.signature },
    });
  }) as unknown as typeof fetch;
}

describe('SDK transport and vectors.json', () => {
  for (const request of vectors.requests) {
    it(`signs ${request.name} as the vector says`, async () => {
      const sent: Sent[] = [];
      const ok = { status: 200, time: request.time, body: '', signature: '' };
      const transport = new Transport({
        app: request.app,
        device: request.device,
        secret: vectors.secret,
        retry: DEFAULT_RETRY,
        fetch: replay(ok, sent),
        nowMs: () => request.time * 1000,
        nonce: () => request.nonce,
      });
      await transport.once('http://device.test', request.method, request.target, { body: request.body }).catch(() => undefined);
      assert.equal(sent[0]?.headers['x-stratus-signature'], request.signature);
      assert.equal(sent[0]?.headers['x-stratus-time'], String(request.time));
      assert.equal(sent[0]?.url, `http://device.test${request.target}`);
    });
  }

  for (const response of vectors.responses) {
    const transportFor = (answer: typeof response) =>
      new Transport({
        app: 'greenhouse',
        device: 'a4cf12fe0b11',
        secret: vectors.secret,
        retry: DEFAULT_RETRY,
        fetch: replay(answer, []),
        nowMs: () => answer.time * 1000,
        nonce: () => response.nonce,
      });

    it(`accepts ${response.name} and learns the server's time`, async () => {
      const transport = transportFor(response);
      const answer = await transport.once('http://device.test', 'GET', '/v1/config', {});
      assert.equal(answer.status, response.status);
      assert.equal(answer.text, response.status === 304 ? '' : response.body);
      assert.equal(transport.offsetSeconds, 0);
    });

    it(`refuses ${response.name} with one byte of the body or signature changed`, async () => {
      const tampered = [
        { ...response, signature: response.signature.replace(/^./, (c: string) => (c === '0' ? '1' : '0')) },
        ...(response.status < 400 && response.body ? [{ ...response, body: response.body + ' ' }] : []),
      ];
      for (const answer of tampered) {
        const result = await transportFor(answer)
          .once('http://device.test', 'GET', '/v1/config', {})
          .then((a) => a.status, (e: unknown) => e);
        if (answer.status < 400) {
          assert.ok(result instanceof ClientError && result.code === 'bad_response', `${answer.name}: ${String(result)}`);
        } else {
          assert.equal(result, answer.status); // an unverified refusal is still only an error
        }
      }
    });
  }
});
