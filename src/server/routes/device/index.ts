import type { FastifyBaseLogger } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HEADER_APP, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIME, StratusError } from '../../../protocol/index.js';
import type { DeviceContext, DeviceService } from '../../device-service/index.js';
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
    const headers = req.headers;
    const call: DeviceCall = {
      method: req.method as string,
      target: url,
      app: one(headers[HEADER_APP]),
      device: one(headers[HEADER_DEVICE]),
      time: one(headers[HEADER_TIME]),
      nonce: one(headers[HEADER_NONCE]),
      signature: one(headers[HEADER_SIGNATURE]),
      body: NO_BODY,
      address: clientAddress(req, this.services.options.trustProxy),
      now: this.devices.now(),
      query: new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1)),
      headers,
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
      const auth = await this.devices.authenticate(call);
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

/** A header sent once; a repeated one (an array) counts as missing. */
function one(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
