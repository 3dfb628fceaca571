/** `bytes` random bytes as base64url, from WebCrypto (Node 20 and browsers alike). */
export function randomToken(bytes: number): string {
  const data = globalThis.crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...data)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
