// SHA-256 and HMAC-SHA256 as hex, on Node's crypto. Bundlers building for browsers swap this module
// for digest-web.ts (package.json "browser"); both pass the same tests and vectors.
import * as crypto from 'node:crypto';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type Bytes = string | Uint8Array;

// crypto.hash (Node ≥ 20.12) hashes in one call, without a Hash object: a third of the time.
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : null;

export function sha256Hex(data: Bytes): string {
  return oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

export function hmacHex(secret: string, data: Bytes): string {
  return createHmac('sha256', secret).update(data).digest('hex');
}

/** Constant-time comparison of two lower-case hex strings of equal length. */
export function hexEqual(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
