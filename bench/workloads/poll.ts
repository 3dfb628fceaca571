// Workload 3: the config poll answered 304 from its ETag, vs node:http answering the same requests.
import type { Peer, StratusPeer } from '../peers/processes.js';
import type { Figure } from '../report/stats.js';
import { CONNECTIONS, load, presigned, type Settings } from './http-load.js';

export async function pollWorkload(stratus: StratusPeer, hello: Peer, s: Settings): Promise<Figure[]> {
  const count = 60_000 * s.seconds;
  const warm = presigned(stratus.secret, 'GET', '/v1/config', CONNECTIONS);
  let etag = '';
  for (let i = 0; i < CONNECTIONS; i++) {
    const req = warm({}) as { headers: Record<string, string> };
    const answer = await fetch(`${stratus.url}/v1/config`, { headers: req.headers });
    etag = answer.headers.get('etag') ?? etag; // every bench device registered, the ETag known
  }
  const runs = { stratus: [] as number[], hello: [] as number[] };
  for (let run = 0; run < s.runs; run++) {
    // One pool of signed requests serves both (node:http ignores the nonces, so Stratus still sees
    // each only once): the load generator does the same work, with the same memory, for each.
    // The order alternates between runs.
    const signed = presigned(stratus.secret, 'GET', '/v1/config', count, { headers: { 'if-none-match': etag } });
    const order = run % 2 === 0 ? (['hello', 'stratus'] as const) : (['stratus', 'hello'] as const);
    for (const system of order) runs[system].push((await load(system === 'hello' ? hello.url : stratus.url, s.seconds, signed)).perSecond);
    process.stderr.write(`  poll run ${run + 1}: stratus ${Math.round(runs.stratus.at(-1) ?? 0)}, node:http ${Math.round(runs.hello.at(-1) ?? 0)} req/s\n`);
  }
  const name = 'config poll (304) vs HTTP ceiling';
  return [
    { name, system: 'stratus', unit: 'req/s', runs: runs.stratus, better: 'higher', note: 'signature checked, nonce kept, presence recorded, answer signed' },
    { name, system: 'node:http', unit: 'req/s', runs: runs.hello, better: 'higher', note: 'hello world, same requests' },
  ];
}
