import type { FastifyInstance } from 'fastify';
import { SYSTEM_SCOPE } from '../../../protocol/index.js';
import { FleetFeed, type FeedEvent } from '../../metrics/fleet-feed.js';
import { EVENT_STREAM_HEADERS, EventStream, eventFrame } from '../../event-stream.js';
import type { Services } from '../../services.js';
import { security } from './schemas.js';

/**
 * `GET /v1/admin/events`: server-sent events of the fleet for `stratus top` and dashboards: a
 * snapshot, then counters every `interval` ms and each presence change, access request and
 * rejection as it is recorded. Pushed: the client reads no table itself.
 */
export function eventRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: { interval?: number } }>(
    '/v1/admin/events',
    {
      schema: {
        tags: ['events'],
        security,
        summary:
          'Server-sent events of the fleet: `snapshot` on connect, `counters` every interval (per app devices, pending, online, ' +
          'messages published and delivered; the busiest streams; the nodes), `presence`, `access` and `rejection` as recorded (docs/top.md)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { interval: { type: 'integer', minimum: 250, maximum: 60_000, default: 1000, description: 'Milliseconds between counters events' } },
        },
      },
    },
    async (request, reply) => {
      const unwatch = services.activity.watch();
      const feed = new FleetFeed(services);
      let first: FeedEvent;
      try {
        first = await feed.snapshot(); // before hijacking: a failing store is answered as an error
      } catch (error) {
        unwatch();
        throw error;
      }
      reply.hijack();
      reply.raw.writeHead(200, EVENT_STREAM_HEADERS);
      // No keep-alive comments: a counters event comes every interval.
      const events = new EventStream(reply.raw, services.live, { keepAliveMs: 0, bufferBytes: services.options.liveBufferBytes });
      // Events go out in the order they were produced, each once the one before it is written.
      let queue: Promise<void> = Promise.resolve();
      const send = (produce: () => Promise<FeedEvent | null>): void => {
        queue = queue.then(async () => {
          const e = await produce().catch((err: unknown) => {
            request.log.warn({ err }, 'admin event stream: an event could not be made');
            return null;
          });
          if (e !== null) events.write(eventFrame(e.event, JSON.stringify(e.data)));
        });
      };
      send(async () => first);
      const untap = services.live.tap((message) => {
        if (message.scope === SYSTEM_SCOPE) send(() => feed.recorded(message));
      });
      const tick = setInterval(() => send(() => feed.counters()), request.query.interval ?? 1000);
      events.onClose(() => {
        clearInterval(tick);
        untap();
        unwatch();
      });
    },
  );
}
