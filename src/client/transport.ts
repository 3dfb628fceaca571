import {
  HEADER_SIGNATURE,
  HEADER_TIME,
  StratusError,
  isErrorCode,
  sha256Hex,
  signResponse,
  signaturesEqual,
  signedRequestHeaders,
} from '../protocol/index.js';
import { certificateProblem } from './certificate-errors.js';
import { ClientError } from './errors.js';
import { timerDelay, type Delay } from './options.js';
import { randomToken } from './random.js';

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  /** The first backoff; it doubles each retry, with full jitter. */
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseMs: 25, capMs: 5000 };

export interface SignedAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The request's nonce: live events are signed with it. */
  nonce: string;
  /** The body, still streaming (only with `stream: true`). */
  body?: ReadableStream<Uint8Array> | null;
}

export interface TransportOptions {
  app: string;
  device: string;
  secret: string;
  retry: RetryOptions;
  fetch: typeof fetch;
  /** Local time in ms and the nonce source; fixed only by tests that replay vectors.json. */
  nowMs?: () => number;
  nonce?: () => string;
  /** The wait before a retry (default a timer). */
  delay?: Delay;
}

/**
 * Signed requests (PROTOCOL §2) with verified answers (§3): a fresh nonce and time per attempt, the
 * clock offset learned from X-Stratus-Time, retries with exponential backoff and jitter on network
 * errors, 5xx and 429 (honouring Retry-After). Node's fetch keeps connections alive.
 */
export class Transport {
  /** Server time minus local time, in seconds. */
  offsetSeconds = 0;

  constructor(private readonly options: TransportOptions) {}

  private localSeconds(): number {
    return Math.floor((this.options.nowMs ?? Date.now)() / 1000);
  }

  now(): number {
    return this.localSeconds() + this.offsetSeconds;
  }

  async request(base: string, method: string, target: string, body = '', extra: Record<string, string> = {}): Promise<SignedAnswer> {
    const { attempts, baseMs, capMs } = this.options.retry;
    let clockFixed = false;
    for (let attempt = 1; ; attempt++) {
      let answer: SignedAnswer | null = null;
      let failure: unknown;
      try {
        answer = await this.once(base, method, target, { body, extra });
      } catch (error) {
        failure = error;
      }
      if (answer && answer.status < 400) return answer;
      const error = answer ? errorOf(answer) : failure;
      if (error instanceof StratusError && error.code === 'stale_time' && !clockFixed) {
        clockFixed = true; // the answer taught us the server's time: sign again at once
        attempt--;
        continue;
      }
      const again = retryable(error) || (answer !== null && answer.status >= 500); // a proxy's 502 page too
      if (!again || attempt >= attempts) throw finalError(error);
      const backoff = Math.random() * Math.min(capMs, baseMs * 2 ** (attempt - 1));
      const told = error instanceof StratusError && error.retryAfterSeconds !== null ? error.retryAfterSeconds * 1000 : 0;
      await (this.options.delay ?? timerDelay)(Math.max(backoff, told));
    }
  }

  /** One signed attempt; with `stream` a 200's body is left unread for the caller. */
  async once(
    base: string,
    method: string,
    target: string,
    { body = '', extra = {}, stream = false, signal }: { body?: string; extra?: Record<string, string>; stream?: boolean; signal?: AbortSignal },
  ): Promise<SignedAnswer> {
    const { app, device, secret } = this.options;
    const time = this.now();
    const nonce = this.options.nonce?.() ?? randomToken(12);
    const response = await this.options.fetch(base.replace(/\/+$/, '') + target, {
      method,
      headers: {
        ...signedRequestHeaders(secret, { method, target, app, device, time, nonce, bodySha256: sha256Hex(body) }),
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...extra,
      },
      ...(body ? { body } : {}),
      ...(signal ? { signal } : {}),
    });
    const serverTime = Number(response.headers.get(HEADER_TIME));
    if (Number.isInteger(serverTime) && serverTime > 0) this.offsetSeconds = serverTime - this.localSeconds();
    const text = stream && response.status === 200 ? '' : await response.text();
    const expected = signResponse(secret, { nonce, status: response.status, time: serverTime, bodySha256: sha256Hex(text) });
    const given = response.headers.get(HEADER_SIGNATURE) ?? '';
    if (!signaturesEqual(expected, given)) {
      void response.body?.cancel().catch(() => undefined);
      // Unsigned refusals happen before the server knows the app (an unknown app, a wrong secret):
      // they are still errors, never data.
      if (response.status >= 400) return { status: response.status, headers: response.headers, text, nonce };
      throw new ClientError('bad_response', `the answer to ${method} ${target} is not signed with the app's secret`);
    }
    return { status: response.status, headers: response.headers, text, nonce, ...(stream ? { body: response.body } : {}) };
  }
}

/** The server's error answer as a StratusError (or bad_response when it is not one). */
export function errorOf(answer: SignedAnswer): StratusError | ClientError {
  try {
    const parsed = JSON.parse(answer.text) as { error?: { code?: unknown; message?: unknown } };
    const code = parsed.error?.code;
    if (isErrorCode(code)) {
      const retryAfter = Number(answer.headers.get('retry-after'));
      return new StratusError(code, String(parsed.error?.message ?? code), Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {});
    }
  } catch {
    // not JSON: fall through
  }
  return new ClientError('bad_response', `unexpected answer ${answer.status}: ${answer.text.slice(0, 200)}`);
}

function retryable(error: unknown): boolean {
  if (error instanceof StratusError) return error.code === 'rate_limited' || error.code === 'unavailable' || error.status >= 500;
  if (error instanceof ClientError) return false;
  if (certificateProblem(error)) return false; // the same certificate comes back on every try
  return true; // fetch failed: refused, reset, DNS
}

function finalError(error: unknown): Error {
  if (error instanceof StratusError || error instanceof ClientError) return error;
  const untrusted = certificateProblem(error);
  if (untrusted) {
    return new ClientError('network', `the server's TLS certificate is not trusted (${untrusted}): pass the CA that signed it as the \`ca\` option, or use the host name the certificate is for`, { cause: error });
  }
  const cause = (error as { cause?: { code?: string } }).cause;
  return new ClientError('network', `the server is unreachable: ${cause?.code ?? (error as Error).message}`, { cause: error });
}
