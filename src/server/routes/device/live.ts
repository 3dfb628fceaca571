import type { ServerResponse } from 'node:http';
import { StratusError, formatLiveEvent } from '../../../protocol/index.js';
import type { SubscriptionRequest } from '../../../store/types.js';
import type { DeviceContext, ResponseSigning } from '../../device-auth.js';
import type { LiveMessage } from '../../live-hub.js';
import type { Services } from '../../services.js';
import type { DeviceAnswer, DeviceCall } from './http.js';
import { toSubscription } from './validate.js';

/** `sub=scope/stream`, repeated; the stream may hold `/`, the scope cannot. */
function parseSubs(query: URLSearchParams): { scope: string; stream: string }[] {
  const subs = query.getAll('sub');
  if (subs.length === 0) throw new StratusError('bad_request', 'give at least one sub=<scope>/<stream>');
  return subs.map((s) => {
    const slash = s.indexOf('/');
    if (slash <= 0) throw new StratusError('bad_request', `sub "${s}" is not <scope>/<stream>`);
    return { scope: s.slice(0, slash), stream: s.slice(slash + 1) };
  });
}

/**
 * `GET /v1/live?sub=<scope>/<stream>…`: server-sent events of messages committed after the stream
 * opened (PROTOCOL §9). It moves no cursor: clients acknowledge through sync, which
 * also delivers whatever a dropped connection missed.
 */
export async function live(services: Services, ctx: DeviceContext, call: DeviceCall): Promise<DeviceAnswer> {
  const signing = call.signing as ResponseSigning;
  const subs = parseSubs(call.query);
  if (subs.length > services.options.maxSubscribePerSync) {
    throw new StratusError('too_large', `at most ${services.options.maxSubscribePerSync} streams per live connection`);
  }
  const refs = subs.map((item, i) => toSubscription(ctx, item, services.options, `sub[${i}]`));
  const headers = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };
  return { status: 200, headers, stream: (res) => streamEvents(services, refs, signing, res) };
}

function streamEvents(services: Services, refs: SubscriptionRequest[], signing: ResponseSigning, res: ServerResponse): void {
  res.write('retry: 2000\n\n');
  let id = 0;
  const send = (message: LiveMessage): void => {
    id += 1;
    res.write(formatLiveEvent(signing.secret, signing.nonce, id, JSON.stringify(message)));
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
}
