import type { FastifyInstance } from 'fastify';
import { HEADER_SIGNATURE, sha256Hex, signResponse } from '../../../protocol/index.js';
import { authenticateDevice } from '../../device-auth.js';
import type { Services } from '../../services.js';
import { configRoute } from './config.js';
import { convenienceRoutes } from './convenience.js';
import { liveRoute } from './live.js';
import { syncRoute } from './sync.js';

/**
 * The device API (PROTOCOL §2–§8). Bodies are kept raw, since the signature covers their exact
 * bytes, and parsed by the routes after authentication. Every answer carries X-Stratus-Time and,
 * once the app is known, X-Stratus-Signature.
 */
export async function deviceApi(app: FastifyInstance, services: Services): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, undefined);
  });


  app.addHook('preHandler', async (request) => {
    request.device = await authenticateDevice(services, request);
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    if (!request.signing) return done(null, payload);
    const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : '';
    const signature = signResponse(request.signing.secret, {
      nonce: request.signing.nonce,
      status: reply.statusCode,
      time: request.responseTime,
      bodySha256: sha256Hex(body),
    });
    reply.header(HEADER_SIGNATURE, signature);
    done(null, payload);
  });

  configRoute(app, services);
  syncRoute(app, services);
  convenienceRoutes(app, services);
  liveRoute(app, services);
}
