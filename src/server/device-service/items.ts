import { PRIVATE_SCOPE, StratusError, isAllowed, type GrantAction, type PublishItem, type SubscribeItem } from '../../protocol/index.js';
import type { NewMessage, SubscriptionRequest } from '../../store/types.js';
import type { ServerOptions } from '../options.js';
import type { DeviceContext } from './types.js';
import { wireError, wireValidators } from './wire-validation.js';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws `forbidden` unless a grant allows `action` on the stream (PROTOCOL §7). */
function checkGrant(ctx: DeviceContext, action: GrantAction, scope: string, stream: string): void {
  if (!isAllowed(ctx.grants, action, scope, stream)) throw new StratusError('forbidden', `no ${action} grant for ${scope}/${stream}`);
}

/** A PRIVATE stream is the device's own; a shared scope's has no owner. */
const ownerIn = (ctx: DeviceContext, scope: string): string => (scope === PRIVATE_SCOPE ? ctx.device.guid : '');

/**
 * One publish item to a message for the store; throws the code it is rejected with (PROTOCOL §6.2):
 * its schema (protocol/schemas.ts), then what a schema cannot say: NUL, the value's bytes, the
 * app's TTL limit, the grant.
 */
export function toNewMessage(ctx: DeviceContext, input: unknown, options: ServerOptions, what: string): NewMessage {
  const { publishItem } = wireValidators(options);
  const maxTtl = ctx.app.maxTtlSeconds;
  if (!publishItem.check(input)) throw wireError(publishItem, input, what, { ttl: `be an integer from 1 to ${maxTtl}` });
  const item = input as PublishItem;
  if (item.value.includes('\u0000')) throw new StratusError('bad_request', `${what}: value may not contain NUL`);
  const bytes = Buffer.byteLength(item.value, 'utf8');
  if (bytes > options.maxValueBytes) {
    throw new StratusError('too_large', `${what}: value is ${bytes} bytes; the limit is ${options.maxValueBytes}`);
  }
  if (item.ttl !== undefined && item.ttl > maxTtl) throw new StratusError('bad_request', `${what}: ttl must be an integer from 1 to ${maxTtl}`);
  const scope = item.scope ?? PRIVATE_SCOPE;
  checkGrant(ctx, 'publish', scope, item.stream);
  // Built in one literal: spreading a stream ref here cost ~2 µs a message (V8 copies it slowly).
  return {
    appId: ctx.app.id,
    scope,
    owner: ownerIn(ctx, scope),
    stream: item.stream,
    clientId: item.id ?? null,
    writer: ctx.device.guid,
    value: item.value,
    time: ctx.now,
    expiresAt: ctx.now + (item.ttl ?? ctx.app.defaultTtlSeconds),
  };
}

/** One subscription (of a sync, a read or a live feed): its schema, then its grant. */
export function toSubscription(ctx: DeviceContext, input: unknown, options: ServerOptions, what: string): SubscriptionRequest {
  const { subscription } = wireValidators(options);
  if (!subscription.check(input)) throw wireError(subscription, input, what);
  const item = input as SubscribeItem;
  const scope = item.scope ?? PRIVATE_SCOPE;
  checkGrant(ctx, 'subscribe', scope, item.stream);
  const limit = item.limit ?? null;
  return {
    appId: ctx.app.id,
    scope,
    owner: ownerIn(ctx, scope),
    stream: item.stream,
    after: item.after ?? null,
    limit,
    reset: item.reset === true,
    pageSize: limit ?? options.pageSize,
  };
}
