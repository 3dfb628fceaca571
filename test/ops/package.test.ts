// The npm package is real (docs/operations.md): `npm pack` of this tree installs with
// `npm install -g` into a temporary prefix from the npm cache that `npm ci` filled, and the
// installed `stratus serve` works: /healthz, the console page and its script, a signed device
// call, the admin API through the installed CLI, and the SDK imported as `stratus/client`. Nothing
// in the package imports a package it does not depend on. The tree is packed as built (dist/),
// without running `prepack`, and nothing is written into it.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { builtinModules } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDevice } from '../support/device-client.js';
import { ROOT, removeDir } from '../support/server-process.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };

/** The environment without STRATUS_* and without npm's own variables (`npm test` sets many). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STRATUS_') && !/^npm_/i.test(k)));
  return { ...env, ...extra };
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? cleanEnv(), maxBuffer: 64 << 20, timeout: 900_000 }, (error, stdout, stderr) =>
      error ? fail(new Error(`${command} ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: error })) : done({ stdout, stderr }),
    );
  });
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
}

describe('the npm package', () => {
  let work: string;
  let prefix: string;
  let installed: string;
  let server: { url: string; adminToken: string; demoSecret: string; output: () => string; stop: () => Promise<number | null> } | null = null;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'stratus-package-'));
    prefix = join(work, 'prefix');
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    const tarball = join(work, packed?.filename as string);
    // --prefer-offline: the cache `npm ci` filled serves every package it has.
    await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--allow-scripts=better-sqlite3', tarball], { cwd: work });
    installed = join(prefix, 'lib/node_modules', manifest.name);
  });
  after(async () => {
    await server?.stop();
    removeDir(work);
  });

  it('holds the built server, CLI, SDK and console, and no tests', () => {
    const files = jsFiles(join(installed, 'dist')).map((f) => relative(installed, f));
    for (const needed of ['dist/src/cli/main.js', 'dist/src/server/app.js', 'dist/src/client/index.js', 'dist/src/client/browser.js', 'dist/console/app.js']) {
      assert.ok(files.includes(needed), needed);
    }
    assert.deepEqual(files.filter((f) => /\.(test|suite)\.js$|^dist\/(test|bench|spec)\//.test(f)), [], 'no tests, benchmarks or spec tooling');
    assert.ok(readdirSync(join(installed, 'deploy')).includes('stratus.service'));
  });

  it('imports only its dependencies and Node built-ins at run time', () => {
    const allowed = new Set([...Object.keys(manifest.dependencies), ...builtinModules]);
    const stray: string[] = [];
    for (const file of jsFiles(join(installed, 'dist/src'))) {
      const code = readFileSync(file, 'utf8');
      // Static imports and re-exports start a line in the compiled ES modules; dynamic ones are import('x').
      const statics = code.matchAll(/^(?:import|export)\s+(?:[\w*\s{},$]+?\s*from\s*)?['"]([^'"]+)['"]/gm);
      const dynamics = code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g);
      for (const match of [...statics, ...dynamics]) {
        const name = match[1] as string;
        if (name.startsWith('.') || name.startsWith('node:')) continue;
        const pkg = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : (name.split('/')[0] as string);
        if (!allowed.has(pkg)) stray.push(`${relative(installed, file)} imports ${name}`);
      }
    }
    assert.deepEqual(stray, []);
  });

  it('`stratus serve` from the prefix answers /healthz, the console and a signed device call', async () => {
    const child = spawn(join(prefix, 'bin/stratus'), ['serve', '--port', '0', '--data', join(work, 'data'), '--log-level', 'warn'], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const banner = new Promise<void>((done, fail) => {
      const collect = (chunk: Buffer) => {
        out += chunk.toString();
        if (/listening on http:\/\/\S+[\s\S]*admin token: \S+[\s\S]*secret: \S+/.test(out)) done();
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      void exited.then((code) => fail(new Error(`the installed server exited with ${code}:\n${out}`)));
    });
    server = {
      url: '',
      adminToken: '',
      demoSecret: '',
      output: () => out,
      stop: async () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        return exited;
      },
    };
    await banner;
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] as string;
    Object.assign(server, { url, adminToken: /admin token: (\S+)/.exec(out)?.[1], demoSecret: /secret: (\S+)/.exec(out)?.[1] });

    assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { ok: true });
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<script[^>]+src="\/console\/app\.js"/);
    const script = await fetch(`${url}/console/app.js`);
    assert.equal(script.status, 200, 'the built console is in the package');
    assert.ok((await script.text()).length > 10_000);

    const device = new TestDevice(url, 'demo', server.demoSecret, 'packaged-board');
    const synced = await device.sync({ publish: [{ id: 'p1', scope: 'fleet', stream: 'pkg', value: 'from the package' }] });
    assert.equal(synced.status, 200, synced.text);
    assert.ok(synced.signatureValid);
    assert.deepEqual(synced.json.accepted.map((a: { id: string }) => a.id), ['p1']);
  });

  it('the installed CLI reaches the admin API, and `stratus/client` resolves to the installed SDK', async () => {
    assert.ok(server?.url, 'the server of the previous test runs');
    const { stdout } = await run(join(prefix, 'bin/stratus'), ['--server', server.url, '--token', server.adminToken, '--json', 'app', 'list']);
    assert.deepEqual(JSON.parse(stdout).map((a: { name: string }) => a.name), ['demo']);

    // Beside the prefix's node_modules, so that the bare specifier resolves into the install.
    const script = join(prefix, 'lib', 'sdk-smoke.mjs');
    writeFileSync(
      script,
      `import { Stratus } from 'stratus/client';
const [server, secret, dataDir] = process.argv.slice(2);
const reader = new Stratus({ server, app: 'demo', secret, device: 'packaged-sdk', dataDir });
const got = [];
reader.subscribe('pkg', (_stream, data) => got.push(data), { scope: 'fleet', limit: 10 });
await reader.update();
await reader.close();
console.log(JSON.stringify(got));
`,
    );
    const sdk = await run(process.execPath, [script, server.url, server.demoSecret, join(work, 'sdk-data')]);
    assert.deepEqual(JSON.parse(sdk.stdout), ['from the package']);
    assert.equal(await server.stop(), 0, 'a clean stop');
  });
});
