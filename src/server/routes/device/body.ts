import { StratusError, decodeUtf8, parseStrictForm, parseStrictJson, parseSyncRequestText } from '../../../protocol/index.js';
import { isPlainObject } from '../../device-service/index.js';

// Request bodies as the device routes receive them: bytes, strictly decoded, to values for the service.

/** The body as text: refused unless it is valid UTF-8 (a lenient decode would store U+FFFD instead). */
export function bodyText(raw: Buffer): string {
  const text = decodeUtf8(raw);
  if (text === null) throw new StratusError('bad_request', 'the body is not valid UTF-8');
  return text;
}

/** Parses a JSON body, answering `bad_request` with the parser's reason. */
export function parseJson(raw: Buffer | null): unknown {
  if (!raw || raw.length === 0) throw new StratusError('bad_request', 'the body must be JSON');
  const text = bodyText(raw);
  try {
    return parseStrictJson(text);
  } catch (error) {
    throw new StratusError('bad_request', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Parses a JSON or form body into an object of fields. */
export function formOrJsonFields(contentType: string | undefined, raw: Buffer): Record<string, unknown> {
  if ((contentType ?? '').startsWith('application/x-www-form-urlencoded')) {
    const form = parseStrictForm(bodyText(raw));
    if (form === null) throw new StratusError('bad_request', 'the form has a malformed %-escape or escapes that are not UTF-8');
    return { ...form, ...(form.ttl !== undefined ? { ttl: Number(form.ttl) } : {}) };
  }
  const body = parseJson(raw);
  if (!isPlainObject(body)) throw new StratusError('bad_request', 'the body must be a JSON object');
  return body;
}

/** A sync request: its text form (PROTOCOL §6.1) under `Content-Type: text/plain`, else JSON. */
export function syncBody(contentType: string | undefined, raw: Buffer | null): unknown {
  if (/^text\/plain\b/i.test(contentType ?? '')) return parseSyncRequestText(raw ? bodyText(raw) : '');
  return parseJson(raw);
}
