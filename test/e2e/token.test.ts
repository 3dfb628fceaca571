// `stratus token create` replaces a lost admin token on the data directory, while the server runs.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { admin } from '../support/device-client.js';
import { CLI, removeDir, startServer, type RunningServer } from '../support/server-process.js';

const run = promisify(execFile);

describe('stratus token create', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  it('issues a token the running server accepts, printed once and stored hashed', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'token', 'create', '--data', server.dataDir, '--label', 'recovery', '--json']);
    const { token, label } = JSON.parse(stdout);
    assert.match(token, /^stratus_admin_[A-Za-z0-9_-]{32}$/);
    assert.equal(label, 'recovery');
    const r = await admin(server.url, token, 'GET', '/v1/admin/apps');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.apps.map((a: any) => a.name), ['demo']);
    for (const file of readdirSync(server.dataDir).filter((f) => f.startsWith('stratus.db'))) {
      assert.equal(readFileSync(join(server.dataDir, file)).includes(token), false, `${file} does not hold the token itself`);
    }
  });
});
