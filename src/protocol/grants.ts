import type { Grant, GrantAction } from './wire.js';

/**
 * `*` matches any run of characters. Matched without regular expressions: the parts between stars
 * must appear in order, the first at the start and the last at the end, and taking each part at its
 * leftmost place is always right for star-only patterns. The work is bounded by the pattern's
 * length times the value's, where the backtracking regex it replaces took seconds on a grant such as
 * "star slash star slash star slash status" and a stream of many slashes.
 */
export function matchesPattern(pattern: string, value: string): boolean {
  if (pattern === '*' || pattern === value) return true;
  const parts = pattern.split('*');
  if (parts.length === 1) return false;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const found = value.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** True when one of the grants allows `action` on scope/stream. `PRIVATE` is matched like any scope name. */
export function isAllowed(grants: readonly Grant[], action: GrantAction, scope: string, stream: string): boolean {
  return grants.some((g) => g.action === action && matchesPattern(g.scope, scope) && matchesPattern(g.stream, stream));
}

/** Parses `publish:home/temp*`-style grant strings used by the CLI. */
export function parseGrant(text: string): Grant | null {
  const m = /^(publish|subscribe):([^/]+)(?:\/(.+))?$/.exec(text);
  if (!m) return null;
  return { action: m[1] as GrantAction, scope: m[2] as string, stream: m[3] ?? '*' };
}

export function formatGrant(g: Grant): string {
  return `${g.action}:${g.scope}/${g.stream}`;
}
