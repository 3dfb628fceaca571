// `npm run bench:scaling`: durable publish throughput of one node on SQLite vs one and three nodes on
// one PostgreSQL database (docs/scaling.md). A benchmark, not a test: every run is bounded in time.
//   BENCH_RUNS (3), BENCH_SECONDS (5), STRATUS_BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/test)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT, startServer, type RunningServer } from '../test/support/server-process.js';
import { withFreshDatabase } from './peers/postgres.js';
import { CONNECTIONS, load, presigned } from './workloads/http-load.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PG_URL = process.env.STRATUS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Workload {
  name: string;
  perRequest: number;
  /** Requests signed ahead per node and run: more than a node can answer in SECONDS. */
  presign: number;
}

const WORKLOADS: Workload[] = [
  { name: 'single publish (1 message per sync)', perRequest: 1, presign: 150_000 },
  { name: 'batched publish (100 messages per sync)', perRequest: 100, presign: 12_000 },
];

/** One timed run: the connections split over the nodes, each node loaded by its own generator. */
async function measure(nodes: RunningServer[], secret: string, w: Workload, run: string): Promise<number> {
  const value = 'x'.repeat(64);
  const setups = nodes.map((_, node) =>
    presigned(secret, 'POST', '/v1/sync', w.presign, {
      device: (n) => `bench-${node}-${n % CONNECTIONS}`,
      body: (n) =>
        JSON.stringify({
          publish: Array.from({ length: w.perRequest }, (_, i) => ({ id: `${run}-${node}-${n}-${i}`, scope: 'bench', stream: `s${n % 8}`, value })),
        }),
    }),
  );
  const results = await Promise.all(nodes.map((node, i) => load(node.url, SECONDS, setups[i] as (req: object) => object, { connections: Math.floor(CONNECTIONS / nodes.length) })));
  const errors = results.reduce((n, r) => n + r.errors, 0);
  if (errors > 0) process.stderr.write(`  (${errors} failed requests in this run)\n`);
  return results.reduce((n, r) => n + r.perSecond, 0) * w.perRequest;
}

async function startNodes(count: number, db: string | null): Promise<{ nodes: RunningServer[]; secret: string }> {
  const first = await startServer({ args: db ? ['--db', db] : [] });
  const rest = await Promise.all(Array.from({ length: count - 1 }, () => startServer({ args: ['--db', db as string] })));
  return { nodes: [first, ...rest], secret: first.demoSecret };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const setups: { name: string; count: number; postgres: boolean }[] = [
    { name: 'SQLite, 1 node', count: 1, postgres: false },
    { name: 'PostgreSQL, 1 node', count: 1, postgres: true },
    { name: 'PostgreSQL, 3 nodes', count: 3, postgres: true },
  ];
  const rows: { setup: string; workload: string; runs: number[]; median: number }[] = [];
  for (const setup of setups) {
    const run = async (db: string | null) => {
      const { nodes, secret } = await startNodes(setup.count, db);
      try {
        for (const w of WORKLOADS) {
          const runs: number[] = [];
          for (let r = 0; r < RUNS; r++) runs.push(await measure(nodes, secret, w, `r${r}`));
          rows.push({ setup: setup.name, workload: w.name, runs, median: median(runs) });
          process.stdout.write(`${setup.name} | ${w.name}: ${runs.map((x) => Math.round(x)).join(', ')} msg/s\n`);
        }
      } finally {
        await Promise.all(nodes.map((n) => n.stop()));
      }
    };
    if (setup.postgres) await withFreshDatabase(PG_URL, run);
    else await run(null);
  }
  process.stdout.write(`\n| setup | workload | median msg/s | min–max |\n| --- | --- | ---: | ---: |\n`);
  for (const r of rows) {
    process.stdout.write(`| ${r.setup} | ${r.workload} | ${Math.round(r.median)} | ${Math.round(Math.min(...r.runs))}–${Math.round(Math.max(...r.runs))} |\n`);
  }
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `scaling-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model, runs: RUNS, seconds: SECONDS, connections: CONNECTIONS, rows }, null, 2));
  process.stdout.write(`\nresults: ${file}\n`);
}

await main();
