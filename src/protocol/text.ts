// Strict text at every input boundary: bytes must be valid UTF-8 and strings well-formed UTF-16
// (no lone surrogates), or the input is refused. Decoding leniently would store U+FFFD or invalid
// UTF-8 in place of what was sent, and answer 200 as if it had been kept.

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of UTF-8 bytes, or null when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** A surrogate code unit that is not half of a pair (in `u` mode a pair is one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** A `\uD800`–`\uDFFF` escape: the only way a lone surrogate gets into JSON made of valid UTF-8. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * JSON.parse that refuses lone surrogates in any string or key. Only texts holding a surrogate
 * escape pay for the walk, so the device API's hot path parses as fast as before.
 */
export function parseStrictJson(text: string): unknown {
  return SURROGATE_ESCAPE.test(text) ? JSON.parse(text, refuseLoneSurrogates) : JSON.parse(text);
}

/** Throws a SyntaxError when the JSON text has a string or key with a lone surrogate (or is not JSON). */
export function checkJsonText(text: string): void {
  if (SURROGATE_ESCAPE.test(text)) JSON.parse(text, refuseLoneSurrogates);
}

function refuseLoneSurrogates(key: string, value: unknown): unknown {
  if (!isWellFormed(key) || (typeof value === 'string' && !isWellFormed(value))) {
    throw new SyntaxError('a string holds a lone UTF-16 surrogate (not valid Unicode text)');
  }
  return value;
}

/** Form fields (`application/x-www-form-urlencoded`) decoded strictly: null for a malformed %-escape or escapes that are not UTF-8. */
export function parseStrictForm(text: string): Record<string, string> | null {
  const fields = new Map<string, string>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeFormPart(eq < 0 ? pair : pair.slice(0, eq));
    const value = decodeFormPart(eq < 0 ? '' : pair.slice(eq + 1));
    if (name === null || value === null) return null;
    fields.set(name, value);
  }
  return Object.fromEntries(fields); // own properties for every name, `__proto__` included
}

function decodeFormPart(part: string): string | null {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return null; // a malformed %-escape or escapes that are not UTF-8
  }
}
