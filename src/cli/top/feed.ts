import type { AdminClient } from '../admin-client.js';

/** One server-sent event as read from the admin event stream. */
export interface StreamEvent {
  event: string;
  data: unknown;
}

/**
 * Reads `GET /v1/admin/events` and calls `onEvent` for each event until `signal` aborts. Resolves
 * when the stream ends (the server stopped or restarted); rejects when it cannot be opened.
 */
export async function readFeed(client: AdminClient, intervalMs: number, signal: AbortSignal, onEvent: (e: StreamEvent) => void): Promise<void> {
  const response = await client.openStream(`/v1/admin/events?interval=${intervalMs}`, signal);
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e = parseBlock(block);
        if (e) onEvent(e);
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

/** An SSE block's `event:` and JSON `data:`; comments and `retry:` lines give null. */
export function parseBlock(block: string): StreamEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0) return null;
  return { event, data: JSON.parse(data.join('\n')) as unknown };
}
