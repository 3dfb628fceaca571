import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { StratusError, errorText, type ErrorCode } from '../protocol/index.js';
import { storageFullError } from '../store/storage-errors.js';
import { systemMillisClock, type MillisClock } from './clock.js';

/** Does the client prefer `text/plain` (PROTOCOL §4)? */
export function wantsText(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('text/plain') && !accept.includes('application/json');
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_VALIDATION: 'bad_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

let lastStorageWarningMs = -Infinity;

/** Storage trouble is logged at most every 10 s: every refused request would otherwise add a line. */
function warnStorage(log: FastifyBaseLogger, error: StratusError, now: number): void {
  if (now - lastStorageWarningMs < 10_000) return;
  lastStorageWarningMs = now;
  log.warn({ err: (error.cause as Error | undefined)?.message }, `storage: ${error.message}`);
}

/** A client that went away mid-request: its business, not a server fault worth a stack trace. */
export function isClientAbort(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException | null;
  return e?.code === 'ECONNRESET' || e?.code === 'ECONNABORTED' || e?.message === 'aborted';
}

/** Turns any thrown error into a StratusError; unknown errors become `internal` (and are logged). */
export function toStratusError(error: unknown, log: FastifyBaseLogger, nowMs: MillisClock = systemMillisClock): StratusError {
  if (error instanceof StratusError) {
    if (error.code === 'unavailable' && error.cause !== undefined) warnStorage(log, error, nowMs());
    return error;
  }
  if (isClientAbort(error)) {
    log.debug({ err: (error as Error).message }, 'client aborted the request');
    return new StratusError('bad_request', 'the request was aborted');
  }
  const full = storageFullError(error);
  if (full) {
    warnStorage(log, full, nowMs());
    return full;
  }
  const e = error as FastifyError;
  const mapped = (e.code && FASTIFY_CODES[e.code]) ?? (e.validation ? 'bad_request' : undefined);
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new StratusError('bad_request', 'a body needs a Content-Type: application/json');
  if (mapped) return new StratusError(mapped, e.message);
  if (e instanceof SyntaxError || e.statusCode === 400) return new StratusError('bad_request', e.message);
  log.error({ err: error }, 'unexpected error');
  return new StratusError('internal', 'internal error; the server log has details');
}

/** An error answer: status, headers and body (PROTOCOL §4). */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function errorAnswer(e: StratusError, accept: string | undefined): ErrorAnswer {
  const headers: Record<string, string> = {};
  if (e.retryAfterSeconds !== null) headers['retry-after'] = String(e.retryAfterSeconds);
  if (wantsText(accept)) {
    headers['content-type'] = 'text/plain; charset=utf-8';
    return { status: e.status, headers, body: errorText(e.code, e.message) };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  return { status: e.status, headers, body: JSON.stringify(e.toBody()) };
}

/** Error answers of the routes Fastify serves (admin API, console, health). */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, nowMs: MillisClock = systemMillisClock): FastifyReply {
  const answer = errorAnswer(toStratusError(error, request.log, nowMs), request.headers.accept);
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

const CLIENT_ERRORS: Record<string, [ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: ['too_large', 'the request headers are over the size limit'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: ['too_large', 'the chunk extensions are over the size limit'],
};

/**
 * Requests node:http refuses before any route sees them (malformed request line or headers, a
 * duplicate Content-Length, a NUL in a header…) get the same error format as everything else, with
 * a stable code and X-Stratus-Time, then the connection is closed (it cannot carry another request).
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, now: number, log: FastifyBaseLogger): void {
  if (isClientAbort(error) || !socket.writable) {
    log.debug({ err: error.message }, 'connection closed by the client');
    socket.destroy();
    return;
  }
  const [code, message] = CLIENT_ERRORS[error.code ?? ''] ?? ['bad_request', `malformed HTTP request (${error.code ?? 'parse error'})`];
  const e = new StratusError(code, message);
  const body = JSON.stringify(e.toBody());
  socket.end(
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-stratus-time: ${now}\r\nconnection: close\r\n\r\n${body}`,
  );
}
