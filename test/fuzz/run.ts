// `npm run fuzz -- --requests 1000000 [--seed N]`: the API fuzzer on loopback; exits 1 on any failure.
import { parseArgs } from 'node:util';
import { fuzzServer } from './device-api-fuzz.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' } } });
const requests = Number(values.requests);
const seed = Number(values.seed);
if (!Number.isInteger(requests) || requests < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run fuzz -- [--requests N] [--seed N]\n');
  process.exit(2);
}
process.stderr.write(`fuzzing ${requests} requests, seed ${seed}\n`);
const report = await fuzzServer({ requests, seed, progress: (done) => process.stderr.write(`\r${Math.round((done / requests) * 100)}%`) });
process.stderr.write('\n');
process.stdout.write(`${JSON.stringify({ ...report, failures: report.failures.length, firstFailures: [...report.failures.filter((f) => f.kind === '5xx').slice(0, 10), ...report.failures.filter((f) => f.kind !== '5xx').slice(0, 10)] }, null, 2)}\n`);
process.exit(report.failures.length === 0 ? 0 : 1);
