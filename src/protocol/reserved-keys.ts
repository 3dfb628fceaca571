// Reserved config keys of PROTOCOL §5, honoured by every client without user code.

export const RESERVED_KEYS = {
  refresh: 'stratus.refresh',
  configUrl: 'stratus.config_url',
  server: 'stratus.server',
  debug: 'stratus.debug',
} as const;

const RESERVED = new Set<string>(Object.values(RESERVED_KEYS));

/**
 * An http(s) URL a device can use byte for byte. `new URL` alone is too lenient: it strips leading
 * and trailing spaces and controls, drops tabs and newlines, and reads `HTTPS:\\host` as
 * `https://host`, so it accepts values a C client concatenating the raw text cannot use.
 */
function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\/[^/?#\\]/.test(value) || /[\s\p{Cc}]/u.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Why a value is wrong for a reserved key (or a `stratus.` key is not one), or null. */
export function reservedKeyProblem(key: string, value: string): string | null {
  if (!key.startsWith('stratus.')) return null;
  if (!RESERVED.has(key)) return `"${key}": the stratus. prefix is reserved for ${[...RESERVED].join(', ')}`;
  if (key === RESERVED_KEYS.refresh && !/^[1-9]\d{0,8}$/.test(value)) {
    return `${key} is whole seconds between updates, at least 1`;
  }
  if ((key === RESERVED_KEYS.configUrl || key === RESERVED_KEYS.server) && !isHttpUrl(value)) {
    return `${key} must be an http or https URL`;
  }
  if (key === RESERVED_KEYS.debug && !/^(\d|error|warn|info|debug|trace)$/.test(value)) {
    return `${key} is a level 0-9 or one of error, warn, info, debug, trace`;
  }
  return null;
}
