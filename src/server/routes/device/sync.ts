import { formatSyncText, type SyncResponse } from '../../../protocol/index.js';
import type { DeviceContext, DeviceService } from '../../device-service/index.js';
import { wantsText } from '../../error-reply.js';
import { syncBody } from './body.js';
import { jsonAnswer, type DeviceAnswer, type DeviceCall } from './http.js';

/** `POST /v1/sync` (PROTOCOL §6): JSON or text records in (§6.1); JSON out, or text records (§6.3) on the same Accept rule as errors. */
export async function sync(devices: DeviceService, ctx: DeviceContext, call: DeviceCall): Promise<DeviceAnswer> {
  const result = await devices.sync(ctx, syncBody(call.headers['content-type'], call.body));
  const { config } = result;
  if (wantsText(call.headers.accept)) {
    const text = formatSyncText({ ...result, config: config && { etag: config.etag, text: config.text } });
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: text };
  }
  const response: SyncResponse = { time: result.time, accepted: result.accepted, rejected: result.rejected, messages: result.messages, cursors: result.cursors };
  if (config) response.config = { etag: config.etag, values: config.values };
  return jsonAnswer(JSON.stringify(response));
}
