// Every ```ts example of docs/sdk.md and the README's SDK example run, as a user would paste them,
// against a real server; the `config set` commands of README.md, docs/sdk.md and docs/cli.md run
// too, and a device then finds the keys acting as those pages say.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Stratus } from '../src/client/index.js';
import { cleanEnv } from './support/cli.js';
import { admin } from './support/device-client.js';
import { CLI, ROOT, removeDir, startServer, type RunningServer } from './support/server-process.js';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const tsBlocks = (file: string) => [...read(file).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const examples = tsBlocks('docs/sdk.md');
/** The `config set` command lines of a page, as written. */
const configCommands = (file: string) => [...read(file).matchAll(/^(?:npx )?stratus config set .*$/gm)].map((m) => m[0]);

/** What each example prints, in order (a line each). */
const EXPECTED: RegExp[] = [/^interval 60 watering false$/m, /^0 published 0, delivered 0\n1 not yet\n2 not yet$/m, /^display got ring$/m, /^sent 1 waiting 1$/m];

describe('docs/sdk.md examples', () => {
  let s: RunningServer;
  let work: string;
  // Inside the package, so that `stratus/client` resolves to this package's own exports.
  const scripts = join(ROOT, 'dist', 'docs-examples');
  before(async () => {
    s = await startServer();
    work = mkdtempSync(join(tmpdir(), 'stratus-docs-sdk-'));
    mkdirSync(scripts, { recursive: true });
  });
  after(async () => {
    await s.stop();
    removeDir(work);
  });

  it('has the examples this test expects', () => {
    assert.equal(examples.length, EXPECTED.length);
  });

  /** Runs a TypeScript example as a user would (tsx), with the server's address and the demo secret. */
  async function runExample(name: string, code: string): Promise<string> {
    const file = join(scripts, `${name}.mts`);
    writeFileSync(file, code);
    const env = cleanEnv({ STRATUS_SERVER: s.url, STRATUS_SECRET: s.demoSecret });
    const { code: exit, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, ['--import', import.meta.resolve('tsx'), file], { cwd: work, env, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    assert.equal(exit, 0, stderr);
    return stdout + stderr;
  }

  examples.forEach((code, i) => {
    it(`example ${i + 1} runs and prints what it says`, async () => {
      assert.match(await runExample(`sdk-${i + 1}`, code), EXPECTED[i] as RegExp);
    });
  });

  it("the README's SDK example runs: a (stream, data) callback, and a direct publish brings its own message back", async () => {
    const code = tsBlocks('README.md')[0] ?? '';
    assert.ok(code.includes("from 'stratus/client'"), 'the README has the SDK example');
    const output = await runExample('readme-sdk', code);
    assert.match(output, /^alerts says too hot\nvariable 7$/m);
  });

  /** Runs the page's `config set` lines through bash (`npx stratus` and `stratus` being this build's CLI). */
  async function runConfigCommands(file: string): Promise<string[]> {
    const lines = configCommands(file);
    const script = ['set -euo pipefail', `stratus() { "${process.execPath}" "${CLI}" "$@"; }`, 'npx() { "$@"; }', ...lines].join('\n');
    const env = cleanEnv({ STRATUS_SERVER: s.url, STRATUS_ADMIN_TOKEN: s.adminToken });
    await new Promise<void>((resolve, reject) =>
      execFile('bash', ['-c', script], { env, timeout: 60_000 }, (error, _stdout, stderr) => (error ? reject(new Error(`${file}: ${stderr}`)) : resolve())),
    );
    return lines;
  }

  /** A device of `app` after one update, with the secret `secret`. */
  async function deviceAfterUpdate(app: string, secret: string, device: string): Promise<Stratus> {
    const client = new Stratus({ server: s.url, app, secret, device, dataDir: join(work, 'config-check') });
    await client.update();
    return client;
  }

  async function appWithDevice(app: string, device: string): Promise<string> {
    const created = await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps', { name: app, policy: 'open' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const approved = await admin(s.url, s.adminToken, 'POST', `/v1/admin/apps/${app}/devices/${device}/approve`);
    assert.equal(approved.status, 200, JSON.stringify(approved.json));
    return created.json.secret as string;
  }

  it("docs/sdk.md's config commands: the SDK acts on stratus.refresh and stratus.debug, the program reads its own key", async () => {
    assert.equal((await runConfigCommands('docs/sdk.md')).length, 3);
    const device = await deviceAfterUpdate('demo', s.demoSecret, 'greenhouse-1');
    assert.deepEqual([device.refreshSeconds, device.debugLevel, device.get('interval', 60)], [60, 4, 15]);
    await device.close();
  });

  it("the README's config commands act as it says", async () => {
    const secret = await appWithDevice('greenhouse', 'a4cf12fe0b11');
    assert.equal((await runConfigCommands('README.md')).length, 3);
    const board = await deviceAfterUpdate('greenhouse', secret, 'a4cf12fe0b11');
    assert.deepEqual([board.refreshSeconds, board.debugLevel, board.get('variable', 0)], [60, 4, 7]);
    await board.close();
  });

  it("docs/cli.md's config commands act as it says", async () => {
    const secret = await appWithDevice('fleet', 'sensor-7');
    assert.ok((await runConfigCommands('docs/cli.md')).length >= 3);
    const sensor = await deviceAfterUpdate('fleet', secret, 'sensor-7');
    assert.deepEqual([sensor.refreshSeconds, sensor.debugLevel, sensor.get('refresh interval', 300)], [60, 4, 60]);
    await sensor.close();
    const other = await deviceAfterUpdate('fleet', secret, 'sensor-8');
    assert.equal(other.debugLevel, 2, 'the --device override is for sensor-7 only');
    await other.close();
  });
});
