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
    const text = JSON.stringify(body);
    const nonce = randomBytes(9).toString('base64url');
    const headers = { ...signedHeaders(this.secret, 'POST', '/v1/sync', this.guid, text, nonce), 'content-length': String(Buffer.byteLength(text)) };
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.url}/v1/sync`, { method: 'POST', agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const answer = Buffer.concat(chunks).toString('utf8');
          const expected = signResponse(this.secret, { nonce, status: res.statusCode ?? 0, time: Number(res.headers[HEADER_TIME]), bodySha256: sha256Hex(answer) });
          if (res.statusCode !== 200) reject(new Error(`sync answered ${res.statusCode}: ${answer.slice(0, 200)}`));
          else if (!signaturesEqual(expected, String(res.headers[HEADER_SIGNATURE]))) reject(new Error('the answer signature does not verify'));
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
