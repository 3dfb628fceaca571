import type { FastifyBaseLogger } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StratusError } from '../../../protocol/index.js';
import { authenticateDevice, type DeviceContext } from '../../device-auth.js';
import { errorAnswer, toStratusError } from '../../error-reply.js';
import type { Services } from '../../services.js';
import { getConfig } from './config.js';
import { publishOne, readMessages } from './convenience.js';
import { clientAddress, NO_BODY, readBody, writeAnswer, type DeviceAnswer, type DeviceCall } from './http.js';
import { live } from './live.js';
import { sync } from './sync.js';

type DeviceRoute = (services: Services, ctx: DeviceContext, call: DeviceCall) => Promise<DeviceAnswer>;

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
 * The device API (PROTOCOL §2–§8), served straight from node:http's request event: it is the hot
 * path of a fleet, and a framework's routing, hooks and reply objects cost more CPU than the
 * signatures do. Each request is read as raw bytes (the signature covers them), authenticated, then
 * routed; every answer carries X-Stratus-Time and, once the app is known, X-Stratus-Signature.
 * Requests it has no route for are left to Fastify (admin API, console).
 */
export class DeviceApi {
  private closing = false;

  constructor(
    private readonly services: Services,
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
      time: this.services.clock(),
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
      const ctx = await authenticateDevice(this.services, call);
      answer = await route(this.services, ctx, call);
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
