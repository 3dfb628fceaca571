import type { Services } from '../services.js';
import { authenticate } from './admission.js';
import { configOf } from './config.js';
import { openLive } from './live.js';
import { publishOne, readOne } from './messages.js';
import { sync } from './sync.js';
import type { Authentication, ConfigResult, DeviceContext, LiveFeed, PublishResult, ReadResult, SignedCall, SyncResult } from './types.js';

/**
 * The device rules of the contract, once, for every transport (STYLE.md §12): signature, time,
 * replay, rate limit, admission by policy, presence, grants, quotas, idempotent publish and
 * acknowledged cursors. It knows nothing of HTTP: a transport parses its call into a `SignedCall`
 * and plain values, calls `authenticate`, then an operation, and writes the typed result it gets
 * (or the `StratusError` it catches) in its own form.
 *
 * @example
 * const auth = await devices.authenticate({ method: 'POST', target: '/v1/sync', app, device, time, nonce, signature, body, address, now: devices.now() });
 * if (!auth.ok) throw auth.error; // answered signed with auth.signing when the app is known
 * const result = await devices.sync(auth.context, { publish: [{ stream: 'temp', value: '21.5' }] });
 */
export class DeviceService {
  constructor(private readonly services: Services) {}

  /** The server's time (unix seconds), for a call's `now`. */
  now(): number {
    return this.services.clock();
  }

  /** PROTOCOL §2, §7, §8; never throws: a refusal is `{ ok: false, error, signing }`. */
  authenticate(call: SignedCall): Promise<Authentication> {
    return authenticate(this.services, call);
  }

  /** `GET /v1/config` (§5). */
  config(ctx: DeviceContext, ifNoneMatch: string | undefined): Promise<ConfigResult> {
    return configOf(this.services, ctx, ifNoneMatch);
  }

  /** `POST /v1/sync` (§6.1): `request` is the parsed body. */
  sync(ctx: DeviceContext, request: unknown): Promise<SyncResult> {
    return sync(this.services, ctx, request);
  }

  /** `POST /v1/publish` (§6.4): one publish item. */
  publish(ctx: DeviceContext, item: unknown): Promise<PublishResult> {
    return publishOne(this.services, ctx, item);
  }

  /** `GET /v1/messages` (§6.4): one subscription item. */
  read(ctx: DeviceContext, params: unknown): Promise<ReadResult> {
    return readOne(this.services, ctx, params);
  }

  /** `GET /v1/live` (§9): subscriptions `{scope, stream}`, checked before the feed starts. */
  live(ctx: DeviceContext, subs: readonly unknown[]): LiveFeed {
    return openLive(this.services, ctx, subs);
  }
}
