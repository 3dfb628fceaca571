// Issue 16's power-cut test: the gateway is killed with SIGKILL at random moments while programs
// write over TCP, a Unix socket and a watched folder, and the uplink (a proxy) is cut and restored
// at random; afterwards every acknowledged line and every file is on the server exactly once, files
// byte-identical. Scaled for `npm test`: 20 rounds, each killed after 40–400 acknowledged lines.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, cleanEnv } from '../support/cli.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';
import { FlakyProxy, LineWriter, manifestsOn, reassemble, seeded, startEdge, streamValues, tempDir, until } from './support.js';

const ROUNDS = Number(process.env.STRATUS_EDGE_ROUNDS ?? 20);
const SEED = Number(process.env.STRATUS_EDGE_SEED ?? Date.now() % 1_000_000);

describe('stratus edge under kill -9 with a flapping uplink', () => {
  let server: RunningServer;
  let proxy: FlakyProxy;
  let dir: string;
  before(async () => {
    server = await startServer();
    proxy = await FlakyProxy.to(server.url);
    dir = tempDir('stratus-edge-cut-');
  });
  after(async () => {
    proxy.close();
    await server.stop();
    removeDir(server.dataDir);
    removeDir(dir);
  });

  it(`loses and duplicates nothing over ${ROUNDS} rounds (seed ${SEED})`, async () => {
    const random = seeded(SEED);
    const folder = join(dir, 'out');
    const config = {
      upstream: proxy.url,
      app: 'demo',
      device: 'edge-cut',
      secret: server.demoSecret,
      dataDir: join(dir, 'gw'),
      logLevel: 'warn',
      http: { port: 0 },
      tcp: [{ port: 0, scope: 'cut', stream: 'tcp', ack: true }],
      unix: [{ path: join(dir, 'in.sock'), scope: 'cut', stream: 'unix', ack: true, priority: 3 }],
      folders: [{ path: folder, scope: 'cut', stream: 'files', chunkBytes: 4096, settleMs: 0, priority: 1 }],
      link: { command: 'echo unmetered', pollMs: 60_000 },
      uplink: { batchBytes: 16_384, batchItems: 100, pollMs: 200, backoffMaxMs: 100 },
    };
    const acked = { tcp: [] as string[], unix: [] as string[] };
    const files = new Map<string, string>();
    for (let round = 0; round < ROUNDS; round++) {
      if (random() < 0.3) proxy.cut();
      else proxy.restore();
      const edge = await startEdge(dir, config);
      const killAt = 40 + Math.floor(random() * 360);
      const flipAt = Math.floor(killAt * random());
      let flipped = false;
      let filesThisRound = 0;
      const writeFile = (): void => {
        const name = `r${round}-f${filesThisRound++}.bin`;
        const data = randomBytes(1 + Math.floor(random() * 40_000));
        writeFileSync(join(folder, `.${name}.part`), data);
        renameSync(join(folder, `.${name}.part`), join(folder, name)); // in the folder: acknowledged
        files.set(name, createHash('sha256').update(data).digest('hex'));
      };
      let total = 0;
      let reached: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (reached = resolve));
      const writers: LineWriter[] = [];
      const progress = (): void => {
        total = writers.reduce((sum, w) => sum + w.acked.length, 0);
        if (!flipped && total >= flipAt) {
          flipped = true;
          if (proxy.up) proxy.cutAfter(Math.floor(random() * 50_000));
          else proxy.restore();
        }
        if (filesThisRound < 3 && total >= (filesThisRound * killAt) / 3) writeFile();
        if (total >= killAt) reached();
      };
      const tcp = new LineWriter(edge.addresses.tcp[0] as string, progress);
      const unix = new LineWriter(edge.addresses.unix[0] as string, progress);
      writers.push(tcp, unix);
      const pumping = [tcp.pump(`r${round}-tcp`, () => total >= killAt), unix.pump(`r${round}-unix`, () => total >= killAt)];
      await done;
      await edge.kill();
      await Promise.all(pumping);
      acked.tcp.push(...tcp.acked);
      acked.unix.push(...unix.acked);
      for (const w of writers) w.destroy();
    }

    proxy.restore();
    const edge = await startEdge(dir, config);
    try {
      await until(async () => {
        const s = await edge.status();
        assert.equal(s.store.messages, 0, 'the store drains');
        assert.equal(s.files.length, 0, 'no file in transit');
        assert.deepEqual(readdirSync(folder).filter((n) => !n.startsWith('.')), [], 'sent files leave the folder');
      }, 2400);
    } catch (error) {
      const s = await edge.status().catch(() => null);
      await edge.kill();
      throw new Error(`${(error as Error).message}\nstatus: ${JSON.stringify(s)}\nlog: ${edge.logs().slice(-3000)}`, { cause: error });
    }
    assert.equal(await edge.stop(), 0);

    for (const stream of ['tcp', 'unix'] as const) {
      const values = (await streamValues(server.url, server.adminToken, 'demo', { scope: 'cut', stream })).map((m) => m.value);
      assert.equal(new Set(values).size, values.length, `no ${stream} line is stored twice`);
      const stored = new Set(values);
      const lost = acked[stream].filter((v) => !stored.has(v));
      assert.deepEqual(lost, [], `every acknowledged ${stream} line is on the server`);
      assert.ok(acked[stream].length >= ROUNDS * 10, `${stream}: ${acked[stream].length} lines acknowledged`);
    }
    const manifests = await manifestsOn(server.url, server.adminToken, 'demo', 'cut', 'files');
    assert.deepEqual(manifests.map((m) => m.name).sort(), [...files.keys()].sort(), 'every file once');
    for (const m of manifests) {
      const { data, chunkMessages } = await reassemble(server.url, server.adminToken, 'demo', 'cut', m);
      assert.equal(chunkMessages, m.chunks, `${m.name}: each chunk stored once`);
      assert.equal(createHash('sha256').update(data).digest('hex'), files.get(m.name), `${m.name} is byte-identical`);
    }
    // And once through the command a user runs.
    const first = manifests[0] as { name: string };
    const out = join(dir, 'got.bin');
    const got = await runCli(['--server', server.url, '--token', server.adminToken, 'file', 'get', 'demo', 'cut/files', first.name, '-o', out], cleanEnv());
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /verified/);
  });
});
