// The device API in the OpenAPI document (`/openapi.json`). The routes are served from node:http,
// not Fastify, so this description is written by hand; a test checks it names every route.

const signed = [
  ['X-Stratus-App', 'the app name'],
  ['X-Stratus-Device', "the device's GUID, [A-Za-z0-9_.:-]{1,64}"],
  ['X-Stratus-Time', 'unix seconds; within the time window of the server clock'],
  ['X-Stratus-Nonce', 'fresh for every request, [A-Za-z0-9._-]{1,64}'],
  ['X-Stratus-Signature', 'hex HMAC-SHA256 of the request (PROTOCOL §2)'],
].map(([name, description]) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } }));

const error = {
  description: 'an error (PROTOCOL §4), signed once the app is known',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
};

const streamItem = {
  scope: { type: 'string', description: 'PRIVATE (default) or [A-Za-z0-9_.-]{1,64}' },
  stream: { type: 'string', description: '[A-Za-z0-9_.:/-]{1,128}' },
};

const publishItem = {
  type: 'object',
  required: ['stream', 'value'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'idempotency id, [A-Za-z0-9_.:-]{1,128}' },
    ...streamItem,
    value: { type: 'string' },
    ttl: { type: 'integer', minimum: 1, description: "seconds; the app's default when absent" },
  },
};

const json = (schema: object) => ({ content: { 'application/json': { schema } } });

function operation(summary: string, extra: object, ok: object): object {
  return { tags: ['device'], summary, parameters: [...signed], ...extra, responses: { '200': ok, '4XX': error, '5XX': error } };
}

export const DEVICE_OPENAPI_PATHS: Record<string, object> = {
  '/v1/config': {
    get: operation(
      'The merged config: text (key: value lines) by default, JSON with Accept: application/json; 304 when If-None-Match holds the ETag',
      {},
      { description: 'the config, with its ETag', content: { 'text/plain': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object' } } } },
    ),
  },
  '/v1/sync': {
    post: operation(
      'One round trip of update(): publish, acknowledge and receive, config (PROTOCOL §6)',
      {
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            additionalProperties: false,
            properties: {
              publish: { type: 'array', items: publishItem },
              subscribe: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['stream'],
                  additionalProperties: false,
                  properties: {
                    ...streamItem,
                    after: { type: 'integer', minimum: 0, description: 'acknowledges every seq up to this one' },
                    limit: { type: 'integer', minimum: 1 },
                    reset: { type: 'boolean' },
                  },
                },
              },
              config: { type: 'string', nullable: true, description: 'the ETag held, or null for the whole config' },
            },
          }),
        },
      },
      {
        description: 'accepted and rejected items, messages, cursors and, when it changed, the config; as text records with `Accept: text/plain` (spec/PROTOCOL.md §6.3)',
        content: { ...json({ type: 'object' }).content, 'text/plain': { schema: { type: 'string' } } },
      },
    ),
  },
  '/v1/publish': {
    post: operation(
      'Publishes one message, as JSON or a form (curl-friendly)',
      { requestBody: { required: true, content: { 'application/json': { schema: publishItem }, 'application/x-www-form-urlencoded': { schema: publishItem } } } },
      { description: 'the id and seq', ...json({ type: 'object', properties: { id: { type: 'string', nullable: true }, seq: { type: 'integer' } } }) },
    ),
  },
  '/v1/messages': {
    get: operation(
      'One page of one stream, moving the cursor like a subscription in sync',
      {
        parameters: [
          ...signed,
          ...['scope', 'stream', 'after', 'limit', 'reset'].map((name) => ({ name, in: 'query', required: name === 'stream', schema: { type: 'string' } })),
        ],
      },
      { description: 'cursor, head and messages', ...json({ type: 'object' }) },
    ),
  },
  '/v1/live': {
    get: operation(
      'Server-sent events of messages committed from now on, each signed (PROTOCOL §9)',
      { parameters: [...signed, { name: 'sub', in: 'query', required: true, description: '<scope>/<stream>, repeated', schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true }] },
      { description: 'an event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
    ),
  },
};
