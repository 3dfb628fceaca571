import { certificateProblem } from '../client/certificate-errors.js';
import { isErrorCode, StratusError } from '../protocol/index.js';

/** Raised when the server cannot be reached at all (exit code 3). */
export class ConnectionError extends Error {
  constructor(url: string, cause: unknown) {
    const untrusted = certificateProblem(cause);
    const why = untrusted
      ? `its TLS certificate is not trusted (${untrusted}): pass --ca FILE (STRATUS_CA) with the CA that signed it, or use the host name the certificate is for`
      : ((cause as Error).message ?? String(cause));
    super(`cannot reach the Stratus server at ${url}: ${why}`, { cause });
    this.name = 'ConnectionError';
  }
}

/** Raised when something answered that does not speak the admin API (exit code 1). */
export class UnexpectedAnswerError extends Error {
  constructor(url: string, status: number, cause: unknown) {
    super(`${url} answered HTTP ${status} with a body that is not JSON: is --server (STRATUS_SERVER) a Stratus server?`, { cause });
    this.name = 'UnexpectedAnswerError';
  }
}

/** The server base URL without a trailing slash; a path prefix (behind a reverse proxy) is kept. */
function baseUrl(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new StratusError('bad_request', `--server (STRATUS_SERVER) is not a URL: "${server}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new StratusError('bad_request', `--server (STRATUS_SERVER) must be an http:// or https:// URL: "${server}"`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** A thin client for the admin API, used by the CLI. */
export class AdminClient {
  private readonly base: string;

  constructor(
    readonly server: string,
    private readonly token: string,
    /** A fetch trusting a private CA (--ca); the global one otherwise. */
    private readonly fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis),
  ) {
    this.base = baseUrl(server);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = this.base + path;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ConnectionError(this.server, (error as { cause?: unknown }).cause ?? error);
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch (error) {
      throw new UnexpectedAnswerError(url, response.status, error);
    }
    if (!response.ok) {
      const e = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      const code = isErrorCode(e?.code) ? e.code : 'internal';
      throw new StratusError(code, typeof e?.message === 'string' ? e.message : `HTTP ${response.status}`);
    }
    return parsed as T;
  }

  /** Opens a server-sent event stream (`text/event-stream`); the caller reads the body. */
  async openStream(path: string, signal: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.base + path, { headers: { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' }, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ConnectionError(this.server, (error as { cause?: unknown }).cause ?? error);
    }
    if (response.ok && response.body) return response;
    const text = await response.text();
    let e: { code?: unknown; message?: unknown } | undefined;
    try {
      e = (JSON.parse(text) as { error?: typeof e }).error;
    } catch (error) {
      throw new UnexpectedAnswerError(this.base + path, response.status, error);
    }
    throw new StratusError(isErrorCode(e?.code) ? e.code : 'internal', typeof e?.message === 'string' ? e.message : `HTTP ${response.status}`);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
}

/** Builds a path with encoded segments and a query string without undefined values. */
export function apiPath(segments: readonly string[], query: Record<string, string | number | boolean | undefined> = {}): string {
  const path = '/v1/admin/' + segments.map(encodeURIComponent).join('/');
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
  const qs = q.toString();
  return qs ? `${path}?${qs}` : path;
}
