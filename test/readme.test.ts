// The README's curl + openssl example runs against a real server, so the docs cannot rot.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { admin } from './support/device-client.js';
import { ROOT, removeDir, startServer, type RunningServer } from './support/server-process.js';

const run = promisify(execFile);

/** The README's shell blocks, in order. */
function shellBlocks(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('README', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  it('has a quick start of exactly two command lines: start and test', () => {
    const [start, test] = shellBlocks();
    assert.equal(start?.trim(), 'npm ci && npm start');
    assert.equal(test?.trim(), 'npm ci && npm test');
  });

  it('the curl + openssl example signs requests the server accepts', async () => {
    const block = shellBlocks().find((b) => b.includes('stratus_curl()'));
    assert.ok(block, 'the README has the curl example');
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', block], {
      env: { ...process.env, URL: server.url, SECRET: server.demoSecret },
    });
    const [config, published, messages] = stdout.split('\n');
    assert.equal(config, ''); // the demo app has no config yet: an empty text
    assert.deepEqual(JSON.parse(published ?? ''), { id: 'first-1', seq: 1 });
    assert.deepEqual(JSON.parse(messages ?? '').messages.map((m: any) => [m.value, m.from]), [['21.5', 'my-first-device']]);
    const stored = await admin(server.url, server.adminToken, 'GET', '/v1/admin/apps/demo/messages?scope=home&stream=temp');
    assert.equal(stored.json.messages.length, 1);
  });
});
