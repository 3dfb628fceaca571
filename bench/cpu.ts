// `npm run bench:cpu`: where a Stratus server's CPU goes, per request and per thread (main, SQLite
// writer, V8's GC and platform threads), read from /proc/<pid>/task/*/stat around a load of signed
// requests. At a fixed rate (the default) the figures compare builds fairly; at full speed they
// also show what the load generator leaves to the server.
//   npm run bench:cpu -- [--kind publish|batch|poll] [--rate 2500 | --rate 0 for full speed]
//                        [--runs 3] [--seconds 5] [--profile <dir>]
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startStratus } from './peers/processes.js';
import { CONNECTIONS, load, presigned } from './workloads/http-load.js';

const KINDS = ['publish', 'batch', 'poll'] as const;
const { values: flags } = parseArgs({
  options: {
    kind: { type: 'string', default: 'publish' },
    rate: { type: 'string', default: '2500' },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    profile: { type: 'string' },
  },
});
const kind = flags.kind as (typeof KINDS)[number];
if (!KINDS.includes(kind)) throw new Error(`--kind must be one of ${KINDS.join(', ')}, not "${flags.kind}"`);
const number = (name: string, text: string, min: number) => {
  if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`--${name} must be a whole number ≥ ${min}, not "${text}"`);
  return Number(text);
};
const rate = number('rate', flags.rate as string, 0);
const runs = number('runs', flags.runs as string, 1);
const seconds = number('seconds', flags.seconds as string, 1);

/** CPU ticks (1/100 s) by thread: `main`, then the others by name and tid (the busiest of them is the SQLite writer). */
function threadTicks(pid: number): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = /\((.*)\)/.exec(stat)?.[1] ?? '?';
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const label = tid === String(pid) ? 'main' : `${name} ${tid}`;
    ticks.set(label, Number(fields[11]) + Number(fields[12])); // utime + stime
  }
  return ticks;
}

const stratus = await startStratus({ nodeArgs: flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(flags.profile)}`] : [] });
try {
  let headers: Record<string, string> = {};
  if (kind === 'poll') {
    const warm = presigned(stratus.secret, 'GET', '/v1/config', CONNECTIONS);
    for (let i = 0; i < CONNECTIONS; i++) {
      const answer = await fetch(`${stratus.url}/v1/config`, { headers: (warm({}) as { headers: Record<string, string> }).headers });
      headers = { 'if-none-match': answer.headers.get('etag') ?? '' };
    }
  }
  const value = 'x'.repeat(64);
  for (let run = 0; run < runs; run++) {
    // more signed requests than the run can send: a nonce used twice would be refused as replayed
    const count = Math.ceil((rate || 30_000) * seconds * 1.5);
    const requests =
      kind === 'poll'
        ? presigned(stratus.secret, 'GET', '/v1/config', count, { headers })
        : presigned(stratus.secret, 'POST', '/v1/sync', kind === 'batch' ? Math.ceil(count / 20) : count, {
            body: (n) =>
              JSON.stringify({
                publish: Array.from({ length: kind === 'batch' ? 100 : 1 }, (_, i) => ({ id: `cpu-${run}-${n}-${i}`, scope: 'bench', stream: `cpu${n % 8}`, value })),
              }),
          });
    const before = threadTicks(stratus.pid);
    const result = await load(stratus.url, seconds, requests, { rate });
    const after = threadTicks(stratus.pid);
    const total = result.perSecond * seconds;
    const perRequest = [...after].map(([thread, t]) => [thread, Math.round(((t - (before.get(thread) ?? 0)) * 10_000) / total)] as const);
    const shown = perRequest.filter(([, us]) => us > 0).map(([thread, us]) => `${thread} ${us}`);
    const all = perRequest.reduce((sum, [, us]) => sum + us, 0);
    process.stdout.write(
      `${kind} run ${run + 1}: ${Math.round(result.perSecond)} req/s, ${result.errors} errors; CPU µs per request: all ${all} (${shown.join(', ')})\n`,
    );
  }
} finally {
  await stratus.stop();
}
