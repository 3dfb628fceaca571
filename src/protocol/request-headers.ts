import { HEADER_APP, HEADER_DEVICE, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIME } from './headers.js';
import { signRequest, type RequestToSign } from './signing.js';

/** The five X-Stratus-* headers of a signed request (PROTOCOL §2), lower case as Node sends them. */
export type SignedRequestHeaders = {
  [HEADER_APP]: string;
  [HEADER_DEVICE]: string;
  [HEADER_TIME]: string;
  [HEADER_NONCE]: string;
  [HEADER_SIGNATURE]: string;
};

/**
 * The request headers for these signing inputs, carrying `signature` as given: a vector's
 * signature, or a spoiled one when a test means the request to be refused. Every signer in this
 * repository (SDK, CLI, edge, bench, tests) builds its headers here or with `signedRequestHeaders`.
 */
export function requestHeaders(signed: Omit<RequestToSign, 'method' | 'target' | 'bodySha256'>, signature: string): SignedRequestHeaders {
  return {
    [HEADER_APP]: signed.app,
    [HEADER_DEVICE]: signed.device,
    [HEADER_TIME]: String(signed.time),
    [HEADER_NONCE]: signed.nonce,
    [HEADER_SIGNATURE]: signature,
  };
}

/**
 * The request headers for these signing inputs, signed with the app's `secret`.
 *
 * @example
 * fetch(url + '/v1/config', { headers: signedRequestHeaders(secret, { method: 'GET', target: '/v1/config', app, device, time, nonce, bodySha256: EMPTY_SHA256 }) })
 */
export function signedRequestHeaders(secret: string, signed: RequestToSign): SignedRequestHeaders {
  return requestHeaders(signed, signRequest(secret, signed));
}
