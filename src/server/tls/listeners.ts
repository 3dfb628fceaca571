import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { HEADER_TIME, StratusError } from '../../protocol/index.js';
import { errorAnswer } from '../error-reply.js';
import type { ServerOptions } from '../options.js';
import { loadCertificate, type LoadedCertificate, type TlsFiles } from './certificate.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What `--tls-cert`, `--tls-key`, `--http-redirect-port` and `--plain-device-port` ask for. */
export interface TlsSettings {
  files: TlsFiles;
  /** A plain-HTTP port answering every request with a redirect to HTTPS (0: none). */
  redirectPort: number;
  /** A plain-HTTP port serving only the signed device API (0: none). */
  plainDevicePort: number;
}

/** The TLS settings of the options, or null for plain HTTP; half-given settings are refused. */
export function tlsSettings(options: ServerOptions): TlsSettings | null {
  const { tlsCert, tlsKey, httpRedirectPort, plainDevicePort, port } = options;
  if (tlsCert === '' && tlsKey === '') {
    if (httpRedirectPort !== 0 || plainDevicePort !== 0) {
      throw new StratusError('bad_request', '--http-redirect-port and --plain-device-port are for TLS: give --tls-cert and --tls-key too, or leave them 0');
    }
    return null;
  }
  if (tlsCert === '' || tlsKey === '') throw new StratusError('bad_request', '--tls-cert and --tls-key go together: give both PEM files, or neither for plain HTTP');
  const ports: [string, number][] = [
    ['--http-redirect-port', httpRedirectPort],
    ['--plain-device-port', plainDevicePort],
  ];
  for (const [flag, value] of ports) {
    if (value > 65_535) throw new StratusError('bad_request', `${flag} must be a TCP port up to 65535 (got ${value})`);
    if (value !== 0 && value === port) throw new StratusError('bad_request', `${flag} ${value} is the HTTPS port (--port): choose another`);
  }
  if (httpRedirectPort !== 0 && httpRedirectPort === plainDevicePort) {
    throw new StratusError('bad_request', `--http-redirect-port and --plain-device-port are both ${httpRedirectPort}: one port redirects, the other serves devices`);
  }
  return { files: { certFile: tlsCert, keyFile: tlsKey }, redirectPort: httpRedirectPort, plainDevicePort };
}

/** The extra plain-HTTP listeners' addresses, once listening. */
export interface PlainAddresses {
  redirect?: string;
  plainDevice?: string;
}

/** Paths the plain device port answers besides the device API: a load balancer checks them. */
const HEALTH_PATHS = new Set(['/healthz', '/readyz']);

/**
 * The HTTPS listener and its plain-HTTP companions. The certificate is swapped in place on
 * `reload()` (SIGHUP): open connections keep the one they shook hands with, new ones get the new.
 */
export class SecureListeners {
  private certificate: LoadedCertificate;
  private main: HttpsServer | null = null;
  private plain: Server[] = [];
  readonly addresses: PlainAddresses = {};

  constructor(readonly settings: TlsSettings) {
    this.certificate = loadCertificate(settings.files);
  }

  get current(): LoadedCertificate {
    return this.certificate;
  }

  /** The HTTPS server, for Fastify's serverFactory. */
  createServer(handler: RequestHandler): HttpsServer {
    this.main = createHttpsServer({ cert: this.certificate.cert, key: this.certificate.key }, handler);
    return this.main;
  }

  /** Reads the files again; a certificate that does not load throws and the old one stays. */
  reload(): LoadedCertificate {
    const next = loadCertificate(this.settings.files);
    this.main?.setSecureContext({ cert: next.cert, key: next.key });
    this.certificate = next;
    return next;
  }

  /**
   * Starts the plain-HTTP listeners on `host` once the HTTPS one listens on `httpsPort`.
   * `device` answers a device API request (false: not one); `fallback` is the main handler.
   */
  async listenPlain(host: string, httpsPort: number, clock: () => number, device: (req: IncomingMessage, res: ServerResponse) => boolean, fallback: RequestHandler): Promise<PlainAddresses> {
    const { redirectPort, plainDevicePort } = this.settings;
    if (plainDevicePort !== 0) {
      const server = createHttpServer((req, res) => {
        if (device(req, res)) return;
        if (req.method === 'GET' && HEALTH_PATHS.has((req.url ?? '/').split('?')[0] as string)) return fallback(req, res);
        refuse(req, res, clock(), httpsPort);
      });
      this.addresses.plainDevice = await this.listen(server, host, plainDevicePort);
    }
    if (redirectPort !== 0) {
      this.addresses.redirect = await this.listen(
        createHttpServer((req, res) => redirect(req, res, httpsPort)),
        host,
        redirectPort,
      );
    }
    return this.addresses;
  }

  /** Stops the plain listeners like the main one: idle connections at once, all after `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    await Promise.all(this.plain.map((server) => stopServer(server, timeoutMs)));
  }

  private async listen(server: Server, host: string, port: number): Promise<string> {
    this.plain.push(server);
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen({ host, port }, () => {
        server.off('error', fail);
        done();
      });
    });
    const address = server.address() as AddressInfo;
    return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  }
}

/** Anything but the device API on the plain port: refused, pointing at HTTPS. */
function refuse(req: IncomingMessage, res: ServerResponse, time: number, httpsPort: number): void {
  const path = (req.url ?? '/').split('?')[0];
  const error = new StratusError(
    'not_found',
    `${req.method} ${path} is not served on this plain-HTTP port, which serves only the signed device API (/v1/config, /v1/sync, /v1/publish, /v1/messages, /v1/live); the admin API and the console are on HTTPS port ${httpsPort}`,
  );
  const answer = errorAnswer(error, req.headers.accept);
  // The body of a refused request is not read, so the connection cannot carry another request.
  res.writeHead(answer.status, { ...answer.headers, [HEADER_TIME]: String(time), connection: 'close' });
  res.end(answer.body);
}

/** A permanent redirect that keeps the method (308) to the same host and path over HTTPS. */
function redirect(req: IncomingMessage, res: ServerResponse, httpsPort: number): void {
  let hostname: string | null = null;
  try {
    if (req.headers.host) hostname = new URL(`http://${req.headers.host}`).hostname;
  } catch {
    hostname = null;
  }
  if (!hostname) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end('error: bad_request a redirect to HTTPS needs a valid Host header\n');
    return;
  }
  const location = `https://${hostname}${httpsPort === 443 ? '' : `:${httpsPort}`}${req.url ?? '/'}`;
  res.writeHead(308, { location, 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  res.end(`This server is served over HTTPS: ${location}\n`);
}

async function stopServer(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((done) => server.close(() => done()));
  const idle = setInterval(() => server.closeIdleConnections(), 20);
  const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
  try {
    await closed;
  } finally {
    clearInterval(idle);
    clearTimeout(force);
  }
}
