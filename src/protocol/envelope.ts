/**
 * The answer envelope (spec/PROTOCOL.md §3.1), for clients that cannot afford to parse HTTP
 * headers: asked for with an `envelope=1` parameter in `Accept`, a signed answer's body starts with
 * one line, `stratus: <status> <time> <retry-after> <signature>`, carrying what the headers carry;
 * the signature is the one X-Stratus-Signature would hold for the answer without the envelope.
 */

export const ENVELOPE_KIND = 'stratus';

/** Does an `Accept` header ask for the envelope? */
export function wantsEnvelope(accept: string | undefined): boolean {
  return accept !== undefined && /(^|[\s;,])envelope=1\s*($|[;,])/.test(accept);
}

export interface Envelope {
  /** The answer's status (304 included: the HTTP status of an enveloped 304 is 200). */
  status: number;
  time: number;
  /** 0 when the answer names none. */
  retryAfterSeconds: number;
  /** Hex HMAC-SHA256 of the answer (§3), over the body after the envelope line. */
  signature: string;
}

/** The envelope line, with its newline, to put before the body. */
export function formatEnvelope(e: Envelope): string {
  return `${ENVELOPE_KIND}: ${e.status} ${e.time} ${e.retryAfterSeconds} ${e.signature}\n`;
}

/** Splits an enveloped body; null when it does not start with a well-formed envelope line. */
export function parseEnvelope(body: string): { envelope: Envelope; body: string } | null {
  const m = /^stratus: (\d{3}) (0|[1-9]\d{0,14}) (0|[1-9]\d{0,14}) ([0-9a-f]{64})\n/.exec(body);
  if (!m) return null;
  const [line, status, time, retry, signature] = m as unknown as [string, string, string, string, string];
  return { envelope: { status: Number(status), time: Number(time), retryAfterSeconds: Number(retry), signature }, body: body.slice(line.length) };
}
