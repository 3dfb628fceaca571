// Device input is checked by the wire items' schemas (protocol/schemas.ts), and a refusal says
// which field and what it must be, as the hand-written checks before them did.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StratusError, publishItemSchema, syncBodySchema } from '../../protocol/index.js';
import { DEFAULT_SERVER_OPTIONS } from '../options.js';
import { deviceOpenApiPaths } from '../routes/device/openapi.js';
import { toNewMessage, toSubscription } from './items.js';
import type { DeviceContext } from './types.js';
import { wireError, wireValidators } from './wire-validation.js';

const options = DEFAULT_SERVER_OPTIONS;
const ctx = {
  app: { id: 1, defaultTtlSeconds: 3600, maxTtlSeconds: 86_400 },
  device: { id: 1, guid: 'g-1' },
  grants: [
    { action: 'publish', scope: 'home', stream: '*' },
    { action: 'subscribe', scope: '*', stream: '*' },
  ],
  now: 1_800_000_000,
} as unknown as DeviceContext;

function refusal(check: () => unknown): [string, string] {
  try {
    check();
  } catch (error) {
    assert.ok(error instanceof StratusError);
    return [error.code, error.message];
  }
  return ['accepted', ''];
}

describe('wire validation', () => {
  const publishCases: [unknown, string, string][] = [
    [5, 'bad_request', 'p[0] must be an object'],
    [{ value: 'v' }, 'bad_request', 'p[0]: stream must match [A-Za-z0-9_.:/-]{1,128}'],
    [{ stream: 's' }, 'bad_request', 'p[0]: value must be a string'],
    [{ id: 'bad id', stream: 's', value: 'v' }, 'bad_request', 'p[0]: id must match [A-Za-z0-9_.:-]{1,128}'],
    [{ scope: '$stratus', stream: 's', value: 'v' }, 'bad_request', 'p[0]: scope must be PRIVATE or match [A-Za-z0-9_.-]{1,64}'],
    [{ stream: 's', value: 'v', ttl: 0 }, 'bad_request', 'p[0]: ttl must be an integer from 1 to 86400'],
    [{ stream: 's', value: 'v', ttl: 86_401 }, 'bad_request', 'p[0]: ttl must be an integer from 1 to 86400'],
    [{ stream: 's', value: 'v', colour: 'red' }, 'bad_request', 'p[0]: unknown field "colour"'],
    [{ stream: 's', value: 'a\u0000b' }, 'bad_request', 'p[0]: value may not contain NUL'],
    [{ stream: 's', value: 'é'.repeat(40_000) }, 'too_large', 'p[0]: value is 80000 bytes; the limit is 65536'],
    [{ scope: 'garden', stream: 's', value: 'v' }, 'forbidden', 'no publish grant for garden/s'],
    [{ scope: 'home', stream: 's', value: 'v', ttl: 60, id: 'm-1' }, 'accepted', ''],
  ];
  for (const [item, code, message] of publishCases) {
    it(`publish item ${JSON.stringify(item).slice(0, 60)} → ${code}`, () => {
      assert.deepEqual(refusal(() => toNewMessage(ctx, item, options, 'p[0]')), [code, message]);
    });
  }

  const subscriptionCases: [unknown, string, string][] = [
    [{ stream: 's', after: -1 }, 'bad_request', 's[0]: after must be an integer from 0 to 9007199254740991'],
    [{ stream: 's', after: '3' }, 'bad_request', 's[0]: after must be an integer from 0 to 9007199254740991'],
    [{ stream: 's', limit: 1001 }, 'bad_request', 's[0]: limit must be an integer from 1 to 1000'],
    [{ stream: 's', reset: 'yes' }, 'bad_request', 's[0]: reset must be true or false'],
    [{ stream: 's', after: null, limit: null, reset: false }, 'accepted', ''],
  ];
  for (const [item, code, message] of subscriptionCases) {
    it(`subscription ${JSON.stringify(item)} → ${code}`, () => {
      assert.deepEqual(refusal(() => toSubscription(ctx, item, options, 's[0]')), [code, message]);
    });
  }

  it('reads a subscription as the store wants it: PRIVATE by default, owned by the device', () => {
    const s = toSubscription(ctx, { stream: 'notes', limit: 5 }, options, 's[0]');
    assert.deepEqual(s, { appId: 1, scope: 'PRIVATE', owner: 'g-1', stream: 'notes', after: null, limit: 5, reset: false, pageSize: 5 });
  });

  it('checks the sync envelope alone, naming the field; too many items is too_large', () => {
    const { syncEnvelope } = wireValidators(options);
    const envelope = (body: unknown) => (syncEnvelope.check(body) ? ['accepted', ''] : refusal(() => { throw wireError(syncEnvelope, body, '', { config: 'be the ETag held, or null' }); }));
    assert.deepEqual(envelope([1]), ['bad_request', 'the body must be a JSON object']);
    assert.deepEqual(envelope({ publsh: [] }), ['bad_request', 'unknown field "publsh"']);
    assert.deepEqual(envelope({ publish: {} }), ['bad_request', 'publish must be an array']);
    assert.deepEqual(envelope({ config: 5 }), ['bad_request', 'config must be the ETag held, or null']);
    assert.deepEqual(envelope({ subscribe: Array.from({ length: 101 }, () => ({})) }), ['too_large', 'subscribe holds 101 items; the limit is 100']);
    assert.deepEqual(envelope({ publish: [1, 'items are checked one by one'], subscribe: null, config: null }), ['accepted', '']);
  });

  it('gives the OpenAPI document of the device routes the schemas it validates with', () => {
    const paths = deviceOpenApiPaths(options) as Record<string, any>;
    assert.deepEqual(paths['/v1/sync'].post.requestBody.content['application/json'].schema, syncBodySchema(options));
    assert.deepEqual(paths['/v1/publish'].post.requestBody.content['application/x-www-form-urlencoded'].schema, publishItemSchema());
    const query = paths['/v1/messages'].get.parameters.filter((p: { in: string }) => p.in === 'query');
    assert.deepEqual(query.map((p: { name: string; required: boolean }) => [p.name, p.required]), [['scope', false], ['stream', true], ['after', false], ['limit', false], ['reset', false]]);
    assert.deepEqual(paths['/v1/sync'].post.parameters.map((p: { name: string }) => p.name), ['X-Stratus-App', 'X-Stratus-Device', 'X-Stratus-Time', 'X-Stratus-Nonce', 'X-Stratus-Signature']);
  });
});
