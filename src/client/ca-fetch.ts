// Node only (the browser trusts what the browser trusts): fetch that verifies the server's
// certificate against a private CA instead of the system's list.

/** PEM text of one or more CA certificates. */
export type CaCertificates = string | Buffer | readonly (string | Buffer)[];

type Undici = typeof import('undici');

/**
 * A `fetch` whose HTTPS connections trust only `ca` (the server's certificate must chain to it and
 * name the host). Node's own fetch is undici too; its package is used so the agent and fetch agree.
 * It is loaded on the first request: loading it costs more than a CLI command that never calls.
 */
export function fetchTrusting(ca: CaCertificates): typeof fetch {
  let ready: Promise<{ fetch: Undici['fetch']; dispatcher: InstanceType<Undici['Agent']> }> | null = null;
  const trusting = async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    ready ??= import('undici').then((undici) => ({
      fetch: undici.fetch,
      dispatcher: new undici.Agent({ connect: { ca: Array.isArray(ca) ? [...ca] : (ca as string | Buffer) } }),
    }));
    const { fetch: undiciFetch, dispatcher } = await ready;
    return undiciFetch(input as Parameters<Undici['fetch']>[0], { ...(init as Parameters<Undici['fetch']>[1]), dispatcher });
  };
  return trusting as unknown as typeof fetch;
}
