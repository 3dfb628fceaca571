import type { DeviceContext, DeviceService } from '../../device-service/index.js';
import type { DeviceAnswer, DeviceCall } from './http.js';

/** `GET /v1/config` (PROTOCOL §5): text by default, JSON on request, 304 when If-None-Match names the ETag. */
export async function getConfig(devices: DeviceService, ctx: DeviceContext, call: DeviceCall): Promise<DeviceAnswer> {
  const { view, unchanged } = await devices.config(ctx, call.headers['if-none-match']);
  const headers: Record<string, string> = { etag: view.etag, vary: 'Accept', 'cache-control': 'no-cache' };
  if (unchanged) return { status: 304, headers };
  if ((call.headers.accept ?? '').includes('application/json')) {
    headers['content-type'] = 'application/json; charset=utf-8';
    return { status: 200, headers, body: JSON.stringify(view.values) };
  }
  headers['content-type'] = 'text/plain; charset=utf-8';
  return { status: 200, headers, body: view.text };
}
