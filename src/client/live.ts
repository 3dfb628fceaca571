import { StratusError, readLiveEvents, type DeliveredMessage } from '../protocol/index.js';
import { ClientError } from './errors.js';
import type { Delay, LiveConnection } from './options.js';
import { errorOf, type Transport } from './transport.js';

/** Hands each live event to `onMessage` in order; one whose signature fails ends the stream with `bad_response`. */
export async function consumeLiveEvents(
  body: ReadableStream<Uint8Array>,
  secret: string,
  nonce: string,
  onMessage: (message: DeliveredMessage) => Promise<void>,
): Promise<void> {
  for await (const event of readLiveEvents(body as unknown as AsyncIterable<Uint8Array>, secret, nonce)) {
    if (!event.signatureValid) throw new ClientError('bad_response', `live event ${event.id} is not signed with the app's secret`);
    await onMessage(JSON.parse(event.json) as DeliveredMessage);
  }
}

export interface LiveOptions {
  transport: Transport;
  secret: string;
  /** Where requests go now, and the target for the current subscriptions (read at each connection). */
  server: () => string;
  target: () => string;
  /** Runs before each (re)connection, so that nothing a dropped connection missed is lost. */
  update: () => Promise<unknown>;
  onMessage: (message: DeliveredMessage) => Promise<void>;
  report: (error: Error) => void;
  /** The wait before a reconnection. */
  delay: Delay;
}

/** Backoff between reconnections: full jitter, doubling from 50 ms up to 5 s. */
const backoffMs = (failures: number) => Math.random() * Math.min(5000, 50 * 2 ** failures);

/** A live connection that reconnects until closed; a `bad_request` (no subscriptions) ends it. */
export function openLive(options: LiveOptions): LiveConnection {
  const controller = new AbortController();
  let markOpen: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (markOpen = resolve));
  const loop = (async () => {
    for (let failures = 0; !controller.signal.aborted; failures++) {
      try {
        await options.update();
        const target = options.target();
        const answer = await options.transport.once(options.server(), 'GET', target, { stream: true, signal: controller.signal });
        if (answer.status !== 200 || !answer.body) throw errorOf(answer);
        failures = 0;
        markOpen();
        await consumeLiveEvents(answer.body, options.secret, answer.nonce, options.onMessage);
      } catch (error) {
        if (controller.signal.aborted) break;
        options.report(error as Error);
        if (error instanceof StratusError && error.code === 'bad_request') break;
      }
      if (!controller.signal.aborted) await options.delay(backoffMs(failures));
    }
  })();
  return {
    opened,
    close: async () => {
      controller.abort();
      await loop;
    },
  };
}
