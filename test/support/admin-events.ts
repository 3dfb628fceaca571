// The server's own account of what happened, for tests to wait on: `GET /v1/admin/events` (presence
// changes, access requests, rejections as they are recorded), read as `stratus top` reads it.
import { AdminClient } from '../../src/cli/admin-client.js';
import { readFeed, type StreamEvent } from '../../src/cli/top/feed.js';

export interface AdminEvents {
  /**
   * Resolves with the first event from now on of this kind that `match` accepts. Rejects when the
   * stream ends first (the server stopped), so a test never waits for what cannot come.
   */
  next(event: StreamEvent['event'], match?: (data: any) => boolean): Promise<any>;
  close(): Promise<void>;
}

/** Opens the admin event stream; resolves once it is open, so what happens after it is seen. */
export async function watchAdminEvents(url: string, adminToken: string): Promise<AdminEvents> {
  const controller = new AbortController();
  const waiting = new Set<{ event: string; match: (data: any) => boolean; resolve: (data: any) => void; reject: (error: Error) => void }>();
  let ended = false;
  let opened: () => void = () => undefined;
  const open = new Promise<void>((resolve) => (opened = resolve));
  // the first event is the snapshot, written once the stream is set up
  const reading = readFeed(new AdminClient(url, adminToken), 60_000, controller.signal, (e) => {
    if (e.event === 'snapshot') opened();
    for (const w of waiting) {
      if (w.event !== e.event || !w.match(e.data)) continue;
      waiting.delete(w);
      w.resolve(e.data);
    }
  }).finally(() => {
    ended = true;
    for (const w of waiting) w.reject(new Error(`the admin event stream ended before a ${w.event} event came`));
    waiting.clear();
  });
  await Promise.race([open, reading]);
  return {
    next: (event, match = () => true) =>
      new Promise((resolve, reject) => (ended ? reject(new Error('the admin event stream has ended')) : waiting.add({ event, match, resolve, reject }))),
    async close() {
      controller.abort();
      await reading.catch(() => undefined);
    },
  };
}
