import {
  HEADER_APP,
  HEADER_DEVICE,
  HEADER_NONCE,
  HEADER_SIGNATURE,
  HEADER_TIME,
  NONCE,
  appNameSchema,
  errorBodySchema,
  deviceGuidSchema,
  liveSubSchema,
  publishItemSchema,
  ruleText,
  subscriptionSchema,
  syncBodySchema,
  type WireLimits,
} from '../../../protocol/index.js';

// The device API in the OpenAPI document (`/openapi.json`). The routes are served from node:http,
// not Fastify, so the operations are listed here; their inputs are the schemas the device service
// validates with (protocol/schemas.ts). A test checks this names every route.

/** `x-stratus-app` as PROTOCOL §2 spells it: `X-Stratus-App`. */
const spelled = (name: string): string => name.replace(/(^|-)\w/g, (m) => m.toUpperCase());

const header = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name: spelled(name),
  in: 'header',
  required: true,
  description,
  schema,
});

const signed = [
  header(HEADER_APP, 'the app name', appNameSchema),
  header(HEADER_DEVICE, "the device's GUID", deviceGuidSchema),
  header(HEADER_TIME, 'unix seconds; within the time window of the server clock'),
  header(HEADER_NONCE, `fresh for every request, ${ruleText(NONCE)}`),
  header(HEADER_SIGNATURE, 'hex HMAC-SHA256 of the request (PROTOCOL §2)'),
];

const error = { description: 'an error (PROTOCOL §4), signed once the app is known', content: { 'application/json': { schema: errorBodySchema } } };

const json = (schema: object) => ({ content: { 'application/json': { schema } } });

function operation(summary: string, extra: object, ok: object): object {
  return { tags: ['device'], summary, parameters: [...signed], ...extra, responses: { '200': ok, '4XX': error, '5XX': error } };
}

/** The device routes' paths for the OpenAPI document, with the limits this server enforces. */
export function deviceOpenApiPaths(limits: WireLimits): Record<string, object> {
  const publishItem = publishItemSchema();
  const subscription = subscriptionSchema(limits);
  return {
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
            description: 'JSON, or text records with `Content-Type: text/plain` (spec/PROTOCOL.md §6.1)',
            content: { ...json(syncBodySchema(limits)).content, 'text/plain': { schema: { type: 'string' } } },
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
            ...Object.entries(subscription.properties).map(([name, schema]) => ({ name, in: 'query', required: name === 'stream', schema })),
          ],
        },
        { description: 'cursor, head and messages', ...json({ type: 'object' }) },
      ),
    },
    '/v1/live': {
      get: operation(
        'Server-sent events of messages committed from now on, each signed (PROTOCOL §9)',
        {
          parameters: [
            ...signed,
            { name: 'sub', in: 'query', required: true, description: '<scope>/<stream>, repeated', schema: { type: 'array', maxItems: limits.maxSubscribePerSync, items: liveSubSchema }, style: 'form', explode: true },
          ],
        },
        { description: 'an event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
      ),
    },
  };
}
