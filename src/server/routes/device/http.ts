import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { EMPTY_SHA256, HEADER_SIGNATURE, HEADER_TIME, StratusError, sha256Hex, signResponse } from '../../../protocol/index.js';
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

/** Writes an answer with X-Stratus-Time and, when the app is known, X-Stratus-Signature over its body. */
export function writeAnswer(res: ServerResponse, call: DeviceCall, answer: DeviceAnswer): void {
  const body = answer.body ?? '';
  const headers = answer.headers;
  headers[HEADER_TIME] = String(call.now);
  if (call.signing) {
    const bodySha256 = answer.stream ? EMPTY_SHA256 : sha256Hex(body);
    headers[HEADER_SIGNATURE] = signResponse(call.signing.secret, { nonce: call.signing.nonce, status: answer.status, time: call.now, bodySha256 });
  }
  if (answer.stream) {
    res.writeHead(answer.status, headers);
    answer.stream(res);
    return;
  }
  if (answer.status !== 304) headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(answer.status, headers);
  res.end(body);
}

export function jsonAnswer(body: string): DeviceAnswer {
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
}
