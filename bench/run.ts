// `npm run bench`: Stratus's HTTP paths against the node:http ceiling, measured in one run.
// Every loop is bounded in time; only loopback addresses are used. Results go to bench/results/.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { sha256Hex, signRequest } from '../src/protocol/index.js';
import { CLI, ROOT } from '../test/support/server-process.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 64;

interface Started {
  url: string;
  child: ChildProcess;
  out: () => string;
}

async function startProcess(args: string[], pattern: RegExp): Promise<Started> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c));
  child.stderr?.on('data', (c: Buffer) => (out += c));
  const url = await new Promise<string>((done, fail) => {
    const timer = setInterval(() => {
      const m = pattern.exec(out);
      if (m) {
        clearInterval(timer);
        done(m[1] as string);
      }
    }, 20);
    child.once('exit', () => fail(new Error(out)));
  });
  await new Promise((r) => setTimeout(r, 100));
  return { url, child, out: () => out };
}

const HELLO = `require('node:http').createServer((q, s) => { s.end('hello') }).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port) })`;

/**
 * Signed requests are made before the timed run, so the load generator (on the same 2 cores) spends
 * its time sending, not signing. Each has its own nonce; times stay inside the 300 s window.
 */
function presigned(secret: string, method: string, target: string, body: () => string, count: number, extraHeaders: Record<string, string> = {}) {
  const pool: { method: string; path: string; headers: Record<string, string>; body?: string }[] = [];
  const time = Math.floor(Date.now() / 1000);
  for (let n = 0; n < count; n++) {
    const device = `bench-${n % CONNECTIONS}`;
    const nonce = randomBytes(8).toString('hex');
    const payload = body();
    const sig = signRequest(secret, { method, target, app: 'demo', device, time, nonce, bodySha256: sha256Hex(payload) });
    pool.push({
      method,
      path: target,
      headers: {
        'x-stratus-app': 'demo',
        'x-stratus-device': device,
        'x-stratus-time': String(time),
        'x-stratus-nonce': nonce,
        'x-stratus-signature': sig,
        ...(payload ? { 'content-type': 'application/json' } : {}),
        ...extraHeaders,
      },
      ...(payload ? { body: payload } : {}),
    });
  }
  let next = 0;
  return (req: any) => Object.assign(req, pool[next++ % pool.length]);
}

async function load(url: string, setupRequest?: (req: any) => any, headers?: Record<string, string>) {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    ...(setupRequest ? { requests: [{ setupRequest }] } : {}),
    ...(headers ? { headers } : {}),
  });
  const ok = result['2xx'] + result['3xx'];
  return { perSecond: ok / SECONDS, errors: result.non2xx - result['3xx'] + result.errors, p99Ms: result.latency.p99 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-bench-'));
  const hello = await startProcess(['-e', HELLO], /listening on (http:\/\/\S+)/);
  const stratus = await startProcess(
    [CLI, 'serve', '--port', '0', '--data', dir, '--log-level', 'warn', '--device-rate-per-second', '0'],
    /listening on (http:\/\/\S+)/,
  );
  const secret = /secret: (\S+)/.exec(stratus.out())?.[1] as string;
  let id = 0;
  const value64 = 'x'.repeat(64);
  const value1k = 'x'.repeat(1024);
  const one = (value: string) => () => JSON.stringify({ publish: [{ id: `m${id++}`, scope: 'bench', stream: 'one', value }] });
  const hundred = (value: string) => () =>
    JSON.stringify({ publish: Array.from({ length: 100 }, () => ({ id: `b${id++}`, scope: 'bench', stream: 'batch', value })) });

  const POOL = 400_000;
  const sign = (method: string, target: string, body: () => string, extra?: Record<string, string>) =>
    presigned(secret, method, target, body, POOL, extra);
  // the ETag the demo app's devices hold
  const probe = await fetch(stratus.url + '/v1/config', { headers: sign('GET', '/v1/config', () => '').call(null, {}).headers });
  const etag = probe.headers.get('etag') as string;

  const workloads: [string, () => Promise<{ perSecond: number; errors: number; p99Ms: number }>, number][] = [
    ['node:http hello world (ceiling)', () => load(hello.url), 1],
    ['single-message publish 64 B (fsync per group)', () => load(stratus.url, sign('POST', '/v1/sync', one(value64))), 1],
    ['single-message publish 1 KiB', () => load(stratus.url, sign('POST', '/v1/sync', one(value1k))), 1],
    ['batched publish 100 × 64 B per sync', () => load(stratus.url, presigned(secret, 'POST', '/v1/sync', hundred(value64), 20_000)), 100],
    ['config poll answered 304', () => load(stratus.url, sign('GET', '/v1/config', () => '', { 'if-none-match': etag })), 1],
  ];
  const results: Record<string, { runs: number[]; median: number; errors: number; p99Ms: number[] }> = {};
  for (let run = 0; run < RUNS; run++) {
    for (const [name, fn, perRequest] of workloads) {
      const r = await fn();
      const entry = (results[name] ??= { runs: [], median: 0, errors: 0, p99Ms: [] });
      entry.runs.push(Math.round(r.perSecond * perRequest));
      entry.errors += r.errors;
      entry.p99Ms.push(r.p99Ms);
      process.stderr.write(`run ${run + 1}/${RUNS} ${name}: ${Math.round(r.perSecond * perRequest)}/s (errors ${r.errors})\n`);
    }
  }
  const ceiling = median(results['node:http hello world (ceiling)']?.runs ?? [1]);
  const lines = ['| workload | median /s | min–max | ratio to ceiling | errors |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const [name, r] of Object.entries(results)) {
    r.median = median(r.runs);
    lines.push(`| ${name} | ${r.median} | ${Math.min(...r.runs)}–${Math.max(...r.runs)} | ${(r.median / ceiling).toFixed(2)} | ${r.errors} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results', `http-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ runs: RUNS, seconds: SECONDS, connections: CONNECTIONS, results }, null, 2));
  hello.child.kill();
  stratus.child.kill('SIGTERM');
  await new Promise((r) => stratus.child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

await main();
