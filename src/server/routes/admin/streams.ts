import type { FastifyInstance } from 'fastify';
import { PRIVATE_SCOPE, SYSTEM_SCOPE, SYSTEM_STREAMS, StratusError, messageIdSchema, sharedScopeSchema } from '../../../protocol/index.js';
import type { AppRecord, StreamRef } from '../../../store/types.js';
import { EVENT_STREAM_HEADERS, EventStream, eventFrame } from '../../event-stream.js';
import type { Services } from '../../services.js';
import { appNameParam, security, streamQuery, ttlSchema } from './schemas.js';
import { deviceView, findApp } from './lookups.js';

interface StreamQuery {
  scope: string;
  stream: string;
  owner?: string;
}

/** Admins address a PRIVATE stream with its owner; shared scopes have none. */
function refOf(target: AppRecord, q: StreamQuery): StreamRef {
  if (q.scope === PRIVATE_SCOPE && !q.owner) throw new StratusError('bad_request', 'a PRIVATE stream needs owner=<device GUID>');
  if (q.scope !== PRIVATE_SCOPE && q.owner) throw new StratusError('bad_request', 'owner is only for PRIVATE streams');
  return { appId: target.id, scope: q.scope, owner: q.owner ?? '', stream: q.stream };
}

export function streamRoutes(app: FastifyInstance, services: Services): void {
  const tags = ['streams'];

  app.get<{ Params: { app: string }; Querystring: { scope?: string } }>(
    '/v1/admin/apps/:app/streams',
    {
      schema: {
        tags,
        security,
        summary: 'Streams with head, message count and last message time',
        params: appNameParam,
        querystring: { type: 'object', additionalProperties: false, properties: { scope: streamQuery.properties.scope } },
      },
    },
    async (request) => {
      const target = await findApp(services, request.params.app);
      return { streams: await services.store.listStreams(target.id, request.query.scope ?? null) };
    },
  );

  app.get<{ Params: { app: string }; Querystring: StreamQuery & { after?: number; limit?: number } }>(
    '/v1/admin/apps/:app/messages',
    {
      schema: {
        tags,
        security,
        summary: 'Read a stream without a cursor, oldest first',
        params: appNameParam,
        querystring: {
          ...streamQuery,
          additionalProperties: false,
          properties: {
            ...streamQuery.properties,
            after: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (request) => {
      const target = await findApp(services, request.params.app);
      const q = request.query;
      const messages = await services.store.readMessages(refOf(target, q), q.after ?? 0, q.limit ?? 100, services.clock());
      return { messages: messages.map((m) => ({ seq: m.seq, value: m.value, from: m.writer, time: m.time, expiresAt: m.expiresAt })) };
    },
  );

  app.get<{ Params: { app: string }; Querystring: StreamQuery }>(
    '/v1/admin/apps/:app/live',
    {
      schema: {
        tags,
        security,
        summary: 'Server-sent events of the messages committed to a stream from now on (the console\'s live tail)',
        params: appNameParam,
        querystring: { ...streamQuery, additionalProperties: false },
      },
    },
    async (request, reply) => {
      const target = await findApp(services, request.params.app);
      const ref = refOf(target, request.query);
      reply.hijack();
      reply.raw.writeHead(200, EVENT_STREAM_HEADERS);
      const events = new EventStream(reply.raw, services.live, { keepAliveMs: services.options.liveKeepAliveMs, bufferBytes: services.options.liveBufferBytes });
      events.onClose(services.live.listen(ref, (message) => events.write(eventFrame('message', JSON.stringify(message), message.seq))));
    },
  );

  app.post<{ Params: { app: string }; Body: StreamQuery & { value: string; ttl?: number; id?: string } }>(
    '/v1/admin/apps/:app/messages',
    {
      schema: {
        tags,
        security,
        summary: 'Publish as the admin (writer "$admin")',
        params: appNameParam,
        body: {
          ...streamQuery,
          required: ['scope', 'stream', 'value'],
          additionalProperties: false,
          properties: {
            ...streamQuery.properties,
            scope: sharedScopeSchema,
            value: { type: 'string' },
            ttl: ttlSchema,
            id: messageIdSchema,
          },
        },
      },
    },
    async (request, reply) => {
      const target = await findApp(services, request.params.app);
      const b = request.body;
      if (b.value.includes('\u0000')) throw new StratusError('bad_request', 'value may not contain NUL');
      const bytes = Buffer.byteLength(b.value, 'utf8');
      if (bytes > services.options.maxValueBytes) {
        throw new StratusError('too_large', `value is ${bytes} bytes; the limit is ${services.options.maxValueBytes}`);
      }
      if (b.ttl !== undefined && b.ttl > target.maxTtlSeconds) {
        throw new StratusError('bad_request', `ttl may not exceed the app's maxTtlSeconds (${target.maxTtlSeconds})`);
      }
      const now = services.clock();
      const result = await services.sync({
        deviceId: 0,
        now,
        subscribe: [],
        publish: [
          {
            ...refOf(target, b),
            clientId: b.id ?? null,
            writer: '$admin',
            value: b.value,
            time: now,
            expiresAt: now + (b.ttl ?? target.defaultTtlSeconds),
          },
        ],
      });
      return reply.code(201).send({ seq: result.published[0]?.seq });
    },
  );

  app.delete<{ Params: { app: string }; Querystring: StreamQuery & { seq?: number } }>(
    '/v1/admin/apps/:app/messages',
    {
      schema: {
        tags,
        security,
        summary: "Delete one message (seq) or all of a stream's messages; seqs are never reused",
        params: appNameParam,
        querystring: {
          ...streamQuery,
          additionalProperties: false,
          properties: { ...streamQuery.properties, seq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
        },
      },
    },
    async (request) => {
      const target = await findApp(services, request.params.app);
      return { deleted: await services.store.deleteMessages(refOf(target, request.query), request.query.seq ?? null) };
    },
  );

  app.get<{ Params: { app: string } }>(
    '/v1/admin/apps/:app/access-requests',
    {
      schema: {
        tags,
        security,
        summary: 'Devices waiting for approval, and the recorded requests and rejections',
        params: appNameParam,
      },
    },
    async (request) => {
      const target = await findApp(services, request.params.app);
      await services.presence.flushNews();
      const pending = await services.store.listDevices(target.id, { status: 'pending', limit: 1000, offset: 0 });
      const streams = await services.store.listStreams(target.id, SYSTEM_SCOPE);
      const now = services.clock();
      const recent = async (stream: string) => {
        const head = streams.find((x) => x.stream === stream)?.head ?? 0;
        const ref = { appId: target.id, scope: SYSTEM_SCOPE, owner: '', stream };
        return (await services.store.readMessages(ref, Math.max(0, head - 100), 100, now)).map((m) => ({
          seq: m.seq,
          ...(JSON.parse(m.value) as object),
        }));
      };
      return {
        pending: await Promise.all(pending.map((d) => deviceView(services, target, d))),
        requests: await recent(SYSTEM_STREAMS.access),
        rejections: await recent(SYSTEM_STREAMS.rejections),
      };
    },
  );
}
