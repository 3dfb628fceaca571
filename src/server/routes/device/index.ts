import type { FastifyBaseLogger } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HEADER_APP, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIME, StratusError } from '../../../protocol/index.js';
import type { DeviceContext, DeviceService, SignedCall } from '../../device-service/index.js';
import { errorAnswer, toStratusError } from '../../error-reply.js';
import type { Services } from '../../services.js';
import { getConfig } from './config.js';
import { publishOne, readMessages } from './convenience.js';
import { clientAddress, NO_BODY, readBody, writeAnswer, type DeviceAnswer, type DeviceCall } from './http.js';
import { live } from './live.js';
import { sync } from './sync.js';

type DeviceRoute = (devices: DeviceService, ctx: DeviceContext, call: DeviceCall, services: Services) => Promise<DeviceAnswer>;

const ROUTES = new Map<string, DeviceRoute>([
  ['GET /v1/config', getConfig],
  ['POST /v1/sync', sync],
  ['POST /v1/publish', publishOne],
  ['GET /v1/messages', readMessages],
  ['GET /v1/live', live],
]);

/** The device API's paths, for the OpenAPI document. */
export const DEVICE_ROUTES = [...ROUTES.keys()];

/**
 * The device API (PROTOCOL §2–§9) over HTTP, served straight from node:http's request event: it is
 * the hot path of a fleet, and a framework's routing, hooks and reply objects cost more CPU than
 * the signatures do. An adapter of the device service: each request is read as raw bytes (the
 * signature covers them), authenticated and answered by the service; every answer carries
 * X-Stratus-Time and, once the app is known, X-Stratus-Signature with the secret the service
 * reports. Requests it has no route for are left to Fastify (admin API, console).
 */
export class DeviceApi {
  private closing = false;

  constructor(
    private readonly services: Services,
    private readonly devices: DeviceService,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Answers the request when it is a device route; false leaves it to the caller. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const route = ROUTES.get(`${req.method} ${mark < 0 ? url : url.slice(0, mark)}`);
    if (route === undefined) return false;
    const call: DeviceCall = {
      method: req.method as string,
      target: url,
      query: new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1)),
      headers: req.headers,
      body: NO_BODY,
      ip: clientAddress(req, this.services.options.trustProxy),
      time: this.devices.now(),
      signing: null,
    };
    void this.answer(route, call, req, res);
    return true;
  }

  /** From now on answers `unavailable`, so a load balancer moves the devices to another node. */
  close(): void {
    this.closing = true;
  }

  private async answer(route: DeviceRoute, call: DeviceCall, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let answer: DeviceAnswer;
    try {
      if (this.closing) throw new StratusError('unavailable', 'this server is shutting down; retry', { retryAfterSeconds: 1 });
      call.body = await readBody(req, this.services.options.bodyLimitBytes);
      const auth = await this.devices.authenticate(signedCall(call));
      call.signing = auth.signing;
      if (!auth.ok) throw auth.error;
      answer = await route(this.devices, auth.context, call, this.services);
    } catch (error) {
      answer = errorAnswer(toStratusError(error, this.log, this.services.clockMs), req.headers.accept);
      // The rest of a refused body is not read: the connection cannot carry another request.
      if (!req.complete) answer.headers.connection = 'close';
    }
    // While stopping, a connection closes after its answer instead of idling on.
    if (this.closing) answer.headers.connection = 'close';
    if (!res.destroyed) writeAnswer(res, call, answer);
  }
}

function header(call: DeviceCall, name: string): string | undefined {
  const value = call.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The parts of PROTOCOL §2 from the HTTP request: headers, method, target and body bytes. */
function signedCall(call: DeviceCall): SignedCall {
  return {
    method: call.method,
    target: call.target,
    app: header(call, HEADER_APP),
    device: header(call, HEADER_DEVICE),
    time: header(call, HEADER_TIME),
    nonce: header(call, HEADER_NONCE),
    signature: header(call, HEADER_SIGNATURE),
    body: call.body,
    address: call.ip,
    now: call.time,
  };
}
