import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { sha256Hex, signedRequestHeaders } from '../../src/protocol/index.js';

export const CONNECTIONS = 64;

export interface Settings {
  runs: number;
  seconds: number;
  /** Options for the Stratus server's node, such as --cpu-prof (`npm run bench -- --profile <dir>`). */
  nodeArgs: string[];
}

type Request = { method: string; path: string; headers: Record<string, string>; body?: string };

/** The headers of a request of the demo app signed by `device` (PROTOCOL §2), JSON body or none. */
export function signedHeaders(secret: string, method: string, target: string, device: string, body: string, nonce: string): Record<string, string> {
  const time = Math.floor(Date.now() / 1000);
  return {
    ...signedRequestHeaders(secret, { method, target, app: 'demo', device, time, nonce, bodySha256: sha256Hex(body) }),
    ...(body ? { 'content-type': 'application/json' } : {}),
  };
}

/**
 * Signed requests made before the timed run, so the load generator (on the same 2 cores) spends its
 * time sending, not signing. Each has its own nonce; `devices` picks the signing device.
 */
export function presigned(
  secret: string,
  method: string,
  target: string,
  count: number,
  options: { body?: (n: number) => string; device?: (n: number) => string; headers?: Record<string, string> } = {},
): (req: object) => object {
  const pool: Request[] = [];
  for (let n = 0; n < count; n++) {
    const device = options.device?.(n) ?? `bench-${n % CONNECTIONS}`;
    const body = options.body?.(n) ?? '';
    const headers = { ...signedHeaders(secret, method, target, device, body, randomBytes(8).toString('hex')), ...options.headers };
    pool.push({ method, path: target, headers, ...(body ? { body } : {}) });
  }
  let next = 0;
  return (req) => Object.assign(req, pool[next++ % pool.length]);
}

export interface LoadResult {
  perSecond: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * autocannon for `seconds` with keep-alive connections (64), as fast as they go or at `rate`
 * requests a second; only 2xx and 3xx answers count.
 */
export async function load(
  url: string,
  seconds: number,
  setupRequest: (req: object) => object,
  options: { connections?: number; rate?: number } = {},
): Promise<LoadResult> {
  const connections = options.connections ?? CONNECTIONS;
  const r = await autocannon({ url, connections, duration: seconds, requests: [{ setupRequest }], ...(options.rate ? { overallRate: options.rate } : {}) });
  const ok = r['2xx'] + r['3xx'];
  return { perSecond: ok / seconds, errors: r.non2xx - r['3xx'] + r.errors, p50Ms: r.latency.p50, p99Ms: r.latency.p99 };
}
