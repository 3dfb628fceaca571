import { StratusError, parseStrictForm } from '../../../protocol/index.js';
import type { DeviceContext } from '../../device-auth.js';
import type { Services } from '../../services.js';
import { jsonAnswer, type DeviceAnswer, type DeviceCall } from './http.js';
import { bodyText, isPlainObject, parseJson, toNewMessage, toSubscription } from './validate.js';

// curl-friendly endpoints with the rules of `/v1/sync` (PROTOCOL §6).

/** Parses a JSON or form body into an object of fields. */
function fields(contentType: string | undefined, raw: Buffer): Record<string, unknown> {
  if ((contentType ?? '').startsWith('application/x-www-form-urlencoded')) {
    const form = parseStrictForm(bodyText(raw));
    if (form === null) throw new StratusError('bad_request', 'the form has a malformed %-escape or escapes that are not UTF-8');
    return { ...form, ...(form.ttl !== undefined ? { ttl: Number(form.ttl) } : {}) };
  }
  const body = parseJson(raw);
  if (!isPlainObject(body)) throw new StratusError('bad_request', 'the body must be a JSON object');
  return body;
}

/** Numbers from a query string; anything that is not a whole number is left as is for validation to reject. */
function queryNumber(value: string | null): unknown {
  return value === null ? undefined : /^\d+$/.test(value) ? Number(value) : value;
}

/** `POST /v1/publish`: one message, as JSON or a form. */
export async function publishOne(services: Services, ctx: DeviceContext, call: DeviceCall): Promise<DeviceAnswer> {
  const message = toNewMessage(ctx, fields(call.headers['content-type'], call.body), services.options, 'message');
  if ((await services.quotas.checkStreams(ctx.app.id, ctx.device.id, [message], [])).size > 0) {
    throw new StratusError('quota_exceeded', 'the app holds as many streams as its quota allows');
  }
  const result = await services.sync({ deviceId: ctx.device.id, now: ctx.now, publish: [message], subscribe: [] });
  const seq = result.published[0]?.seq;
  return jsonAnswer(JSON.stringify({ id: message.clientId, seq }));
}

/** `GET /v1/messages?scope=&stream=&after=&limit=&reset=`: one page of one stream. */
export async function readMessages(services: Services, ctx: DeviceContext, call: DeviceCall): Promise<DeviceAnswer> {
  const q = call.query;
  const reset = q.get('reset');
  const item = {
    scope: q.get('scope') ?? undefined,
    stream: q.get('stream') ?? undefined,
    after: queryNumber(q.get('after')),
    limit: queryNumber(q.get('limit')),
    reset: reset === null ? undefined : reset === 'true' ? true : reset === 'false' ? false : reset,
  };
  const subscription = toSubscription(ctx, item, services.options, 'query');
  await services.quotas.checkStreams(ctx.app.id, ctx.device.id, [], [subscription]);
  const result = await services.sync({ deviceId: ctx.device.id, now: ctx.now, publish: [], subscribe: [subscription] });
  const outcome = result.subscriptions[0];
  const body = {
    time: ctx.now,
    scope: subscription.scope,
    stream: subscription.stream,
    cursor: outcome?.cursor ?? 0,
    head: outcome?.head ?? 0,
    messages: (outcome?.messages ?? []).map((m) => ({ seq: m.seq, value: m.value, from: m.writer, time: m.time })),
  };
  return jsonAnswer(JSON.stringify(body));
}
