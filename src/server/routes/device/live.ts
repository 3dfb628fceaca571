import type { ServerResponse } from 'node:http';
import { StratusError, formatLiveEvent, type DeliveredMessage } from '../../../protocol/index.js';
import type { DeviceContext, DeviceService, LiveFeed, ResponseSigning } from '../../device-service/index.js';
import type { Services } from '../../services.js';
import type { DeviceAnswer, DeviceCall } from './http.js';

/** `sub=scope/stream`, repeated; the stream may hold `/`, the scope cannot. */
function parseSubs(query: URLSearchParams): { scope: string; stream: string }[] {
  return query.getAll('sub').map((s) => {
    const slash = s.indexOf('/');
    if (slash <= 0) throw new StratusError('bad_request', `sub "${s}" is not <scope>/<stream>`);
    return { scope: s.slice(0, slash), stream: s.slice(slash + 1) };
  });
}

/** `GET /v1/live?sub=<scope>/<stream>…`: the device service's live feed as server-sent events (PROTOCOL §9). */
export async function live(devices: DeviceService, ctx: DeviceContext, call: DeviceCall, services: Services): Promise<DeviceAnswer> {
  const signing = call.signing as ResponseSigning;
  const feed = devices.live(ctx, parseSubs(call.query));
  const headers = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };
  return { status: 200, headers, stream: (res) => streamEvents(services, feed, signing, res) };
}

function streamEvents(services: Services, feed: LiveFeed, signing: ResponseSigning, res: ServerResponse): void {
  res.write('retry: 2000\n\n');
  let id = 0;
  const stop = feed.start((message: DeliveredMessage) => {
    id += 1;
    res.write(formatLiveEvent(signing.secret, signing.nonce, id, JSON.stringify(message)));
    if (res.writableLength > services.options.liveBufferBytes) res.destroy();
  });
  const ping = setInterval(() => res.write(': ping\n\n'), services.options.liveKeepAliveMs);
  const untrack = services.live.track(() => res.end());
  res.once('close', () => {
    clearInterval(ping);
    untrack();
    stop();
  });
}
