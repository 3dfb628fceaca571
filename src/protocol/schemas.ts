// One JSON Schema per wire item of PROTOCOL §1, §5 and §6, built from the name rules of names.ts.
// Plain data: the server compiles them once (device-service/wire-validation.ts) to validate device
// input, the OpenAPI document of the device routes is made from them, and the admin API's schemas
// reuse them where they describe the same items. What JSON Schema cannot say (UTF-8 byte lengths,
// NUL, an app's own TTL limit, grants) is checked in code after them.
import { APP_NAME, DEVICE_GUID, MESSAGE_ID, PRIVATE_SCOPE, SCOPE_NAME, STREAM_NAME } from './names.js';

/** The regex source of a name rule, without its anchors: what an error message or a doc shows. */
export const ruleText = (rule: RegExp): string => rule.source.replace(/^\^/, '').replace(/\$$/, '');

const named = (rule: RegExp, description: string) => ({ type: 'string', pattern: rule.source, description }) as const;

export const appNameSchema = named(APP_NAME, `an app name, ${ruleText(APP_NAME)}`);
export const deviceGuidSchema = named(DEVICE_GUID, `a device GUID, ${ruleText(DEVICE_GUID)}`);
export const streamNameSchema = named(STREAM_NAME, `a stream name, ${ruleText(STREAM_NAME)}`);
export const messageIdSchema = named(MESSAGE_ID, `the idempotency id, unique per device and stream, ${ruleText(MESSAGE_ID)}`);
/** A shared scope name (`PRIVATE` matches it too, and is the device's own). */
export const sharedScopeSchema = named(SCOPE_NAME, `a scope name, ${ruleText(SCOPE_NAME)}`);
/** A scope as a device names it: PRIVATE (the default) or a shared scope; never `$stratus`. */
export const deviceScopeSchema = { ...named(SCOPE_NAME, `${PRIVATE_SCOPE} (the default) or a shared scope, ${ruleText(SCOPE_NAME)}`), default: PRIVATE_SCOPE } as const;

/** Limits the server may set (PROTOCOL §10); the schemas carry them so the OpenAPI shows them. */
export interface WireLimits {
  maxPublishPerSync: number;
  maxSubscribePerSync: number;
  maxPageSize: number;
}

export const PROTOCOL_LIMITS: WireLimits = { maxPublishPerSync: 1000, maxSubscribePerSync: 100, maxPageSize: 1000 };

/** A publish item of a sync (§6.1), and the fields of `POST /v1/publish` (§6.4); its limits are in code (bytes, the app's TTL). */
export function publishItemSchema() {
  return {
    type: 'object',
    required: ['stream', 'value'],
    additionalProperties: false,
    properties: {
      id: messageIdSchema,
      scope: deviceScopeSchema,
      stream: streamNameSchema,
      value: { type: 'string', description: 'UTF-8 text without NUL, at most the server’s maxValueBytes (64 KiB by default)' },
      // The app's own maxTtlSeconds is checked in code: it differs from app to app.
      ttl: { type: 'integer', minimum: 1, description: "seconds, at most the app's maxTtlSeconds; the app's default when absent" },
    },
  } as const;
}

/** A subscription of a sync (§6.1), and the parameters of `GET /v1/messages` (§6.4). */
export function subscriptionSchema(limits: WireLimits) {
  return {
    type: 'object',
    required: ['stream'],
    additionalProperties: false,
    properties: {
      scope: deviceScopeSchema,
      stream: streamNameSchema,
      after: { type: 'integer', nullable: true, minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'acknowledges every seq up to this one' },
      limit: { type: 'integer', nullable: true, minimum: 1, maximum: limits.maxPageSize, description: 'replay depth of a new or reset cursor, and the page size' },
      reset: { type: 'boolean', description: 'starts the cursor over, ignoring after' },
    },
  } as const;
}

/** The body of `POST /v1/sync` (§6.1). */
export function syncBodySchema(limits: WireLimits) {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      publish: { type: 'array', nullable: true, maxItems: limits.maxPublishPerSync, items: publishItemSchema() },
      subscribe: { type: 'array', nullable: true, maxItems: limits.maxSubscribePerSync, items: subscriptionSchema(limits) },
      config: { type: 'string', nullable: true, description: 'the ETag held, or null for the whole config; left out: no config' },
    },
  } as const;
}

/** One `sub` parameter of `GET /v1/live` (§9): `<scope>/<stream>`. */
export const liveSubSchema = {
  type: 'string',
  pattern: `^${ruleText(SCOPE_NAME)}/${ruleText(STREAM_NAME)}$`,
  description: '<scope>/<stream>',
} as const;

/** A config key (§5.1); its UTF-8 byte length and characters are checked by `keyProblem`. */
export const configKeySchema = {
  type: 'string',
  description: 'a config key: 1–128 UTF-8 bytes without ":", CR, LF or NUL, no white space at either end; `stratus.*` keys are reserved (§5.3)',
} as const;

/** A config value (§5.1); checked by `valueProblem`. */
export const configValueSchema = { type: 'string', description: 'a config value: at most 4096 UTF-8 bytes, without NUL' } as const;

/** An error answer's JSON body (§4). */
export const errorBodySchema = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const;
