import type { FastifyInstance } from 'fastify';
import {
  EMPTY_SHA256,
  HEADER_SIGNATURE,
  HEADER_TIME,
  StratusError,
  sha256Hex,
  signLiveEvent,
  signResponse,
} from '../../../protocol/index.js';
import type { DeviceContext, ResponseSigning } from '../../device-auth.js';
import type { LiveMessage } from '../../live-hub.js';
import type { Services } from '../../services.js';
import { toSubscription } from './validate.js';

/** `sub=scope/stream`, repeated; the stream may hold `/`, the scope cannot. */
function parseSubs(query: unknown): { scope: string; stream: string }[] {
  const raw = (query as { sub?: string | string[] }).sub;
  const subs = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (subs.length === 0) throw new StratusError('bad_request', 'give at least one sub=<scope>/<stream>');
  return subs.map((s) => {
    const slash = s.indexOf('/');
    if (slash <= 0) throw new StratusError('bad_request', `sub "${s}" is not <scope>/<stream>`);
    return { scope: s.slice(0, slash), stream: s.slice(slash + 1) };
  });
}

/**
 * `GET /v1/live?sub=<scope>/<stream>…`: server-sent events of messages committed after the stream
 * opened (docs/protocol.md, "Live"). It moves no cursor: clients acknowledge through sync, which
 * also delivers whatever a dropped connection missed.
 */
export function liveRoute(app: FastifyInstance, services: Services): void {
  app.get('/v1/live', async (request, reply) => {
    const ctx = request.device as DeviceContext;
    const signing = request.signing as ResponseSigning;
    const subs = parseSubs(request.query);
    if (subs.length > services.options.maxSubscribePerSync) {
      throw new StratusError('too_large', `at most ${services.options.maxSubscribePerSync} streams per live connection`);
    }
    const refs = subs.map((item, i) => toSubscription(ctx, item, services.options, `sub[${i}]`));

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      [HEADER_TIME]: String(request.responseTime),
      [HEADER_SIGNATURE]: signResponse(signing.secret, {
        nonce: signing.nonce,
        status: 200,
        time: request.responseTime,
        bodySha256: EMPTY_SHA256,
      }),
    });
    res.write('retry: 2000\n\n');

    let id = 0;
    const send = (message: LiveMessage): void => {
      id += 1;
      const json = JSON.stringify(message);
      const sig = signLiveEvent(signing.secret, { nonce: signing.nonce, id, dataSha256: sha256Hex(json) });
      res.write(`id: ${id}\nevent: message\ndata: ${sig} ${json}\n\n`);
      if (res.writableLength > services.options.liveBufferBytes) res.destroy();
    };
    const stops = refs.map((ref) => services.live.listen(ref, send));
    const ping = setInterval(() => res.write(': ping\n\n'), services.options.liveKeepAliveMs);
    const untrack = services.live.track(() => res.end());
    res.once('close', () => {
      clearInterval(ping);
      untrack();
      for (const stop of stops) stop();
    });
  });
}
