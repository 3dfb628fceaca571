// The admin API from the browser: the token rides in the Authorization header, errors become
// sentences a person can act on, and a refused token signs the tab out.

const TOKEN_KEY = 'stratus.adminToken';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  signIn(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

const FRIENDLY = {
  unauthorized: 'The admin token was refused. Sign in again with a valid token.',
  not_found: 'That no longer exists; it may have been removed in the meantime.',
  conflict: 'That exists already or was changed meanwhile; reload and try again.',
  unavailable: 'The server is busy or its database does not answer; try again in a moment.',
  internal: 'The server failed; its log has the details.',
};

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** Calls the admin API; `onSignedOut` runs when the server refuses the token. */
export function createApi(onSignedOut) {
  async function request(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: { authorization: `Bearer ${session.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError('network', 'The Stratus server could not be reached. Is it running?');
    }
    const data = await response.json().catch(() => null);
    if (response.ok) return data;
    const code = data?.error?.code ?? 'internal';
    if (response.status === 401) {
      session.signOut();
      onSignedOut(FRIENDLY.unauthorized);
    }
    // bad_request and forbidden messages say what to fix; the others get a plainer sentence
    throw new ApiError(code, FRIENDLY[code] ?? data?.error?.message ?? `The server answered ${response.status}.`);
  }
  return {
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, body ?? {}),
    put: (path, body) => request('PUT', path, body),
    patch: (path, body) => request('PATCH', path, body),
    del: (path) => request('DELETE', path),
    /** Server-sent events of an admin stream, read with fetch (EventSource cannot send the token). */
    tail(path, onMessage, signal) {
      return (async () => {
        const response = await fetch(path, { headers: { authorization: `Bearer ${session.token}` }, signal });
        if (!response.ok || !response.body) throw new ApiError('tail', 'The live tail could not be opened.');
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of response.body) {
          buffer += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            // split at \n only: JSON leaves U+2028/U+2029 unescaped, and a regex `$` stops there
            const data = block.split('\n').find((line) => line.startsWith('data: '));
            if (data) onMessage(JSON.parse(data.slice(6)));
          }
        }
      })().catch((error) => {
        if (error.name !== 'AbortError') throw error;
      });
    },
  };
}

export const enc = encodeURIComponent;
