import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { StratusError } from '../protocol/index.js';
import type { Store } from '../store/types.js';
import type { AuthThrottle } from './auth-throttle.js';

export function tokenSha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new admin token: shown once, stored only as its SHA-256. */
export async function issueAdminToken(store: Store, label: string, now: number): Promise<string> {
  const token = `stratus_admin_${randomBytes(24).toString('base64url')}`;
  await store.insertAdminToken(tokenSha256(token), label, now);
  return token;
}

/** Checks the bearer token; an address that keeps sending bad ones is slowed down (rate_limited). */
export async function authenticateAdmin(store: Store, throttle: AuthThrottle, now: number, request: FastifyRequest): Promise<void> {
  const wait = throttle.waitSeconds(request.ip, now);
  if (wait > 0) throw new StratusError('rate_limited', 'too many bad admin tokens from this address', { retryAfterSeconds: wait });
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new StratusError('unauthorized', 'send Authorization: Bearer <admin token>');
  if (!(await store.hasAdminToken(tokenSha256(match[1] as string)))) {
    throttle.failed(request.ip, now);
    throw new StratusError('unauthorized', 'the admin token is not valid');
  }
  throttle.succeeded(request.ip);
}
