// `stratus pub --secret` and `stratus sub`: the CLI acting as a device through the SDK.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { cleanEnv, runCli } from '../support/cli.js';
import { CLI, startServer, type RunningServer } from '../support/server-process.js';

describe('stratus pub and sub as a device', () => {
  let s: RunningServer;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli(args, env);
  before(async () => {
    s = await startServer();
    env = cleanEnv({ STRATUS_SERVER: s.url, STRATUS_SECRET: s.demoSecret, STRATUS_ADMIN_TOKEN: s.adminToken });
  });
  after(() => s.stop());

  it('pub --secret publishes as the device and prints the seq', async () => {
    const r = await cli('pub', 'demo', 'home/temp', '21.5', '--device', 'cli-sensor', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { seq: 1 });
    const human = await cli('pub', 'demo', 'home/temp', '22', '--device', 'cli-sensor');
    assert.equal(human.stdout, 'published home/temp seq 2\n');
    const tail = await cli('tail', 'demo', 'home/temp', '--json');
    assert.deepEqual(tail.stdout.trim().split('\n').map((l) => JSON.parse(l).from), ['cli-sensor', 'cli-sensor']);
  });

  it('sub --once prints what the device missed, replaying --limit back, and acknowledges it', async () => {
    const first = await cli('sub', 'demo', 'home/temp', '--device', 'cli-display', '--limit', '5', '--once');
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, '21.5\n22\n');
    await cli('pub', 'demo', 'home/temp', '23', '--device', 'cli-sensor');
    const next = await cli('sub', 'demo', 'home/temp', '--device', 'cli-display', '--once', '--json');
    assert.deepEqual(next.stdout.trim().split('\n').map((l) => JSON.parse(l).value), ['23']);
    assert.equal((await cli('sub', 'demo', 'home/temp', '--device', 'cli-display', '--once')).stdout, '');
  });

  it('sub -n exits after n messages and leaves the rest for next time', async () => {
    for (const v of ['a', 'b', 'c']) await cli('pub', 'demo', 'home/queue', v, '--device', 'cli-sensor');
    const two = await cli('sub', 'demo', 'home/queue', '--device', 'cli-worker', '--limit', '10', '-n', '2');
    assert.equal(two.code, 0, two.stderr);
    assert.equal(two.stdout, 'a\nb\n');
    assert.equal(two.stderr, '');
    assert.equal((await cli('sub', 'demo', 'home/queue', '--device', 'cli-worker', '--once')).stdout, 'c\n');
  });

  it('sub follows live until -n messages arrived', async () => {
    const child = spawn(process.execPath, [CLI, 'sub', 'demo', 'home/bell', '--device', 'cli-door', '-n', '2'], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // it says on stderr once it follows live; what is published from then on reaches it
    await new Promise<void>((following, failed) => {
      child.stderr.on('data', (c: Buffer) => {
        err += c;
        if (err.includes('following home/bell live')) following();
      });
      void exited.then((code) => failed(new Error(`sub exited with ${code} before following:\n${err}`)));
    });
    for (const ring of ['ring 1', 'ring 2', 'ring 3']) assert.equal((await cli('pub', 'demo', 'home/bell', ring, '--device', 'cli-button')).code, 0);
    assert.equal(await exited, 0);
    assert.equal(out, 'ring 1\nring 2\n');
    assert.equal((await cli('sub', 'demo', 'home/bell', '--device', 'cli-door', '--once')).stdout, 'ring 3\n', 'the third is left for next time');
  });

  it('refuses bad input with exit 2 and an unreachable server with exit 3', async () => {
    const noSecret = await runCli(['sub', 'demo', 'home/temp'], cleanEnv({ STRATUS_SERVER: s.url }));
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /pass --secret or set STRATUS_SECRET/);
    const badAddress = await cli('pub', 'demo', 'PRIVATE:other/x', 'v', '--device', 'cli-sensor');
    assert.equal(badAddress.code, 2);
    assert.match(badAddress.stderr, /PRIVATE\/<stream>/);
    const unreachable = await runCli(['pub', 'demo', 'home/temp', 'v'], cleanEnv({ STRATUS_SERVER: 'http://127.0.0.1:9', STRATUS_SECRET: 'x' }));
    assert.equal(unreachable.code, 3, unreachable.stderr);
  });
});
