import {
  SCOPE_NAME,
  SYSTEM_SCOPE,
  appNameSchema,
  configKeySchema,
  configValueSchema,
  deviceGuidSchema,
  ruleText,
  streamNameSchema,
} from '../../../protocol/index.js';

// JSON schemas of the admin API: they validate requests and make the OpenAPI document. Names and
// config items are the wire items' own schemas (protocol/schemas.ts).

export const appNameParam = {
  type: 'object',
  required: ['app'],
  properties: { app: appNameSchema },
} as const;

export const deviceParams = {
  type: 'object',
  required: ['app', 'device'],
  properties: {
    app: appNameSchema,
    device: deviceGuidSchema,
  },
} as const;

/** Grant patterns: names with `*` (any run of characters), and `$` for the server's scope. */
export const grantSchema = {
  type: 'object',
  required: ['action', 'scope', 'stream'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: ['publish', 'subscribe'] },
    scope: { type: 'string', pattern: '^[A-Za-z0-9_.*$-]{1,64}$' },
    stream: { type: 'string', pattern: '^[A-Za-z0-9_.:/*-]{1,128}$' },
  },
} as const;

export const policySchema = { type: 'string', enum: ['open', 'approval', 'closed'] } as const;
export const ttlSchema = { type: 'integer', minimum: 1, maximum: 315_360_000 } as const;

export const configChangeSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    set: { type: 'object', additionalProperties: configValueSchema },
    unset: { type: 'array', items: configKeySchema, maxItems: 1000 },
  },
} as const;

/** A stream as admins address it: any scope, the server's `$stratus` too, and the owner of a PRIVATE one. */
export const streamQuery = {
  type: 'object',
  required: ['scope', 'stream'],
  properties: {
    scope: { type: 'string', pattern: `^(\\${SYSTEM_SCOPE}|${ruleText(SCOPE_NAME)})$` },
    stream: streamNameSchema,
    owner: { ...deviceGuidSchema, description: 'The device, for PRIVATE streams' },
  },
} as const;

export const security = [{ adminToken: [] as string[] }];
