import { sha256Hex, signLiveEvent, signaturesEqual } from './signing.js';

/** One live event as the server writes it: `id`, `event: message`, and `data: <signature> <json>`. */
export function formatLiveEvent(secret: string, nonce: string, id: number, json: string): string {
  return `id: ${id}\nevent: message\ndata: ${signLiveEvent(secret, { nonce, id, dataSha256: sha256Hex(json) })} ${json}\n\n`;
}

export interface SignedLiveEvent {
  /** The event's `id:`, 1, 2, 3 … on each stream. */
  id: number;
  /** The message JSON as sent (the signature covers these bytes). */
  json: string;
  signatureValid: boolean;
}

/**
 * The events of a live stream's body (PROTOCOL §9) as they arrive, each checked against
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
      // Lines end at \n only: a regex `$` or `.` would also stop at U+2028/U+2029, which JSON
      // leaves unescaped inside strings.
      let id: string | null = null;
      let data: string | null = null;
      for (const line of block.split('\n')) {
        if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data = line.slice(6);
      }
      if (id === null || !/^\d+$/.test(id) || data === null || !/^[0-9a-f]{64} /.test(data)) continue;
      const json = data.slice(65);
      const signature = data.slice(0, 64);
      const expected = signLiveEvent(secret, { nonce, id: Number(id), dataSha256: sha256Hex(json) });
      yield { id: Number(id), json, signatureValid: signaturesEqual(expected, signature) };
    }
  }
}
