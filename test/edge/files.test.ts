// A file from the watched folder over a link that drops every few hundred KB, with a kill -9 of the
// gateway in the middle: it resumes from the chunks the server has (not from the start), arrives
// byte-identical once, and leaves the folder only then. (The 64 MiB run is `npm run bench:edge`.)
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanEnv, runCli } from '../support/cli.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';
import { FlakyProxy, manifestsOn, reassemble, startEdge, tempDir, until, type EdgeProcess } from './support.js';

const SIZE = 2 * 1024 * 1024 + 12_345;
const CHUNK = 16_000;

describe('stratus edge file transfer', () => {
  let server: RunningServer;
  let proxy: FlakyProxy;
  let dir: string;
  before(async () => {
    server = await startServer();
    proxy = await FlakyProxy.to(server.url);
    dir = tempDir('stratus-edge-files-');
  });
  after(async () => {
    proxy.close();
    await server.stop();
    removeDir(server.dataDir);
    removeDir(dir);
  });

  it('resumes across dropped links and a kill -9, and arrives byte-identical once', async () => {
    const folder = join(dir, 'out');
    const archive = join(dir, 'sent');
    mkdirSync(folder, { recursive: true });
    const config = {
      upstream: proxy.url,
      app: 'demo',
      device: 'edge-files',
      secret: server.demoSecret,
      dataDir: join(dir, 'gw'),
      logLevel: 'warn',
      http: { port: 0 },
      folders: [{ path: folder, scope: 'plant', stream: 'files', chunkBytes: CHUNK, settleMs: 0, done: 'archive', archive }],
      link: { command: 'echo unmetered', pollMs: 60_000 },
      uplink: { batchBytes: 65_536, pollMs: 100, backoffMaxMs: 100 },
    };
    const data = randomBytes(SIZE);
    writeFileSync(join(folder, '.log.part'), data);
    renameSync(join(folder, '.log.part'), join(folder, 'plant-log.bin'));
    const chunks = Math.ceil(SIZE / CHUNK);

    let edge: EdgeProcess = await startEdge(dir, config);
    const acked = async (): Promise<number> => (await edge.status()).files[0]?.acked ?? 0;
    let drops = 0;
    let ackedAtKill = 0;
    for (let done = false; !done; ) {
      proxy.restore();
      proxy.cutAfter(200_000 + drops * 37_000);
      await until(async () => {
        const s = await edge.status();
        done = s.files.length === 0 && s.counters.filesSent === 1;
        assert.ok(done || !proxy.up, 'the link dropped or the file is complete');
      }, 4000);
      if (done) break;
      drops++;
      if (drops === 2) {
        ackedAtKill = await acked();
        assert.ok(ackedAtKill > 0 && ackedAtKill < chunks, `${ackedAtKill} of ${chunks} chunks before the kill`);
        await edge.kill();
        edge = await startEdge(dir, config);
        const s = await edge.status();
        assert.equal(s.files.length, 1, 'the file is still in transit after the restart');
        assert.ok((s.files[0]?.acked ?? 0) >= ackedAtKill, 'the restart resumes where the server is');
      }
    }
    assert.ok(drops >= 3, `the link dropped ${drops} times`);
    assert.ok(ackedAtKill > 0);
    assert.equal(await edge.stop(), 0);
    const offline = await runCli(['--json', 'edge', 'status', '--data-dir', join(dir, 'gw')], cleanEnv());
    assert.equal(offline.code, 0, offline.stderr);
    const status = JSON.parse(offline.stdout) as { link: { detail: string }; files: unknown[]; store: { messages: number } };
    assert.deepEqual([status.link.detail, status.files, status.store.messages], ['the gateway is not running', [], 0]);
    const nowhere = await runCli(['edge', 'status', '--data-dir', join(dir, 'nosuch')], cleanEnv());
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /unavailable: the gateway does not answer and there is no store to read/);

    const [manifest, ...more] = await manifestsOn(server.url, server.adminToken, 'demo', 'plant', 'files');
    assert.equal(more.length, 0, 'one manifest');
    assert.ok(manifest);
    assert.equal(manifest.size, SIZE);
    const { data: got, chunkMessages } = await reassemble(server.url, server.adminToken, 'demo', 'plant', manifest);
    assert.equal(chunkMessages, chunks, 'each chunk stored once');
    assert.ok(got.equals(data), 'byte-identical');
    assert.ok(proxy.forwarded < SIZE * (4 / 3) * 1.6, `sent ${proxy.forwarded} bytes for ${SIZE}: resumed, not restarted`);
    assert.equal(existsSync(join(folder, 'plant-log.bin')), false, 'gone from the folder');
    assert.ok(readFileSync(join(archive, 'plant-log.bin')).equals(data), 'archived');

    const out = join(dir, 'got.bin');
    const cli = await runCli(['--server', server.url, '--token', server.adminToken, 'file', 'get', 'demo', 'plant/files', 'plant-log.bin', '-o', out], cleanEnv());
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(createHash('sha256').update(readFileSync(out)).digest('hex'), createHash('sha256').update(data).digest('hex'));
    const missing = await runCli(['--server', server.url, '--token', server.adminToken, 'file', 'get', 'demo', 'plant/files', 'nosuch.bin'], cleanEnv());
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not_found: no complete file "nosuch.bin"/);
  });
});
