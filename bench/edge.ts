// `npm run bench:edge`: the gateway's figures beside the server's anchors (docs/edge.md).
//  1. local intake: lines over TCP with `ack`, each answered once its transaction is on disk
//     (synchronous=FULL), with the link offline so nothing drains meanwhile: messages a second;
//  2. drain: the link turns unmetered and the store empties upstream to a local server: messages a second;
//  3. RSS of the gateway process (VmRSS now, VmHWM peak) after each;
//  4. a file (64 MiB by default) over a link that drops every few seconds: time, and byte-identical.
//   npm run bench:edge -- [--messages 100000] [--connections 4] [--file-mib 64] [--drop-every-ms 3000]
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FlakyProxy, LineWriter, manifestsOn, reassemble, startEdge, tempDir, type EdgeProcess } from '../test/edge/support.js';
import { removeDir, startServer } from '../test/support/server-process.js';

const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '4' },
    'file-mib': { type: 'string', default: '64' },
    'drop-every-ms': { type: 'string', default: '3000' },
  },
});
const number = (name: string, text: string, min: number): number => {
  if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`--${name} must be a whole number ≥ ${min}, not "${text}"`);
  return Number(text);
};
const MESSAGES = number('messages', flags.messages as string, 1);
const CONNECTIONS = number('connections', flags.connections as string, 1);
const FILE_MIB = number('file-mib', flags['file-mib'] as string, 0);
const DROP_EVERY_MS = number('drop-every-ms', flags['drop-every-ms'] as string, 100);

const memory = (pid: number): { rssMiB: number; peakMiB: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rssMiB: Math.round(kb('VmRSS') / 102.4) / 10, peakMiB: Math.round(kb('VmHWM') / 102.4) / 10 };
};
const waitFor = async (check: () => Promise<boolean>): Promise<void> => {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
};

const server = await startServer();
const dir = tempDir('stratus-bench-edge-');
const linkFile = join(dir, 'link');
writeFileSync(linkFile, 'offline\n');
const base = {
  upstream: server.url,
  app: 'demo',
  device: 'edge-bench',
  secret: server.demoSecret,
  dataDir: join(dir, 'gw'),
  logLevel: process.env.STRATUS_EDGE_BENCH_LOG ?? 'warn',
  http: { port: 0 },
  tcp: [{ port: 0, scope: 'bench', stream: 'lines', ack: true }],
  link: { command: `cat ${linkFile}`, pollMs: 50 },
  uplink: { batchItems: 1000, pollMs: 1000 },
};
let edge: EdgeProcess = await startEdge(dir, base);
const pid = edge.child.pid as number;
const results: Record<string, unknown> = { messages: MESSAGES, connections: CONNECTIONS, node: process.version };

// 1. intake
const line = 'temperature=21.5 humidity=40 pressure=1013 site=north-field-7';
let started = performance.now();
const per = Math.ceil(MESSAGES / CONNECTIONS);
const acked = await Promise.all(
  Array.from({ length: CONNECTIONS }, async (_, c) => {
    const writer = new LineWriter(edge.addresses.tcp[0] as string);
    await writer.pump(`${c}-${line}`, () => writer.acked.length >= per, 256);
    await waitFor(async () => writer.acked.length >= per);
    writer.destroy();
    return writer.acked.length;
  }),
);
let seconds = (performance.now() - started) / 1000;
const total = acked.reduce((a, b) => a + b, 0);
results.intakePerSecond = Math.round(total / seconds);
results.afterIntake = memory(pid);
results.storeBytes = (await edge.status()).store.bytes;
console.log(`intake: ${total} lines acknowledged on disk in ${seconds.toFixed(2)} s = ${results.intakePerSecond} msg/s`);

// 2. drain
const queued = (await edge.status()).store.messages;
started = performance.now();
writeFileSync(linkFile, 'unmetered\n');
await waitFor(async () => (await edge.status()).store.messages === 0);
seconds = (performance.now() - started) / 1000;
results.drainPerSecond = Math.round(queued / seconds);
results.afterDrain = memory(pid);
console.log(`drain: ${queued} messages upstream in ${seconds.toFixed(2)} s = ${results.drainPerSecond} msg/s`);
console.log(`rss: after intake ${JSON.stringify(results.afterIntake)}, after drain ${JSON.stringify(results.afterDrain)} (MiB)`);
await edge.stop();

// 4. a large file over a link that drops every DROP_EVERY_MS
if (FILE_MIB > 0) {
  const proxy = await FlakyProxy.to(server.url);
  const folder = join(dir, 'out');
  mkdirSync(folder, { recursive: true });
  edge = await startEdge(dir, { ...base, upstream: proxy.url, tcp: [], folders: [{ path: folder, scope: 'bench', stream: 'files', settleMs: 0, chunkBytes: 48_000 }], uplink: { pollMs: 200, backoffMaxMs: 500 } });
  const data = randomBytes(FILE_MIB * 1024 * 1024);
  writeFileSync(join(folder, '.big.part'), data);
  let drops = 0;
  const flapper = setInterval(() => {
    proxy.cut();
    drops++;
    setTimeout(() => proxy.restore(), 300);
  }, DROP_EVERY_MS);
  started = performance.now();
  renameSync(join(folder, '.big.part'), join(folder, 'big.bin'));
  await waitFor(async () => (await edge.status()).counters.filesSent === 1);
  seconds = (performance.now() - started) / 1000;
  clearInterval(flapper);
  proxy.restore();
  results.fileSeconds = Math.round(seconds * 10) / 10;
  results.fileDrops = drops;
  results.fileMiBPerSecond = Math.round((FILE_MIB / seconds) * 100) / 100;
  results.afterFile = memory(edge.child.pid as number);
  const [manifest] = await manifestsOn(server.url, server.adminToken, 'demo', 'bench', 'files');
  assert.ok(manifest);
  const { data: got } = await reassemble(server.url, server.adminToken, 'demo', 'bench', manifest);
  assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(data).digest('hex'), 'the file arrived intact');
  results.fileIntact = true;
  console.log(`file: ${FILE_MIB} MiB over a link cut every ${DROP_EVERY_MS} ms (${drops} drops) in ${seconds.toFixed(1)} s = ${results.fileMiBPerSecond} MiB/s, sha256 verified; rss ${JSON.stringify(results.afterFile)}`);
  await edge.stop();
  proxy.close();
}

console.log(JSON.stringify(results));
if (process.env.STRATUS_EDGE_BENCH_LOG) console.log(edge.logs().split("\n").filter((l) => l.includes("synced")).slice(0, 30).join("\n"));
await server.stop();
removeDir(server.dataDir);
removeDir(dir);
