import { StratusError, formatSyncText, type RejectedItem, type SyncResponse } from '../../../protocol/index.js';
import type { NewMessage, SubscriptionRequest } from '../../../store/types.js';
import { normalizeEtag } from '../../config-view.js';
import { wantsText } from '../../error-reply.js';
import type { DeviceContext } from '../../device-auth.js';
import type { Services } from '../../services.js';
import { jsonAnswer, type DeviceAnswer, type DeviceCall } from './http.js';
import { isPlainObject, parseJson, toNewMessage, toSubscription } from './validate.js';

/** `POST /v1/sync`: one round trip of `update()` (PROTOCOL §6). */
export async function sync(services: Services, ctx: DeviceContext, call: DeviceCall): Promise<DeviceAnswer> {
  const body = parseJson(call.body);
  if (!isPlainObject(body)) throw new StratusError('bad_request', 'the body must be a JSON object');
  const unknown = Object.keys(body).find((k) => k !== 'publish' && k !== 'subscribe' && k !== 'config');
  if (unknown !== undefined) throw new StratusError('bad_request', `unknown field "${unknown}"`);
  const publish = arrayField(body.publish, 'publish', services.options.maxPublishPerSync);
  const subscribe = arrayField(body.subscribe, 'subscribe', services.options.maxSubscribePerSync);
  if (body.config !== undefined && body.config !== null && typeof body.config !== 'string') {
    throw new StratusError('bad_request', 'config must be the ETag held, or null');
  }

  // Subscriptions are all-or-nothing: a bad one fails the request before anything is written.
  const subscriptions: SubscriptionRequest[] = subscribe.map((item, i) =>
    toSubscription(ctx, item, services.options, `subscribe[${i}]`),
  );
  const seen = new Set<string>();
  for (const s of subscriptions) {
    const key = `${s.scope}\u0000${s.stream}`;
    if (seen.has(key)) throw new StratusError('bad_request', `${s.scope}/${s.stream} is subscribed twice`);
    seen.add(key);
  }

  // Publish items are accepted or rejected each on its own.
  const rejected: RejectedItem[] = [];
  const valid: { message: NewMessage; index: number }[] = [];
  publish.forEach((item, index) => {
    try {
      valid.push({ message: toNewMessage(ctx, item, services.options, `publish[${index}]`), index });
    } catch (error) {
      if (!(error instanceof StratusError)) throw error;
      const id = isPlainObject(item) && typeof item.id === 'string' ? item.id : null;
      rejected.push({ id, index, code: error.code, message: error.message });
    }
  });
  const overQuota = await services.quotas.checkStreams(ctx.app.id, ctx.device.id, valid.map((v) => v.message), subscriptions);
  const messages: NewMessage[] = [];
  valid.forEach(({ message, index }, i) => {
    if (!overQuota.has(i)) messages.push(message);
    else rejected.push({ id: message.clientId, index, code: 'quota_exceeded', message: `publish[${index}]: the app holds as many streams as its quota allows` });
  });
  rejected.sort((a, b) => a.index - b.index);

  const result = await services.sync({ deviceId: ctx.device.id, now: ctx.now, publish: messages, subscribe: subscriptions });
  const response: SyncResponse = {
    time: ctx.now,
    accepted: result.published.map((p, i) => ({ id: messages[i]?.clientId ?? null, seq: p.seq })),
    rejected,
    messages: [],
    cursors: [],
  };
  subscriptions.forEach((s, i) => {
    const outcome = result.subscriptions[i];
    if (!outcome) return;
    for (const m of outcome.messages) {
      response.messages.push({ scope: s.scope, stream: s.stream, seq: m.seq, value: m.value, from: m.writer, time: m.time });
    }
    response.cursors.push({ scope: s.scope, stream: s.stream, cursor: outcome.cursor, head: outcome.head });
  });
  const held = body.config;
  const view = held === undefined ? null : await services.configs.forDevice(ctx.app.id, ctx.device.id);
  const changed = view !== null && (held === null || normalizeEtag(held as string) !== normalizeEtag(view.etag)) ? view : null;
  // The text form (spec/PROTOCOL.md §6.3) on the same Accept rule as error answers.
  if (wantsText(call.headers.accept)) {
    const text = formatSyncText({ ...response, config: changed && { etag: changed.etag, text: changed.text } });
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
  }
  if (changed) response.config = { etag: changed.etag, values: changed.values };
  return jsonAnswer(JSON.stringify(response));
}

function arrayField(value: unknown, name: string, max: number): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new StratusError('bad_request', `${name} must be an array`);
  if (value.length > max) throw new StratusError('too_large', `${name} holds ${value.length} items; the limit is ${max}`);
  return value;
}
