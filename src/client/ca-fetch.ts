// Node only (the browser trusts what the browser trusts): fetch that verifies the server's
// certificate against a private CA instead of the system's list.
import { Agent, fetch as undiciFetch } from 'undici';

/** PEM text of one or more CA certificates. */
export type CaCertificates = string | Buffer | readonly (string | Buffer)[];

/**
 * A `fetch` whose HTTPS connections trust only `ca` (the server's certificate must chain to it and
 * name the host). Node's own fetch is undici too; its package is used so the agent and fetch agree.
 */
export function fetchTrusting(ca: CaCertificates): typeof fetch {
  const dispatcher = new Agent({ connect: { ca: Array.isArray(ca) ? [...ca] : (ca as string | Buffer) } });
  const trusting = (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
  return trusting as unknown as typeof fetch;
}
