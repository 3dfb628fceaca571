/**
 * The error catalogue of PROTOCOL.md §4. Codes are stable API: never rename or reuse one.
 * docs/errors.md has a row per code; `errors.test.ts` keeps the two in step.
 */
export const ERROR_CATALOGUE = {
  bad_request: { status: 400, fix: 'Correct the request as the message says; nothing was changed.' },
  bad_signature: {
    status: 401,
    fix: 'Check the app name and secret, and sign exactly the bytes sent (PROTOCOL §2).',
  },
  stale_time: {
    status: 401,
    fix: 'Set the clock from the X-Stratus-Time header of any answer and sign again.',
  },
  replayed: { status: 401, fix: 'Use a fresh X-Stratus-Nonce for every request.' },
  pending_approval: { status: 403, fix: 'Ask an admin to approve the device (`stratus device approve`).' },
  denied: { status: 403, fix: 'The device was denied or the app is closed; an admin must approve it.' },
  forbidden: { status: 403, fix: 'The device lacks a grant for this scope and stream; an admin can add one.' },
  too_large: { status: 413, fix: 'Send a smaller value or body (see the limits in docs/config.md).' },
  rate_limited: { status: 429, fix: 'Wait for the seconds in Retry-After, then retry.' },
  quota_exceeded: {
    status: 403,
    fix: 'A quota is reached (the message says which): an admin approves or denies waiting devices, deletes devices or streams, or raises the quota.',
  },
  not_found: { status: 404, fix: 'Check the path and the names in it.' },
  unavailable: { status: 503, fix: 'The server is starting, stopping or overloaded; retry with backoff.' },
  unauthorized: { status: 401, fix: 'Send `Authorization: Bearer <admin token>` (admin API only).' },
  conflict: { status: 409, fix: 'The thing already exists or changed meanwhile; read it again.' },
  internal: { status: 500, fix: 'A server bug; the server log has the details.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

export function statusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/** The body of every error answer: `{"error":{"code":"…","message":"…"}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** An error with a stable code. `retryAfterSeconds` goes with `rate_limited` and `unavailable`. */
export class StratusError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryAfterSeconds: number | null;

  constructor(code: ErrorCode, message: string, options: { retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StratusError';
    this.code = code;
    this.status = statusOf(code);
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** `error: <code> <message>`, the text/plain form of PROTOCOL §4. */
export function errorText(code: ErrorCode, message: string): string {
  return `error: ${code} ${message}\n`;
}
