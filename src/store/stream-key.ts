import type { StreamRef } from './types.js';

/** One string per stream (app, scope, owner, name), for maps and sets: NUL never occurs in a name (PROTOCOL §1). */
export function streamKey(ref: StreamRef): string {
  return `${ref.appId}\u0000${ref.scope}\u0000${ref.owner}\u0000${ref.stream}`;
}
