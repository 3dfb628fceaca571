import type { FastifyInstance } from 'fastify';
import type { DeviceContext } from '../../device-auth.js';
import { etagMatches } from '../../config-view.js';
import type { Services } from '../../services.js';

/** `GET /v1/config` (PROTOCOL §5): text by default, JSON on request, 304 from the ETag without a query. */
export function configRoute(app: FastifyInstance, services: Services): void {
  app.get('/v1/config', async (request, reply) => {
    const ctx = request.device as DeviceContext;
    const view = services.configs.peek(ctx.app.id, ctx.device.id) ?? (await services.configs.forDevice(ctx.app.id, ctx.device.id));
    reply.header('etag', view.etag).header('vary', 'Accept').header('cache-control', 'no-cache');
    const held = request.headers['if-none-match'];
    if (held !== undefined && etagMatches(held, view.etag)) {
      return reply.code(304).send();
    }
    if ((request.headers.accept ?? '').includes('application/json')) {
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(view.values));
    }
    return reply.type('text/plain; charset=utf-8').send(view.text);
  });
}
