import type { ServerResponse } from 'node:http';
import type { LiveHub } from './live-hub.js';

/** The head of every event stream the server answers (device live, admin live, admin events). */
export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // nginx would otherwise hold events back in its buffer
  'x-accel-buffering': 'no',
};

export interface EventStreamSettings {
  /** Milliseconds between `: ping` comments, so proxies keep an idle stream open; 0: none. */
  keepAliveMs: number;
  /** A client that leaves this many bytes unread is disconnected (it catches up another way). */
  bufferBytes: number;
}

/** One event: `id:` (when given), `event:` and a one-line `data:`. */
export function eventFrame(event: string, data: string, id?: number): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;
}

/**
 * Server-sent events on a response whose head is written (PROTOCOL §9 for devices): the retry
 * hint, keep-alive comments, a slow reader dropped past `bufferBytes`, and the end of the stream
 * when the server stops (the hub tracks every open stream). `onClose` cleans up what feeds it.
 */
export class EventStream {
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    hub: LiveHub,
    private readonly settings: EventStreamSettings,
  ) {
    res.write('retry: 2000\n\n');
    if (settings.keepAliveMs > 0) {
      const ping = setInterval(() => res.write(': ping\n\n'), settings.keepAliveMs);
      this.cleanups.push(() => clearInterval(ping));
    }
    this.cleanups.push(hub.track(() => res.end()));
    res.once('close', () => {
      for (const cleanup of this.cleanups) cleanup();
    });
  }

  get closed(): boolean {
    return this.res.destroyed;
  }

  /** Writes one formatted event. */
  write(frame: string): void {
    if (this.res.destroyed) return;
    this.res.write(frame);
    if (this.res.writableLength > this.settings.bufferBytes) this.res.destroy();
  }

  /** Runs `cleanup` when the client goes or the server stops. */
  onClose(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }
}
