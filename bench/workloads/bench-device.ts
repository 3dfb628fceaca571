// A lean signed device for the benchmarks: node:http with keep-alive, as a device's own HTTP client
// would be. fetch (undici) costs the load generator several times more CPU per request than the
// server spends on it, which on two shared cores would measure the client, not Stratus.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { HEADER_SIGNATURE, HEADER_TIME, sha256Hex, signaturesEqual, signResponse } from '../../src/protocol/index.js';
import { signedHeaders } from './http-load.js';

export class BenchDevice {
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly guid: string,
    private readonly agent: http.Agent,
  ) {}

  /** POST /v1/sync; the answer's body once its signature checked out. */
  sync(body: object): Promise<string> {
    return this.request('POST', '/v1/sync', JSON.stringify(body), {}, 200);
  }

  /** GET /v1/config holding `etag`: the config has not changed, so the answer is a signed 304. */
  async poll(etag: string): Promise<void> {
    await this.request('GET', '/v1/config', '', { 'if-none-match': etag }, 304);
  }

  private request(method: string, target: string, text: string, extra: Record<string, string>, expected: number): Promise<string> {
    const nonce = randomBytes(9).toString('base64url');
    const headers = { ...signedHeaders(this.secret, method, target, this.guid, text, nonce), ...extra, 'content-length': String(Buffer.byteLength(text)) };
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.url}${target}`, { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const answer = Buffer.concat(chunks).toString('utf8');
          const expectedSignature = signResponse(this.secret, { nonce, status: res.statusCode ?? 0, time: Number(res.headers[HEADER_TIME]), bodySha256: sha256Hex(answer) });
          if (res.statusCode !== expected) reject(new Error(`${method} ${target} answered ${res.statusCode}: ${answer.slice(0, 200)}`));
          else if (!signaturesEqual(expectedSignature, String(res.headers[HEADER_SIGNATURE]))) reject(new Error('the answer signature does not verify'));
          else resolve(answer);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(text);
    });
  }
}

/** A keep-alive connection pool for BenchDevices. */
export function benchAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets });
}

/**
 * Calls `send(i)` `rate` times a second for `seconds`: at each wake-up (every millisecond or so)
 * whatever is due, so that the load is as even as timers allow; waits for the sends and resolves
 * to how many failed (the first failure is logged), as autocannon counts errors.
 */
export async function paced(rate: number, seconds: number, send: (i: number) => Promise<unknown>): Promise<number> {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending: Promise<unknown>[] = [];
  let failed = 0;
  const fail = (error: unknown): void => {
    if (failed++ === 0) process.stderr.write(`  a paced request failed: ${(error as Error).message}\n`);
  };
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    while (sent < due) pending.push(send(sent++).catch(fail)); // handled at once: no unhandled rejection mid-run
    if (sent < total) await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  return failed;
}
