import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { EMPTY_SHA256, HEADER_SIGNATURE, HEADER_TIME, StratusError, formatEnvelope, sha256Hex, signResponse, wantsEnvelope } from '../../../protocol/index.js';
import type { ResponseSigning, SignedCall } from '../../device-service/index.js';

/**
 * One device request as the routes see it: the parts the device service verifies (read from the
 * headers once, so the call is handed over as it is), and what only HTTP has. `now` is also the
 * answer's X-Stratus-Time.
 */
export interface DeviceCall extends SignedCall {
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw body (empty for GET). */
  body: Buffer;
  /** As the device service reports it once the app is known: every answer, errors included, is signed (PROTOCOL §3). */
  signing: ResponseSigning | null;
}

/** An answer to write: a body, or a stream (server-sent events) that writes itself after the head. */
export interface DeviceAnswer {
  status: number;
  headers: Record<string, string>;
  body?: string;
  stream?: (res: ServerResponse) => void;
}

/** The body of a request that has none. */
export const NO_BODY = Buffer.alloc(0);

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  if (typeof forwarded === 'string' && forwarded !== '') return (forwarded.split(',')[0] as string).trim();
  return req.socket.remoteAddress ?? '';
}

/** The body's bytes, refused as `too_large` past `limit` (announced or received). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const announced = Number(req.headers['content-length'] ?? 0);
  if (announced > limit) return Promise.reject(tooLarge(limit));
  if (req.method === 'GET' || (announced === 0 && req.headers['transfer-encoding'] === undefined)) return Promise.resolve(NO_BODY);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function tooLarge(limit: number): StratusError {
  return new StratusError('too_large', `the body is over the limit of ${limit} bytes`);
}

/**
 * Writes an answer with X-Stratus-Time and, when the app is known, X-Stratus-Signature over its body;
 * in the envelope when the device asked for it (PROTOCOL §3.1): the body then starts with the line
 * that carries status, time, Retry-After and the signature, a 304 goes out as 200, and the header
 * signature covers the answer as sent.
 */
export function writeAnswer(res: ServerResponse, call: DeviceCall, answer: DeviceAnswer): void {
  let body = answer.body ?? '';
  let status = answer.status;
  const headers = answer.headers;
  headers[HEADER_TIME] = String(call.now);
  const signing = call.signing;
  if (signing) {
    const sign = (s: number, bodySha256: string) => signResponse(signing.secret, { nonce: signing.nonce, status: s, time: call.now, bodySha256 });
    let signature = sign(status, answer.stream ? EMPTY_SHA256 : sha256Hex(body));
    if (!answer.stream && wantsEnvelope(call.headers.accept)) {
      body = formatEnvelope({ status, time: call.now, retryAfterSeconds: Number(headers['retry-after'] ?? 0), signature }) + body;
      if (status === 304) status = 200;
      signature = sign(status, sha256Hex(body));
    }
    headers[HEADER_SIGNATURE] = signature;
  }
  if (answer.stream) {
    res.writeHead(status, headers);
    answer.stream(res);
    return;
  }
  if (status !== 304) headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
}

export function jsonAnswer(body: string): DeviceAnswer {
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
}
