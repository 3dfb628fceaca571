import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** The built console (scripts/build-console.mjs writes dist/console); this file is dist/src/server. */
const CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../console');

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/**
 * The console loads only its own files and calls only its own origin; it may not be framed
 * (clickjacking of approve/deny) and sends no Referer. Preact sets styles through the CSSOM, which
 * `style-src 'self'` allows.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/**
 * Serves the web console at `/` and its assets under `/console/`: a fixed list of files read once,
 * so no request path ever reaches the file system. Without a build, `/` says how to make one.
 */
export function consoleRoutes(app: FastifyInstance): void {
  const assets = new Map(
    Object.entries(FILES)
      .filter(([name]) => existsSync(join(CONSOLE_DIR, name)))
      .map(([name, type]) => [name, { type, body: readFileSync(join(CONSOLE_DIR, name)) }]),
  );
  const send = (name: string, cache: string) => async (_request: unknown, reply: import('fastify').FastifyReply) => {
    const asset = assets.get(name);
    if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('The web console is not built: run `npm run build`.\n');
    return reply.type(asset.type).header('cache-control', cache).headers(SECURITY_HEADERS).send(asset.body);
  };
  app.get('/', { schema: { hide: true } }, send('index.html', 'no-cache'));
  for (const name of Object.keys(FILES)) {
    if (name !== 'index.html') app.get(`/console/${name}`, { schema: { hide: true } }, send(name, 'no-cache'));
  }
}
