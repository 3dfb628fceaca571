import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { StratusError, errorText, type ErrorCode } from '../protocol/index.js';

/** Does the client prefer `text/plain` (PROTOCOL §4)? */
export function wantsText(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/plain') && !accept.includes('application/json');
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_VALIDATION: 'bad_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

/** Turns any thrown error into a StratusError; unknown errors become `internal` (and are logged). */
export function toStratusError(error: unknown, request: FastifyRequest): StratusError {
  if (error instanceof StratusError) return error;
  const e = error as FastifyError;
  const mapped = (e.code && FASTIFY_CODES[e.code]) ?? (e.validation ? 'bad_request' : undefined);
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new StratusError('bad_request', 'a body needs a Content-Type: application/json, or a form for /v1/publish');
  }
  if (mapped) return new StratusError(mapped, e.message);
  if (e instanceof SyntaxError || e.statusCode === 400) return new StratusError('bad_request', e.message);
  request.log.error({ err: error }, 'unexpected error');
  return new StratusError('internal', 'internal error; the server log has details');
}

/** The one place that writes error answers. */
export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const e = toStratusError(error, request);
  reply.code(e.status);
  if (e.retryAfterSeconds !== null) reply.header('retry-after', String(e.retryAfterSeconds));
  if (wantsText(request)) return reply.type('text/plain; charset=utf-8').send(errorText(e.code, e.message));
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(e.toBody()));
}
