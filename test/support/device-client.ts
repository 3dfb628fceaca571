import { randomBytes } from 'node:crypto';
import { HEADER_SIGNATURE, HEADER_TIME, sha256Hex, signResponse, signedRequestHeaders } from '../../src/protocol/index.js';

export interface SignedResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or null when the body is not JSON. */
  json: any;
  /** Did X-Stratus-Signature verify against the secret and our nonce? */
  signatureValid: boolean;
}

export interface SendOptions {
  body?: string | object;
  contentType?: string;
  headers?: Record<string, string>;
  /** Override what is signed, to make bad requests. */
  time?: number;
  nonce?: string;
  secret?: string;
  /** Sign this body but send `body`: a tampered request. */
  signedBody?: string;
}

/** A minimal signing device for tests: PROTOCOL §2 on the way out, §3 checked on the way back. */
export class TestDevice {
  constructor(
    readonly url: string,
    readonly app: string,
    readonly secret: string,
    readonly guid: string,
    /** Unix seconds used to sign; the server's fake clock in in-process tests. */
    readonly clock: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async send(method: string, target: string, options: SendOptions = {}): Promise<SignedResponse> {
    const body = options.body === undefined ? '' : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const time = options.time ?? this.clock();
    const nonce = options.nonce ?? randomBytes(9).toString('base64url');
    const signed = { method, target, app: this.app, device: this.guid, time, nonce, bodySha256: sha256Hex(options.signedBody ?? body) };
    const response = await fetch(this.url + target, {
      method,
      headers: {
        ...signedRequestHeaders(options.secret ?? this.secret, signed),
        ...(body ? { 'content-type': options.contentType ?? 'application/json' } : {}),
        ...options.headers,
      },
      ...(body ? { body } : {}),
    });
    const text = await response.text();
    const expected = signResponse(this.secret, {
      nonce,
      status: response.status,
      time: Number(response.headers.get(HEADER_TIME)),
      bodySha256: sha256Hex(text),
    });
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: response.status, headers: response.headers, text, json, signatureValid: response.headers.get(HEADER_SIGNATURE) === expected };
  }

  sync(body: object): Promise<SignedResponse> {
    return this.send('POST', '/v1/sync', { body });
  }
}

/** Calls the admin API with the token; returns status and parsed body. */
export async function admin(url: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}
