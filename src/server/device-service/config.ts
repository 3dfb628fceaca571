import { etagMatches } from '../config-view.js';
import type { Services } from '../services.js';
import type { ConfigResult, DeviceContext } from './types.js';

/** The device's merged config (PROTOCOL §5.1), and whether `ifNoneMatch` names its ETag (§5.2). */
export async function configOf(services: Services, ctx: DeviceContext, ifNoneMatch: string | undefined): Promise<ConfigResult> {
  const view = services.configs.peek(ctx.app.id, ctx.device.id) ?? (await services.configs.forDevice(ctx.app.id, ctx.device.id));
  return { view, unchanged: ifNoneMatch !== undefined && etagMatches(ifNoneMatch, view.etag) };
}
