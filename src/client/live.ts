import { readLiveEvents, type DeliveredMessage } from '../protocol/index.js';
import { ClientError } from './errors.js';

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
