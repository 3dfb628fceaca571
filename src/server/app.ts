import swagger from '@fastify/swagger';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { HEADER_TIME, StratusError, checkJsonText, decodeUtf8 } from '../protocol/index.js';
import type { Store } from '../store/types.js';
import { authenticateAdmin } from './admin-auth.js';
import { AuthThrottle } from './auth-throttle.js';
import { systemClock, systemMillisClock, type Clock, type MillisClock } from './clock.js';
import { consoleRoutes } from './console-assets.js';
import { answerClientError, sendError } from './error-reply.js';
import { instrumentFastify, listenMetrics, metricsRoute, observeDeviceRequest, parseListen } from './metrics/endpoint.js';
import type { ServerMetrics } from './metrics/registry.js';
import { resolveOptions, type ServerOptions } from './options.js';
import { appRoutes } from './routes/admin/apps.js';
import { configRoutes } from './routes/admin/config.js';
import { deviceRoutes } from './routes/admin/devices.js';
import { eventRoutes } from './routes/admin/events.js';
import { NODE_HEARTBEAT_MS, nodeRoutes } from './routes/admin/nodes.js';
import { streamRoutes } from './routes/admin/streams.js';
import { DeviceService } from './device-service/index.js';
import { DeviceApi } from './routes/device/index.js';
import { deviceOpenApiPaths } from './routes/device/openapi.js';
import { createServices, type Services } from './services.js';
import { SecureListeners, tlsSettings } from './tls/listeners.js';

export interface BuildOptions {
  store: Store;
  options?: Partial<ServerOptions>;
  clock?: Clock;
  /** Milliseconds for caches and rate limits (tests move it with `clock`); defaults to the system's. */
  clockMs?: MillisClock;
  /** A pino logger or `false`; defaults to JSON logs at `options.logLevel`. */
  logger?: boolean | object;
}

export interface StratusServer {
  app: FastifyInstance;
  services: Services;
  /** The HTTPS listener and its plain-HTTP companions; null when serving plain HTTP. */
  tls: SecureListeners | null;
  /** The Prometheus metrics, when `metricsListen` or `metricsToken` turned them on. */
  metrics: ServerMetrics | null;
  /** Where `metricsListen` serves `/metrics`, once listening. */
  readonly metricsAddress: string | null;
  /** Starts the timers (presence flush, TTL sweep) and listens; returns the address. */
  listen(): Promise<string>;
  /** What the TTL sweep timer does, once: deletes expired messages, then empty streams nobody follows. */
  sweep(): Promise<void>;
  /** Stops accepting, finishes in-flight requests, flushes presence and closes the store. */
  close(): Promise<void>;
}

export async function buildServer(build: BuildOptions): Promise<StratusServer> {
  const options = resolveOptions(build.options ?? {});
  const clock = build.clock ?? systemClock;
  const clockMs = build.clockMs ?? systemMillisClock;
  const metricsListen = options.metricsListen === '' ? null : parseListen(options.metricsListen);
  // The device API answers from the request event (src/server/routes/device); Fastify the rest.
  let deviceApi: DeviceApi | null = null;
  const tlsOn = tlsSettings(options);
  const tls = tlsOn ? new SecureListeners(tlsOn) : null;
  let fastifyHandler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  let metrics: ServerMetrics | null = null;
  const app: FastifyInstance = Fastify({
    serverFactory: (handler) => {
      fastifyHandler = handler;
      const serve = (req: IncomingMessage, res: ServerResponse) => {
        const started = metrics === null ? 0n : process.hrtime.bigint();
        if (deviceApi === null || !deviceApi.handle(req, res)) handler(req, res);
        else if (metrics !== null) observeDeviceRequest(metrics, req, res, started);
      };
      return tls ? tls.createServer(serve) : createServer(serve);
    },
    logger: build.logger ?? { level: options.logLevel },
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy,
    return503OnClosing: false, // answered below in our error format
    clientErrorHandler: (error, socket) => answerClientError(error, socket, clock(), app.log),
    forceCloseConnections: 'idle',
    logController: new LogController({ disableRequestLogging: true }),
  });
  const services = createServices(build.store, options, clock, app.log, clockMs);
  deviceApi = new DeviceApi(services, new DeviceService(services), app.log);
  const adminThrottle = new AuthThrottle();
  if (metricsListen !== null || options.metricsToken !== '') {
    const { ServerMetrics } = await import('./metrics/registry.js'); // prom-client only when metrics are on
    metrics = new ServerMetrics(services, adminThrottle);
    instrumentFastify(app, metrics);
    if (options.metricsToken !== '') metricsRoute(app, metrics, options.metricsToken);
  }

  // Bodies are checked as sent (no coercion, unknown fields rejected, not dropped); query strings
  // and path parameters are text, so their numbers and booleans are coerced.
  const strictAjv = new Ajv({ removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false });
  const textAjv = new Ajv({ removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strictAjv : textAjv).compile(schema));
  // Ajv coerces "1e309" to Infinity and then lets it pass `maximum` (found by npm run fuzz).
  app.addHook('preHandler', async (request) => {
    for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new StratusError('bad_request', `querystring/${name} must be a finite number`);
    }
  });

  // Admin bodies as strictly as device bodies: valid UTF-8, no lone surrogates; then Fastify's own
  // parser with its prototype-poisoning checks.
  const fastifyJson = app.getDefaultJsonParser('error', 'ignore');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const text = decodeUtf8(body as Buffer);
    if (text === null) return done(new StratusError('bad_request', 'the body is not valid UTF-8'), undefined);
    try {
      checkJsonText(text);
    } catch (error) {
      return done(new StratusError('bad_request', `the body is not valid JSON: ${(error as Error).message}`), undefined);
    }
    void fastifyJson(request, text, done);
  });

  let closing = false;
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(HEADER_TIME, String(clock()));
    if (closing) {
      reply.header('connection', 'close');
      done(new StratusError('unavailable', 'this server is shutting down; retry', { retryAfterSeconds: 1 }));
      return;
    }
    done();
  });
  // While stopping, every answer closes its connection: a keep-alive connection must not idle on.
  app.addHook('onSend', async (request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply, clockMs));
  app.setNotFoundHandler((request, reply) =>
    sendError(new StratusError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`), request, reply),
  );

  await app.register(swagger, {
    openapi: {
      info: { title: 'Stratus API', version: '1' },
      components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } },
    },
  });
  const devicePaths = deviceOpenApiPaths(options);
  app.get('/openapi.json', { schema: { hide: true } }, async () => {
    const doc = app.swagger();
    return { ...doc, paths: { ...devicePaths, ...doc.paths } };
  });
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  // Ready when the database answers: a load balancer takes a node out while its database is away.
  app.get('/readyz', { schema: { hide: true } }, async () => {
    try {
      await build.store.ping();
    } catch (error) {
      throw new StratusError('unavailable', `the ${build.store.kind} database is not ready: ${(error as Error).message}`, { retryAfterSeconds: 5 });
    }
    return { ok: true, store: build.store.kind, node: build.store.nodeId };
  });

  consoleRoutes(app);
  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request) => authenticateAdmin(services.store, adminThrottle, clock(), request));
    appRoutes(scope, services);
    deviceRoutes(scope, services);
    configRoutes(scope, services);
    streamRoutes(scope, services);
    nodeRoutes(scope, services);
    eventRoutes(scope, services);
  });

  let sweeper: NodeJS.Timeout | null = null;
  let heart: NodeJS.Timeout | null = null;
  let metricsServer: Server | null = null;
  let metricsAddress: string | null = null;
  const sweep = async (): Promise<void> => {
    const { store } = services;
    const expired = await store.sweepExpired(clock(), options.sweepBatchRows);
    if (expired > 0) app.log.debug({ deleted: expired }, 'expired messages swept');
    const streams = await store.sweepStreams(options.sweepBatchRows);
    if (streams > 0) app.log.debug({ deleted: streams }, 'empty streams nobody follows swept');
  };
  return {
    app,
    services,
    tls,
    metrics,
    get metricsAddress() {
      return metricsAddress;
    },
    sweep,
    async listen() {
      services.presence.start(options.presenceFlushMs, clock);
      sweeper = setInterval(() => void sweep().catch((err: unknown) => app.log.error({ err }, 'TTL sweep failed')), options.sweepIntervalMs);
      sweeper.unref();
      await services.cluster.start();
      const startedAt = clock();
      let address = `http://${options.host}:${options.port}`; // until listen() tells the port
      const beat = () => services.store.heartbeat({ address, startedAt, now: clock() });
      // Heard of before it takes connections: publishes on the other nodes notify this one (PostgreSQL)
      await beat();
      address = await app.listen({ host: options.host, port: options.port });
      if (tls) address = address.replace(/^http:/, 'https:'); // Fastify cannot tell: it did not make the server
      await tls?.listenPlain(options.host, (app.server.address() as AddressInfo).port, clock, (req, res) => deviceApi?.handle(req, res) ?? false, fastifyHandler);
      if (metrics !== null && metricsListen !== null) {
        const served = await listenMetrics(metrics, metricsListen.host, metricsListen.port);
        metricsServer = served.server;
        metricsAddress = served.address;
      }
      await beat();
      heart = setInterval(() => beat().catch((err: unknown) => app.log.warn({ err }, 'node heartbeat failed')), NODE_HEARTBEAT_MS);
      heart.unref();
      return address;
    },
    async close() {
      closing = true;
      deviceApi?.close();
      if (sweeper) clearInterval(sweeper);
      if (heart) clearInterval(heart);
      services.live.closeAll();
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      // Connections that finish their request while we stop go idle: close those as they do, and
      // everything once the timeout has passed.
      const idle = setInterval(() => app.server.closeIdleConnections(), 20);
      const force = setTimeout(() => app.server.closeAllConnections(), options.shutdownTimeoutMs);
      try {
        await Promise.all([app.close(), tls?.close(options.shutdownTimeoutMs)]);
      } finally {
        clearInterval(idle);
        clearTimeout(force);
      }
      await services.cluster.stop();
      await services.presence.stop();
      await build.store.close();
    },
  };
}
