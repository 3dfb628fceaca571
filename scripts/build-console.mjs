// Builds the web console (console/) into dist/console: one minified ES module and its page.
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/console');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'console/src/app.js')],
  outfile: join(out, 'app.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) copyFileSync(join(root, 'console', file), join(out, file));
const size = (f) => (statSync(join(out, f)).size / 1024).toFixed(1);
if (process.env.STRATUS_BUILD_QUIET !== '1') process.stderr.write(`console: app.js ${size('app.js')} KiB, style.css ${size('style.css')} KiB\n`);
