import { hmacHex, sha256Hex, signaturesEqual } from './signing.js';
import { isWellFormed } from './text.js';

/**
 * The config text format of PROTOCOL §5: `key: value\n` per entry, sorted by key, parseable with
 * `strstr`. A key is 1–128 UTF-8 bytes without `:`, CR or LF and without spaces at either end.
 * Values are escaped so they never hold CR or LF: `\` → `\\`, LF → `\n`, CR → `\r`.
 */

const encoder = new TextEncoder();
/** Bytes of the UTF-8 encoding (Buffer is Node's only: the protocol also runs in browsers). */
const utf8Length = (text: string): number => encoder.encode(text).length;

export type ConfigValues = Readonly<Record<string, string>>;

export const MAX_KEY_BYTES = 128;
export const MAX_VALUE_BYTES = 4096;

/** Why a key is not valid, or null when it is. */
export function keyProblem(key: string): string | null {
  const bytes = utf8Length(key);
  if (bytes < 1 || bytes > MAX_KEY_BYTES) return `a key is 1 to ${MAX_KEY_BYTES} bytes (got ${bytes})`;
  if (/[:\r\n]/.test(key) || key.includes('\u0000')) return 'a key may not contain ":", CR, LF or NUL';
  if (key.trim() !== key) return 'a key may not start or end with white space';
  if (!isWellFormed(key)) return 'a key must be valid Unicode text (it holds a lone surrogate)';
  return null;
}

/** Why a value is not valid, or null when it is. */
export function valueProblem(value: string): string | null {
  const bytes = utf8Length(value);
  if (bytes > MAX_VALUE_BYTES) return `a value is at most ${MAX_VALUE_BYTES} bytes (got ${bytes})`;
  if (value.includes('\u0000')) return 'a value may not contain NUL (C clients end strings there)';
  if (!isWellFormed(value)) return 'a value must be valid Unicode text (it holds a lone surrogate)';
  return null;
}

export function escapeValue(value: string): string {
  return value.replace(/[\\\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\r'));
}

export function unescapeValue(text: string): string {
  return text.replace(/\\([\\nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

/** Keys in code-unit order, the order every client and the server agree on. */
export function sortedKeys(values: ConfigValues): string[] {
  return Object.keys(values).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function formatConfigText(values: ConfigValues): string {
  let out = '';
  for (const key of sortedKeys(values)) out += `${key}: ${escapeValue(values[key] ?? '')}\n`;
  return out;
}

/** The ETag of a config text (quoted, as in the header): the first 24 hex digits of its SHA-256. */
export function configEtag(text: string): string {
  return `"${sha256Hex(text).slice(0, 24)}"`;
}

/**
 * Parses config text. Every line holding `: ` after at least one byte is an entry, so any valid key
 * reads back, `#x` included; other lines starting with `#` (the static export's header, which never
 * holds `: `) and empty lines are skipped. Throws on any other line.
 */
export function parseConfigText(text: string): Record<string, string> {
  // A Map then Object.fromEntries: an own property for every key, `__proto__` included.
  const entries = new Map<string, string>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, index) => {
    const colon = line.indexOf(': ');
    if (colon > 0) entries.set(line.slice(0, colon), unescapeValue(line.slice(colon + 2)));
    else if (line !== '' && !line.startsWith('#')) throw new Error(`line ${index + 1}: expected "key: value"`);
  });
  return Object.fromEntries(entries);
}

// Static export (PROTOCOL §5): a header line, the config text, then a signature over every byte before it.

export function staticConfigHeader(app: string, device: string): string {
  return `# stratus config v1 app=${app} device=${device}\n`;
}

export function signStaticConfig(secret: string, app: string, device: string, values: ConfigValues): string {
  const body = staticConfigHeader(app, device) + formatConfigText(values);
  return `${body}signature: ${hmacHex(secret, body)}\n`;
}

/**
 * Verifies a static config file and returns its values; null when the signature does not match, or,
 * with `expected`, when the header names another app or another device (a device also accepts the
 * app's default file, `device=*`).
 */
export function verifyStaticConfig(
  secret: string,
  file: string,
  expected?: { app: string; device: string },
): Record<string, string> | null {
  const text = file.endsWith('\n') ? file.slice(0, -1) : file;
  const at = text.lastIndexOf('\nsignature: ');
  if (at < 0) return null;
  const body = text.slice(0, at + 1);
  if (!signaturesEqual(hmacHex(secret, body), text.slice(at + '\nsignature: '.length))) return null;
  if (
    expected &&
    !body.startsWith(staticConfigHeader(expected.app, expected.device)) &&
    !body.startsWith(staticConfigHeader(expected.app, '*'))
  ) {
    return null;
  }
  return parseConfigText(body);
}
