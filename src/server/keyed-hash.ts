import { randomBytes } from 'node:crypto';

/**
 * 32-bit hashes for the in-memory tables keyed by what clients choose (GUIDs, nonces): FNV-1a from
 * a per-process random seed, then murmur3's finaliser so the low bits, used as the slot, are well
 * mixed. The seed keeps a client from choosing keys that pile into one probe run.
 */
export function randomSeed(): number {
  return randomBytes(4).readUInt32LE(0);
}

/** FNV-1a of `text` continued from `h`, then a separator, so that ("ab", "c") and ("a", "bc") differ. */
export function fnvMix(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0xffff, 0x01000193);
}

/**
 * A string mix of another kind than FNV-1a, for a second hash half: FNV's steps (XOR, multiply)
 * only carry bits upwards, so inputs that collide under one FNV seed often collide under another
 * (~0.2% of such pairs against 2^-32: nonce-cache.test.ts); this one also shifts bits down.
 */
export function shiftMix(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ 0xffff, 0x5bd1e995);
  return h ^ (h >>> 15);
}

/** The start of a hash from a seed (and a number, such as an app id). */
export function fnvStart(seed: number, n = 0): number {
  return Math.imul(0x811c9dc5 ^ seed ^ n, 0x01000193);
}

/** murmur3 fmix32: an unsigned 32-bit result. */
export function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
