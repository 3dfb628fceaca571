// SHA-256 and HMAC-SHA256 as hex for browsers, where WebCrypto is asynchronous and the signing API is
// not: @noble/hashes (audited, no dependencies). Same exports as digest.ts; checked against it.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export type Bytes = string | Uint8Array;

const utf8 = (data: Bytes): Uint8Array => (typeof data === 'string' ? utf8ToBytes(data) : data);

export function sha256Hex(data: Bytes): string {
  return bytesToHex(sha256(utf8(data)));
}

export function hmacHex(secret: string, data: Bytes): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(secret), utf8(data)));
}

/** Compares every character whatever the first difference (equal lengths assumed). */
export function hexEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
