import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { StratusError } from '../../protocol/index.js';
import type { ServerMetrics } from './registry.js';

/** `host:port` of `--metrics-listen`; `[::1]:9090` for IPv6. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (!m || port > 65_535) throw new StratusError('bad_request', `--metrics-listen must be host:port, such as 127.0.0.1:9464 (got "${text}")`);
  return { host: (m[1] ?? m[2]) as string, port };
}

function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Counts every Fastify answer under its route pattern (`/v1/admin/apps/:app`), never the raw URL. */
export function instrumentFastify(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const stream = String(reply.raw.getHeader('content-type') ?? '').startsWith('text/event-stream');
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, stream ? null : reply.elapsedTime / 1000);
    done();
  });
}

/** Counts a device API answer (served outside Fastify) when its response ends. */
export function observeDeviceRequest(metrics: ServerMetrics, req: IncomingMessage, res: ServerResponse, startedNs: bigint): void {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const route = mark < 0 ? url : url.slice(0, mark); // only the device API's fixed paths get here
  res.once('close', () => {
    const stream = String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
    metrics.observeRequest(req.method ?? 'GET', route, res.statusCode, stream ? null : Number(process.hrtime.bigint() - startedNs) / 1e9);
  });
}

async function answer(metrics: ServerMetrics): Promise<{ type: string; body: string }> {
  return { type: metrics.registry.contentType, body: await metrics.registry.metrics() };
}

/** `GET /metrics` on the main port, for holders of the metrics token (not the admin token). */
export function metricsRoute(app: FastifyInstance, metrics: ServerMetrics, token: string): void {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const m = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!m || !sameToken(m[1] as string, token)) throw new StratusError('unauthorized', 'send Authorization: Bearer <metrics token> (--metrics-token)');
    const { type, body } = await answer(metrics);
    return reply.type(type).send(body);
  });
}

/** A listener of its own that answers only `GET /metrics` (no auth: bind it where only Prometheus reaches). */
export async function listenMetrics(metrics: ServerMetrics, host: string, port: number): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('only GET /metrics is served here\n');
      return;
    }
    answer(metrics).then(
      ({ type, body }) => res.writeHead(200, { 'content-type': type }).end(body),
      (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${(error as Error).message}\n`),
    );
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  const a = server.address() as AddressInfo;
  return { server, address: `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/metrics` };
}
