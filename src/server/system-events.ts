import type { FastifyBaseLogger } from 'fastify';
import { SYSTEM_SCOPE, SYSTEM_STREAMS } from '../protocol/index.js';
import type { AppRecord, StoreSyncInput, StoreSyncResult } from '../store/types.js';
import { MinuteCounter } from './minute-counter.js';

export type SystemStream = keyof typeof SYSTEM_STREAMS;

/** Records access requests, rejections and presence changes as messages in `$stratus` (PROTOCOL §7). */
export class SystemEvents {
  /** Devices recorded in the last minute (one record a minute each), and records per app a minute. */
  private readonly perDevice = new MinuteCounter(100_000);
  private readonly perApp = new MinuteCounter(10_000);

  constructor(
    private readonly sync: (input: StoreSyncInput) => Promise<StoreSyncResult>,
    private readonly log: FastifyBaseLogger,
    private readonly rejectionsPerAppPerMinute: number,
  ) {}

  record(app: AppRecord, stream: SystemStream, event: Record<string, unknown>, now: number): Promise<void> {
    return this
      .sync({
        deviceId: 0,
        now,
        subscribe: [],
        publish: [
          {
            appId: app.id,
            scope: SYSTEM_SCOPE,
            owner: '',
            stream: SYSTEM_STREAMS[stream],
            clientId: null,
            writer: '$server',
            value: JSON.stringify({ ...event, time: now }),
            time: now,
            expiresAt: now + app.maxTtlSeconds,
          },
        ],
      })
      .then(
        () => undefined,
        (error: unknown) => this.log.error({ err: error, stream }, 'could not record a system event'),
      );
  }

  /**
   * Rejections are recorded at most once a minute per device and `rejectionsPerAppPerMinute` per
   * app, so neither a looping device nor a stream of new GUIDs can flood the store. Callers await
   * it before answering, so a rejection the device saw is on record unless a limit left it out.
   */
  async recordRejection(app: AppRecord, device: string, code: string, address: string | null, now: number): Promise<void> {
    if (this.perDevice.take(`${app.id}:${device}`, now, 1) > 0) return;
    if (this.perApp.take(String(app.id), now, this.rejectionsPerAppPerMinute) > 0) return;
    await this.record(app, 'rejections', { device, code, address }, now);
  }
}
