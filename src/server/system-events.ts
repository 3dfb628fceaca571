import type { FastifyBaseLogger } from 'fastify';
import { SYSTEM_SCOPE, SYSTEM_STREAMS } from '../protocol/index.js';
import type { AppRecord, StoreSyncInput, StoreSyncResult } from '../store/types.js';

export type SystemStream = keyof typeof SYSTEM_STREAMS;

/** Records access requests, rejections and presence changes as messages in `$stratus` (PROTOCOL §7). */
export class SystemEvents {
  private readonly lastRejection = new Map<string, number>();

  constructor(
    private readonly sync: (input: StoreSyncInput) => Promise<StoreSyncResult>,
    private readonly log: FastifyBaseLogger,
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
   * Rejections of one device are recorded at most once a minute, so a looping device cannot flood.
   * Callers await it before answering, so a rejection the device saw is always on record.
   */
  async recordRejection(app: AppRecord, device: string, code: string, address: string | null, now: number): Promise<void> {
    const key = `${app.id}:${device}`;
    if ((this.lastRejection.get(key) ?? -Infinity) > now - 60) return;
    if (this.lastRejection.size > 100_000) this.lastRejection.clear();
    this.lastRejection.set(key, now);
    await this.record(app, 'rejections', { device, code, address }, now);
  }
}
