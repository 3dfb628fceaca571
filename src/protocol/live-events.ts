import { sha256Hex, signLiveEvent, signaturesEqual } from './signing.js';

export interface SignedLiveEvent {
  /** The event's `id:`, 1, 2, 3 … on each stream. */
  id: number;
  /** The message JSON as sent (the signature covers these bytes). */
  json: string;
  signatureValid: boolean;
}

/**
 * The events of a live stream's body (docs/protocol.md, "Live") as they arrive, each checked against
 * the request's nonce and its position; the retry hint and pings are skipped.
 */
export async function* readLiveEvents(body: AsyncIterable<Uint8Array>, secret: string, nonce: string): AsyncGenerator<SignedLiveEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(block);
      const data = /^data: ([0-9a-f]{64}) (.*)$/m.exec(block);
      if (!id || !data) continue;
      const json = data[2] as string;
      const expected = signLiveEvent(secret, { nonce, id: Number(id[1]), dataSha256: sha256Hex(json) });
      yield { id: Number(id[1]), json, signatureValid: signaturesEqual(expected, data[1] as string) };
    }
  }
}
