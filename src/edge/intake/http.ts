// The local HTTP endpoint for new code: POST /v1/publish (stored before the answer), GET /v1/messages
// (subscriptions kept in the inbox), GET /v1/health, GET /v1/status and GET /metrics. It listens on
// loopback by default and has no authentication: anything that can reach it can publish as the gateway.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PRIVATE_SCOPE, SCOPE_NAME, STREAM_NAME, StratusError } from '../../protocol/index.js';
import { MAX_PRIORITY, MIN_PRIORITY } from '../config.js';
import type { DownstreamDelivery } from '../downstream.js';
import type { EdgeStatus } from '../status.js';
import { statusMetrics } from '../status.js';
import type { NewMessage } from '../store.js';
import type { Committer } from './committer.js';

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new StratusError('too_large', `the body is over ${MAX_BODY} bytes`));
      else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** A publish from JSON `{scope, stream, value, priority, ttl}` or a text body with those in the query. */
export function parsePublish(body: string, contentType: string, query: URLSearchParams): NewMessage {
  let fields: Record<string, unknown>;
  if (contentType.includes('application/json')) {
    try {
      fields = JSON.parse(body) as Record<string, unknown>;
    } catch {
      throw new StratusError('bad_request', 'the body is not JSON: send {"stream":…,"value":…} or a text body with ?stream=');
    }
    if (!fields || typeof fields !== 'object' || Array.isArray(fields)) throw new StratusError('bad_request', 'the body must be a JSON object');
  } else {
    fields = { ...Object.fromEntries(query), value: body };
    for (const k of ['priority', 'ttl']) if (typeof fields[k] === 'string') fields[k] = /^\d+$/.test(fields[k] as string) ? Number(fields[k]) : fields[k];
  }
  const known = ['scope', 'stream', 'value', 'priority', 'ttl'];
  const unknown = Object.keys(fields).find((k) => !known.includes(k));
  if (unknown) throw new StratusError('bad_request', `unknown field "${unknown}" (fields: ${known.join(', ')})`);
  const { scope = PRIVATE_SCOPE, stream, value, priority = 0, ttl = null } = fields;
  if (typeof scope !== 'string' || (scope !== PRIVATE_SCOPE && !SCOPE_NAME.test(scope))) throw new StratusError('bad_request', `scope must be PRIVATE or match ${SCOPE_NAME}`);
  if (typeof stream !== 'string' || !STREAM_NAME.test(stream)) throw new StratusError('bad_request', `stream must match ${STREAM_NAME}`);
  if (typeof value !== 'string') throw new StratusError('bad_request', 'value must be a string');
  if (value.includes('\0')) throw new StratusError('bad_request', 'value may not hold NUL');
  if (!Number.isInteger(priority) || (priority as number) < MIN_PRIORITY || (priority as number) > MAX_PRIORITY) throw new StratusError('bad_request', `priority must be ${MIN_PRIORITY}–${MAX_PRIORITY}`);
  if (ttl !== null && (!Number.isInteger(ttl) || (ttl as number) < 1)) throw new StratusError('bad_request', 'ttl must be whole seconds ≥ 1');
  return { scope, stream, value, priority: priority as number, ttl: ttl as number | null };
}

function send(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** `GET /v1/messages?scope=&stream=&after=&limit=`: the inbox of a downstream entry with `"http": true`. */
function readMessages(query: URLSearchParams, downstream: DownstreamDelivery): string {
  const scope = query.get('scope') ?? PRIVATE_SCOPE;
  const stream = query.get('stream') ?? '';
  const after = query.get('after') ?? '0';
  const limit = query.get('limit') ?? '100';
  if (!/^\d+$/.test(after)) throw new StratusError('bad_request', 'after must be a whole number (the last seq you processed)');
  if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 1000) throw new StratusError('bad_request', 'limit must be 1–1000');
  if (!downstream.readable(scope, stream)) throw new StratusError('not_found', `${scope}/${stream} is not a downstream entry with "http": true in the gateway's config`);
  return JSON.stringify({ scope, stream, messages: downstream.inbox.read(scope, stream, Number(after), Number(limit)) });
}

export async function openHttp(
  options: { host: string; port: number },
  committer: Committer,
  downstream: DownstreamDelivery,
  status: () => EdgeStatus,
): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    void (async () => {
      try {
        if (req.method === 'POST' && url.pathname === '/v1/publish') {
          const message = parsePublish(await readBody(req), req.headers['content-type'] ?? '', url.searchParams);
          const id = await committer.store1(message);
          return send(res, 200, JSON.stringify({ id, stored: true }));
        }
        if (req.method === 'GET' && url.pathname === '/v1/messages') return send(res, 200, readMessages(url.searchParams, downstream));
        if (req.method === 'GET' && url.pathname === '/v1/health') {
          const s = status();
          return send(res, 200, JSON.stringify({ ok: true, link: s.link.class, messages: s.store.messages, lastContact: s.lastContact }));
        }
        if (req.method === 'GET' && url.pathname === '/v1/status') return send(res, 200, JSON.stringify(status()));
        if (req.method === 'GET' && url.pathname === '/metrics') return send(res, 200, statusMetrics(status()), 'text/plain; version=0.0.4');
        throw new StratusError('not_found', `no ${req.method} ${url.pathname} here (POST /v1/publish, GET /v1/messages, /v1/health, /v1/status, /metrics)`);
      } catch (error) {
        const e = error instanceof StratusError ? error : new StratusError('internal', (error as Error).message);
        send(res, e.status, JSON.stringify(e.toBody()));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return { server, address: `http://${address}:${port}` };
}
