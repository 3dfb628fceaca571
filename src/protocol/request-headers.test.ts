// PROTOCOL §2: the headers of a signed request, checked against spec/vectors.json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { requestHeaders, signedRequestHeaders } from './request-headers.js';
import type { RequestToSign } from './signing.js';

// Compiled to dist/src/protocol/, so the repository root is three levels up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const vectors = JSON.parse(readFileSync(join(ROOT, 'spec/vectors.json'), 'utf8')) as { secret: string; requests: (RequestToSign & { name: string; signature: string })[] };

describe('signed request headers', () => {
  for (const v of vectors.requests) {
    it(`${v.name}: the five headers carry the inputs and the vector's signature`, () => {
      const { name: _name, signature, ...signed } = v;
      assert.deepEqual(signedRequestHeaders(vectors.secret, signed), {
        'x-stratus-app': v.app,
        'x-stratus-device': v.device,
        'x-stratus-time': String(v.time),
        'x-stratus-nonce': v.nonce,
        'x-stratus-signature': signature,
      });
    });
  }

  it('requestHeaders sends the signature it is given, as a refused request needs', () => {
    const v = vectors.requests[0] as RequestToSign;
    assert.equal(requestHeaders(v, '0'.repeat(64))['x-stratus-signature'], '0'.repeat(64));
    assert.notEqual(signedRequestHeaders('another secret', v)['x-stratus-signature'], signedRequestHeaders(vectors.secret, v)['x-stratus-signature']);
  });
});
