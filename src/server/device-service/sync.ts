import { StratusError, type RejectedItem, type SyncRequest } from '../../protocol/index.js';
import type { NewMessage, SubscriptionRequest } from '../../store/types.js';
import { streamKey } from '../../store/stream-key.js';
import { normalizeEtag } from '../config-view.js';
import type { Services } from '../services.js';
import { isPlainObject, toNewMessage, toSubscription } from './items.js';
import type { DeviceContext, SyncResult } from './types.js';
import { wireError, wireValidators } from './wire-validation.js';

/**
 * One round trip of `update()` (PROTOCOL §6.1–§6.2): publish items accepted or rejected each on its
 * own, subscriptions all or nothing (checked before anything is written), acknowledged cursors,
 * and the config when the ETag the device holds differs. `request` is the parsed sync body.
 */
export async function sync(services: Services, ctx: DeviceContext, request: unknown): Promise<SyncResult> {
  const { syncEnvelope } = wireValidators(services.options);
  if (!syncEnvelope.check(request)) throw wireError(syncEnvelope, request, '', { config: 'be the ETag held, or null' });
  const body = request as SyncRequest;
  const publish: unknown[] = body.publish ?? [];
  const subscribe: unknown[] = body.subscribe ?? [];
  const held = body.config;

  const subscriptions: SubscriptionRequest[] = subscribe.map((item, i) => toSubscription(ctx, item, services.options, `subscribe[${i}]`));
  const seen = new Set<string>();
  for (const s of subscriptions) {
    const key = streamKey(s);
    if (seen.has(key)) throw new StratusError('bad_request', `${s.scope}/${s.stream} is subscribed twice`);
    seen.add(key);
  }

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

  const stored = await services.sync({ deviceId: ctx.device.id, now: ctx.now, publish: messages, subscribe: subscriptions });
  const result: SyncResult = {
    time: ctx.now,
    accepted: stored.published.map((p, i) => ({ id: messages[i]?.clientId ?? null, seq: p.seq })),
    rejected,
    messages: [],
    cursors: [],
    config: null,
  };
  subscriptions.forEach((s, i) => {
    const outcome = stored.subscriptions[i];
    if (!outcome) return;
    for (const m of outcome.messages) {
      result.messages.push({ scope: s.scope, stream: s.stream, seq: m.seq, value: m.value, from: m.writer, time: m.time });
    }
    result.cursors.push({ scope: s.scope, stream: s.stream, cursor: outcome.cursor, head: outcome.head });
  });
  // Left out: never; null: always; an ETag: only when it no longer names the config.
  if (held !== undefined) {
    const view = await services.configs.forDevice(ctx.app.id, ctx.device.id);
    if (held === null || normalizeEtag(held) !== normalizeEtag(view.etag)) result.config = view;
  }
  return result;
}
