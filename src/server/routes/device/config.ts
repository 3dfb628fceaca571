import type { DeviceContext } from '../../device-auth.js';
import { etagMatches } from '../../config-view.js';
import type { Services } from '../../services.js';
import type { DeviceAnswer, DeviceCall } from './http.js';

/** `GET /v1/config` (PROTOCOL §5): text by default, JSON on request, 304 from the ETag without a query. */
export async function getConfig(services: Services, ctx: DeviceContext, call: DeviceCall): Promise<DeviceAnswer> {
  const view = services.configs.peek(ctx.app.id, ctx.device.id) ?? (await services.configs.forDevice(ctx.app.id, ctx.device.id));
  const headers: Record<string, string> = { etag: view.etag, vary: 'Accept', 'cache-control': 'no-cache' };
  const held = call.headers['if-none-match'];
  if (held !== undefined && etagMatches(held, view.etag)) return { status: 304, headers };
  if ((call.headers.accept ?? '').includes('application/json')) {
    headers['content-type'] = 'application/json; charset=utf-8';
    return { status: 200, headers, body: JSON.stringify(view.values) };
  }
  headers['content-type'] = 'text/plain; charset=utf-8';
  return { status: 200, headers, body: view.text };
}
