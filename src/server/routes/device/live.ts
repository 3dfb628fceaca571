import { StratusError, formatLiveEvent } from '../../../protocol/index.js';
import type { DeviceContext, DeviceService, ResponseSigning } from '../../device-service/index.js';
import { EVENT_STREAM_HEADERS, EventStream } from '../../event-stream.js';
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

/**
 * `GET /v1/live?sub=<scope>/<stream>…`: the device service's live feed as server-sent events, each
 * signed with the request's nonce and its position (PROTOCOL §9).
 */
export async function live(devices: DeviceService, ctx: DeviceContext, call: DeviceCall, services: Services): Promise<DeviceAnswer> {
  const { secret, nonce } = call.signing as ResponseSigning;
  const feed = devices.live(ctx, parseSubs(call.query));
  const settings = { keepAliveMs: services.options.liveKeepAliveMs, bufferBytes: services.options.liveBufferBytes };
  return {
    status: 200,
    headers: { ...EVENT_STREAM_HEADERS },
    stream: (res) => {
      const events = new EventStream(res, services.live, settings);
      let id = 0;
      events.onClose(feed.start((message) => events.write(formatLiveEvent(secret, nonce, (id += 1), JSON.stringify(message)))));
    },
  };
}
