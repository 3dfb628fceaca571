import { hexEqual, hmacHex, sha256Hex as digestHex, type Bytes } from './digest.js';

// PROTOCOL §2 and §3. Pure functions over strings and bytes; vectors.json pins every byte.

export const REQUEST_ALGORITHM = 'STRATUS-HMAC-SHA256';
export const RESPONSE_ALGORITHM = 'STRATUS-HMAC-SHA256-RESPONSE';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export type { Bytes };
export { hmacHex };

export function sha256Hex(body: Bytes): string {
  return body.length === 0 ? EMPTY_SHA256 : digestHex(body);
}

export interface RequestToSign {
  method: string;
  /** Path plus `?query`, exactly as sent. */
  target: string;
  app: string;
  device: string;
  time: number;
  nonce: string;
  /** Hex SHA-256 of the raw body bytes. */
  bodySha256: string;
}

export function requestStringToSign(r: RequestToSign): string {
  return [REQUEST_ALGORITHM, r.method.toUpperCase(), r.target, r.app, r.device, String(r.time), r.nonce, r.bodySha256].join(
    '\n',
  );
}

export function signRequest(secret: string, r: RequestToSign): string {
  return hmacHex(secret, requestStringToSign(r));
}

export interface ResponseToSign {
  nonce: string;
  status: number;
  time: number;
  bodySha256: string;
}

export function responseStringToSign(r: ResponseToSign): string {
  return [RESPONSE_ALGORITHM, r.nonce, String(r.status), String(r.time), r.bodySha256].join('\n');
}

export function signResponse(secret: string, r: ResponseToSign): string {
  return hmacHex(secret, responseStringToSign(r));
}

export const LIVE_EVENT_ALGORITHM = 'STRATUS-HMAC-SHA256-EVENT';

export interface LiveEventToSign {
  /** The nonce of the request that opened the stream. */
  nonce: string;
  /** The event's `id:` field: 1, 2, 3 … on each stream. */
  id: number;
  /** Hex SHA-256 of the event's JSON. */
  dataSha256: string;
}

/**
 * A live event (PROTOCOL §9): each `data:` line is `<signature> <json>`, the signature
 * binding the stream's request nonce and the event's position, so events cannot be replayed,
 * reordered or moved to another stream.
 */
export function signLiveEvent(secret: string, e: LiveEventToSign): string {
  return hmacHex(secret, [LIVE_EVENT_ALGORITHM, e.nonce, String(e.id), e.dataSha256].join('\n'));
}

/** Constant-time comparison of two hex signatures; false for anything malformed. */
export function signaturesEqual(expected: string, given: string): boolean {
  if (expected.length !== given.length || !/^[0-9a-f]+$/.test(given)) return false;
  return hexEqual(expected, given);
}
