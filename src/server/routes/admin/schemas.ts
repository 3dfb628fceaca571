// JSON schemas of the admin API: they validate requests and make the OpenAPI document.

export const appNameParam = {
  type: 'object',
  required: ['app'],
  properties: { app: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } },
} as const;

export const deviceParams = {
  type: 'object',
  required: ['app', 'device'],
  properties: {
    app: appNameParam.properties.app,
    device: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
  },
} as const;

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
    set: { type: 'object', additionalProperties: { type: 'string' } },
    unset: { type: 'array', items: { type: 'string' }, maxItems: 1000 },
  },
} as const;

export const streamQuery = {
  type: 'object',
  required: ['scope', 'stream'],
  properties: {
    scope: { type: 'string', pattern: '^(\\$stratus|[A-Za-z0-9_.-]{1,64})$' },
    stream: { type: 'string', pattern: '^[A-Za-z0-9_.:/-]{1,128}$' },
    owner: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$', description: 'The device, for PRIVATE streams' },
  },
} as const;

export const errorResponse = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

export const security = [{ adminToken: [] as string[] }];
