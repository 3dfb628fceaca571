// `npm run bench`: Stratus side by side with Mosquitto and NATS JetStream on this machine, in one run
// (docs/performance.md). Every loop is bounded in time or count; only loopback addresses are used.
//   npm run bench -- [--only publish,poll,delivery,latency,fleet] [--runs 3] [--seconds 5]
//                    [--fleet 1000000:10000000] [--backlog 20000] [--db postgres://…/any-db]
//                    [--profile <dir>]  (CPU profiles of the Stratus servers)
//   npm run bench -- --report bench/results/bench-<time>.json   (the table and chart of a saved run)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../test/support/server-process.js';
import { withFreshDatabase } from './peers/postgres.js';
import { startHello, startMosquitto, startNats, startStratus, type Peer } from './peers/processes.js';
import { markdownTable, ratioChart } from './report/render.js';
import { comparisons, type Figure } from './report/stats.js';
import { deliveryWorkload } from './workloads/delivery.js';
import { fleetWorkload } from './workloads/fleet.js';
import { latencyWorkload } from './workloads/latency.js';
import { pollWorkload } from './workloads/poll.js';
import { publishWorkloads } from './workloads/publish.js';

const WORKLOADS = ['publish', 'poll', 'delivery', 'latency', 'fleet'] as const;

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string', default: WORKLOADS.join(',') },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    fleet: { type: 'string', default: '1000000:10000000' },
    backlog: { type: 'string', default: '20000' },
    db: { type: 'string' },
    profile: { type: 'string' },
    report: { type: 'string' },
  },
});

function wholeNumber(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`--${name} must be a whole number ≥ 1, not "${text}"`);
  return Number(text);
}

const only = (flags.only as string).split(',');
const unknown = only.filter((w) => !(WORKLOADS as readonly string[]).includes(w));
if (unknown.length > 0) throw new Error(`--only: unknown workload ${unknown.join(', ')} (known: ${WORKLOADS.join(', ')})`);
const settings = {
  runs: wholeNumber('runs', flags.runs as string),
  seconds: wholeNumber('seconds', flags.seconds as string),
  // CPU profiles of the Stratus servers (open them in Chrome DevTools or speedscope)
  nodeArgs: flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(flags.profile)}`] : [],
};
const [devices, messages] = (flags.fleet as string).split(':').map((x) => wholeNumber('fleet', x));
const backlog = wholeNumber('backlog', flags.backlog as string);

async function main(db: string | null): Promise<void> {
  const started = new Date();
  const stratus = await startStratus({ ...(db ? { db } : {}), nodeArgs: settings.nodeArgs });
  const [mosquitto, nats, hello] = await Promise.all([startMosquitto(), startNats(), startHello()]);
  const peers: Peer[] = [stratus, mosquitto, nats, hello];
  const figures: Figure[] = [];
  const step = async (name: (typeof WORKLOADS)[number], work: () => Promise<Figure[]>) => {
    if (!only.includes(name)) return;
    process.stderr.write(`${name}…\n`);
    figures.push(...(await work()));
  };
  try {
    await step('publish', () => publishWorkloads(stratus, mosquitto, nats, settings));
    await step('poll', () => pollWorkload(stratus, hello, settings));
    await step('delivery', () => deliveryWorkload(stratus, nats, settings, backlog));
    await step('latency', () => latencyWorkload(stratus, mosquitto, settings));
    await step('fleet', () => fleetWorkload({ devices: devices as number, messages: messages as number }, settings));
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
  }

  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), node: process.version };
  writeFileSync(join(dir, `bench-${stamp}.json`), JSON.stringify({ started: started.toISOString(), machine, settings, store: flags.db ? 'postgres' : 'sqlite', figures }, null, 2));
  report(figures, started, machine.cpus, settings.runs);
  process.stdout.write(`\nresults: bench/results/bench-${stamp}.json, bench/results/ratios.svg, bench/results/latest.md\n`);
}

/** Prints the table and writes it and the ratio chart beside the runs' files. */
function report(figures: Figure[], started: Date, cores: number, runs: number): void {
  const table = markdownTable(figures);
  process.stdout.write(`\n${table}`);
  const dir = join(ROOT, 'bench/results');
  writeFileSync(join(dir, 'ratios.svg'), ratioChart(comparisons(figures), `Stratus vs peers on ${cores} cores, ${started.toISOString().slice(0, 10)} (medians of ${runs})`));
  writeFileSync(join(dir, 'latest.md'), table);
}

if (flags.report) {
  const saved = JSON.parse(readFileSync(flags.report, 'utf8')) as { started: string; machine: { cpus: number }; settings: { runs: number }; figures: Figure[] };
  report(saved.figures, new Date(saved.started), saved.machine.cpus, saved.settings.runs);
} else if (flags.db) {
  await withFreshDatabase(flags.db, main); // Stratus on a fresh database made in that cluster, dropped afterwards
} else {
  await main(null);
}
