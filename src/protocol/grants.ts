import type { Grant, GrantAction } from './wire.js';

const patternCache = new Map<string, RegExp>();

function patternToRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`);
    patternCache.set(pattern, re);
  }
  return re;
}

export function matchesPattern(pattern: string, value: string): boolean {
  return pattern === '*' || pattern === value || (pattern.includes('*') && patternToRegExp(pattern).test(value));
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
