import { sha256Hex, signLiveEvent, signaturesEqual, type DeliveredMessage } from '../protocol/index.js';
import { ClientError } from './errors.js';

/**
 * Reads a live stream (docs/protocol.md, "Live"): server-sent events whose `data:` line is a
 * signature, a space and the message JSON. Every event is verified against the request's nonce and
 * its position; one that fails ends the stream with `bad_response`.
 */
export async function readLiveEvents(
  body: ReadableStream<Uint8Array>,
  secret: string,
  nonce: string,
  onMessage: (message: DeliveredMessage) => Promise<void>,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(block);
      const data = /^data: ([0-9a-f]{64}) (.*)$/m.exec(block);
      if (!id || !data) continue; // the retry hint, pings
      const json = data[2] as string;
      const expected = signLiveEvent(secret, { nonce, id: Number(id[1]), dataSha256: sha256Hex(json) });
      if (!signaturesEqual(expected, data[1] as string)) throw new ClientError('bad_response', `live event ${id[1]} is not signed with the app's secret`);
      await onMessage(JSON.parse(json) as DeliveredMessage);
    }
  }
}
