import type { FastifyInstance } from 'fastify';
import { StratusError } from '../../../protocol/index.js';
import type { DeviceContext } from '../../device-auth.js';
import type { Services } from '../../services.js';
import { isPlainObject, parseJson, toNewMessage, toSubscription } from './validate.js';

/** Parses a JSON or form body into an object of fields. */
function fields(contentType: string | undefined, raw: Buffer | null): Record<string, unknown> {
  if ((contentType ?? '').startsWith('application/x-www-form-urlencoded')) {
    const form = Object.fromEntries(new URLSearchParams((raw ?? Buffer.alloc(0)).toString('utf8')));
    return { ...form, ...(form.ttl !== undefined ? { ttl: Number(form.ttl) } : {}) };
  }
  const body = parseJson(raw);
  if (!isPlainObject(body)) throw new StratusError('bad_request', 'the body must be a JSON object');
  return body;
}

/** Numbers from a query string; anything that is not a whole number is left as is for validation to reject. */
function queryNumber(value: string | undefined): unknown {
  return value === undefined ? undefined : /^\d+$/.test(value) ? Number(value) : value;
}

/** curl-friendly endpoints with the rules of `/v1/sync` (PROTOCOL §6). */
export function convenienceRoutes(app: FastifyInstance, services: Services): void {
  app.post('/v1/publish', async (request, reply) => {
    const ctx = request.device as DeviceContext;
    const message = toNewMessage(ctx, fields(request.headers['content-type'], request.rawBody), services.options, 'message');
    const result = await services.sync({ deviceId: ctx.device.id, now: ctx.now, publish: [message], subscribe: [] });
    const seq = result.published[0]?.seq;
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ id: message.clientId, seq }));
  });

  app.get('/v1/messages', async (request, reply) => {
    const ctx = request.device as DeviceContext;
    const q = request.query as Record<string, string | undefined>;
    const item = {
      scope: q.scope,
      stream: q.stream,
      after: queryNumber(q.after),
      limit: queryNumber(q.limit),
      reset: q.reset === undefined ? undefined : q.reset === 'true' ? true : q.reset === 'false' ? false : q.reset,
    };
    const subscription = toSubscription(ctx, item, services.options, 'query');
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
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
  });
}
