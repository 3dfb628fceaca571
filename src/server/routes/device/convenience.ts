import type { DeviceContext, DeviceService } from '../../device-service/index.js';
import { formOrJsonFields } from './body.js';
import { jsonAnswer, type DeviceAnswer, type DeviceCall } from './http.js';

// curl-friendly endpoints with the rules of `/v1/sync` (PROTOCOL §6.4).

/** Numbers from a query string; anything that is not a whole number is left as is for validation to reject. */
function queryNumber(value: string | null): unknown {
  return value === null ? undefined : /^\d+$/.test(value) ? Number(value) : value;
}

/** `POST /v1/publish`: one message, as JSON or a form. */
export async function publishOne(devices: DeviceService, ctx: DeviceContext, call: DeviceCall): Promise<DeviceAnswer> {
  const result = await devices.publish(ctx, formOrJsonFields(call.headers['content-type'], call.body));
  return jsonAnswer(JSON.stringify(result));
}

/** `GET /v1/messages?scope=&stream=&after=&limit=&reset=`: one page of one stream. */
export async function readMessages(devices: DeviceService, ctx: DeviceContext, call: DeviceCall): Promise<DeviceAnswer> {
  const q = call.query;
  const reset = q.get('reset');
  const params = {
    scope: q.get('scope') ?? undefined,
    stream: q.get('stream') ?? undefined,
    after: queryNumber(q.get('after')),
    limit: queryNumber(q.get('limit')),
    reset: reset === null ? undefined : reset === 'true' ? true : reset === 'false' ? false : reset,
  };
  return jsonAnswer(JSON.stringify(await devices.read(ctx, params)));
}
