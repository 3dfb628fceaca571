import { randomBytes } from 'node:crypto';
import { readLiveEvents, signedRequestHeaders, signResponse, EMPTY_SHA256 } from '../../src/protocol/index.js';
import type { TestDevice } from './device-client.js';

export interface LiveEvent {
  id: number;
  data: any;
  signatureValid: boolean;
  /** performance.now() when the event was parsed. */
  at: number;
}

/** Opens `GET /v1/live` for a test device and parses its events, checking every signature. */
export async function openLive(device: TestDevice, subs: string[]) {
  const target = `/v1/live?${subs.map((s) => `sub=${encodeURIComponent(s)}`).join('&')}`;
  const time = device.clock();
  const nonce = randomBytes(9).toString('base64url');
  const controller = new AbortController();
  const response = await fetch(device.url + target, {
    signal: controller.signal,
    headers: signedRequestHeaders(device.secret, { method: 'GET', target, app: device.app, device: device.guid, time, nonce, bodySha256: EMPTY_SHA256 }),
  });
  const startSignatureValid =
    response.headers.get('x-stratus-signature') ===
    signResponse(device.secret, { nonce, status: response.status, time: Number(response.headers.get('x-stratus-time')), bodySha256: EMPTY_SHA256 });
  const events: LiveEvent[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  const pump = (async () => {
    if (!response.body || response.status !== 200) return;
    try {
      for await (const e of readLiveEvents(response.body as unknown as AsyncIterable<Uint8Array>, device.secret, nonce)) {
        events.push({ id: e.id, data: JSON.parse(e.json), signatureValid: e.signatureValid, at: performance.now() });
        waiters.splice(0).forEach((w) => w());
      }
    } catch {
      // aborted
    } finally {
      ended = true;
      waiters.splice(0).forEach((w) => w());
    }
  })();
  return {
    status: response.status,
    startSignatureValid,
    events,
    json: response.status === 200 ? null : await response.json().catch(() => null),
    /** Resolves once `count` events arrived (or the stream ended). */
    async waitFor(count: number): Promise<LiveEvent[]> {
      while (events.length < count && !ended) await new Promise<void>((r) => waiters.push(r));
      return events;
    },
    get ended() {
      return ended;
    },
    async close() {
      controller.abort();
      await pump;
    },
    ended$: pump,
  };
}
