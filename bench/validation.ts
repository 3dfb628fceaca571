// Device input validation on the hot path, per item: a publish item (toNewMessage), a subscription
// (toSubscription) and a refused publish item, in this build or in another one's dist folder, so
// two builds compare in the same run (run under `flock /work/bench.lock` on a shared machine):
//   npm run build --silent && node dist/bench/validation.js [<other build's dist>]
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const roots = [resolve(import.meta.dirname, '..'), ...process.argv.slice(2).map((r) => resolve(r))];
const grants = [
  { action: 'publish', scope: '*', stream: '*' },
  { action: 'subscribe', scope: '*', stream: '*' },
];
const ctx = { app: { id: 1, defaultTtlSeconds: 3600, maxTtlSeconds: 86_400 }, device: { id: 1, guid: 'a4cf12fe0b11' }, grants, now: 1_800_000_000 };
const items = Array.from({ length: 1000 }, (_, i) => ({ id: `a4cf12fe0b11-${i}`, scope: 'home', stream: 'temp', value: '21.5', ttl: 3600 }));
const subs = Array.from({ length: 100 }, (_, i) => ({ scope: 'home', stream: `cmd-${i}`, after: 42, limit: 10 }));
const bad = { id: 'x', stream: 'bad stream', value: 'v' };

/** Median and best ns per item over 15 runs of 50 rounds, after a warm-up. */
function measure(round: () => void, perRound: number): string {
  for (let i = 0; i < 200; i++) round();
  const runs: number[] = [];
  for (let r = 0; r < 15; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 50; i++) round();
    runs.push(Number(process.hrtime.bigint() - t0) / (50 * perRound));
  }
  runs.sort((a, b) => a - b);
  return `median ${runs[7]!.toFixed(0)} ns, best ${runs[0]!.toFixed(0)} ns`;
}

for (const root of roots) {
  // Before the device service (main before issue 15), the same functions were in routes/device/validate.js.
  const module = ['src/server/device-service/items.js', 'src/server/routes/device/validate.js'].map((p) => `${root}/${p}`).find((p) => existsSync(p));
  if (module === undefined) throw new Error(`${root} has no device input validation to measure`);
  const { toNewMessage, toSubscription } = await import(pathToFileURL(module).href);
  const { DEFAULT_SERVER_OPTIONS: options } = await import(pathToFileURL(`${root}/src/server/options.js`).href);
  let sink = 0;
  console.log(root);
  console.log('  publish item:', measure(() => items.forEach((item) => (sink += toNewMessage(ctx, item, options, 'publish[0]').expiresAt)), items.length));
  console.log('  subscription:', measure(() => subs.forEach((sub) => (sink += toSubscription(ctx, sub, options, 'subscribe[0]').pageSize)), subs.length));
  const refuse = () => {
    try {
      toNewMessage(ctx, bad, options, 'publish[0]');
    } catch (error) {
      sink += (error as Error).message.length;
    }
  };
  console.log('  refused item:', measure(() => { for (let i = 0; i < 100; i++) refuse(); }, 100));
  if (sink === -1) console.log(sink);
}
