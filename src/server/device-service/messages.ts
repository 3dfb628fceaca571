import { StratusError } from '../../protocol/index.js';
import type { Services } from '../services.js';
import { toNewMessage, toSubscription } from './items.js';
import type { DeviceContext, PublishResult, ReadResult } from './types.js';

// The one-item forms of sync (PROTOCOL §6.4), with its rules.

/** Stores one message (idempotent by its id) and answers its seq. */
export async function publishOne(services: Services, ctx: DeviceContext, item: unknown): Promise<PublishResult> {
  const message = toNewMessage(ctx, item, services.options, 'message');
  if ((await services.quotas.checkStreams(ctx.app.id, ctx.device.id, [message], [])).size > 0) {
    throw new StratusError('quota_exceeded', 'the app holds as many streams as its quota allows');
  }
  const stored = await services.sync({ deviceId: ctx.device.id, now: ctx.now, publish: [message], subscribe: [] });
  return { id: message.clientId, seq: stored.published[0]?.seq ?? 0 };
}

/** One subscription of a sync: a page of one stream after the device's cursor, which `after` moves. */
export async function readOne(services: Services, ctx: DeviceContext, params: unknown): Promise<ReadResult> {
  const subscription = toSubscription(ctx, params, services.options, 'query');
  await services.quotas.checkStreams(ctx.app.id, ctx.device.id, [], [subscription]);
  const stored = await services.sync({ deviceId: ctx.device.id, now: ctx.now, publish: [], subscribe: [subscription] });
  const outcome = stored.subscriptions[0];
  return {
    time: ctx.now,
    scope: subscription.scope,
    stream: subscription.stream,
    cursor: outcome?.cursor ?? 0,
    head: outcome?.head ?? 0,
    messages: (outcome?.messages ?? []).map((m) => ({ seq: m.seq, value: m.value, from: m.writer, time: m.time })),
  };
}
