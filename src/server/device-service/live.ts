import { StratusError } from '../../protocol/index.js';
import type { Services } from '../services.js';
import { toSubscription } from './items.js';
import type { DeviceContext, LiveFeed } from './types.js';

/**
 * Live delivery (PROTOCOL §9) of `subs` (each `{scope, stream}`), checked in full (names, grants,
 * count) before anything starts. It moves no cursor: a device acknowledges through sync, which
 * also brings what a dropped connection missed.
 */
export function openLive(services: Services, ctx: DeviceContext, subs: readonly unknown[]): LiveFeed {
  const max = services.options.maxSubscribePerSync;
  if (subs.length === 0) throw new StratusError('bad_request', 'give at least one sub=<scope>/<stream>');
  if (subs.length > max) throw new StratusError('too_large', `at most ${max} streams per live connection`);
  const refs = subs.map((item, i) => toSubscription(ctx, item, services.options, `sub[${i}]`));
  return {
    start(listener) {
      const stops = refs.map((ref) => services.live.listen(ref, listener));
      return () => {
        for (const stop of stops) stop();
      };
    },
  };
}
