// Workload 4: subscribers draining a backlog, 100 messages per answer, acknowledging as they go:
// Stratus sync (cursor moved by `after`) vs JetStream pull consumers (explicit ack per message).
import { AckPolicy, connect, StorageType } from 'nats';
import type { Peer, StratusPeer } from '../peers/processes.js';
import type { Figure } from '../report/stats.js';
import { BenchDevice, benchAgent } from './bench-device.js';
import type { Settings } from './http-load.js';

const SUBSCRIBERS = 8;

async function stratusDrain(stratus: StratusPeer, backlog: number, run: number): Promise<number> {
  const stream = `drain${run}`;
  const agent = benchAgent(SUBSCRIBERS);
  const readers = Array.from({ length: SUBSCRIBERS }, (_, i) => new BenchDevice(stratus.url, stratus.secret, `reader-${run}-${i}`, agent));
  for (const r of readers) await r.sync({ subscribe: [{ scope: 'bench', stream }] }); // cursors at the head: 0
  const writer = new BenchDevice(stratus.url, stratus.secret, `writer-${run}`, agent);
  const value = 'x'.repeat(64);
  for (let n = 0; n < backlog; n += 1000) {
    await writer.sync({ publish: Array.from({ length: Math.min(1000, backlog - n) }, (_, i) => ({ id: `d${n + i}`, scope: 'bench', stream, value })) });
  }
  const started = performance.now();
  await Promise.all(
    readers.map(async (reader) => {
      let after = 0;
      while (after < backlog) {
        const text = await reader.sync({ subscribe: [{ scope: 'bench', stream, after }] });
        const messages = (JSON.parse(text) as { messages: { seq: number }[] }).messages;
        if (messages.length === 0) throw new Error(`drain stalled at ${after}: ${text.slice(0, 200)}`);
        after = messages.at(-1)?.seq as number;
      }
    }),
  );
  agent.destroy();
  return (SUBSCRIBERS * backlog) / ((performance.now() - started) / 1000);
}

async function jetStreamDrain(servers: string, backlog: number, run: number): Promise<number> {
  const nc = await connect({ servers });
  try {
    const jsm = await nc.jetstreamManager();
    const name = `DRAIN${run}`;
    await jsm.streams.add({ name, subjects: [`${name}.>`], storage: StorageType.File });
    const js = nc.jetstream();
    const payload = Buffer.from('x'.repeat(64));
    for (let n = 0; n < backlog; n += 1000) await Promise.all(Array.from({ length: Math.min(1000, backlog - n) }, () => js.publish(`${name}.m`, payload)));
    for (let i = 0; i < SUBSCRIBERS; i++) await jsm.consumers.add(name, { durable_name: `c${i}`, ack_policy: AckPolicy.Explicit });
    const started = performance.now();
    await Promise.all(
      Array.from({ length: SUBSCRIBERS }, async (_, i) => {
        const consumer = await js.consumers.get(name, `c${i}`);
        let received = 0;
        for (let idle = 0; received < backlog; ) {
          const before = received;
          const batch = await consumer.fetch({ max_messages: 100, expires: 2000 });
          for await (const m of batch) {
            m.ack();
            received++;
          }
          idle = received === before ? idle + 1 : 0;
          if (idle >= 3) throw new Error(`JetStream consumer c${i} stalled at ${received} of ${backlog}`);
        }
      }),
    );
    return (SUBSCRIBERS * backlog) / ((performance.now() - started) / 1000);
  } finally {
    await nc.close();
  }
}

export async function deliveryWorkload(stratus: StratusPeer, nats: Peer, s: Settings, backlog: number): Promise<Figure[]> {
  const runs = { stratus: [] as number[], nats: [] as number[] };
  for (let run = 0; run < s.runs; run++) {
    runs.stratus.push(await stratusDrain(stratus, backlog, run));
    runs.nats.push(await jetStreamDrain(nats.url, backlog, run));
    process.stderr.write(`  delivery run ${run + 1}: stratus ${Math.round(runs.stratus.at(-1) ?? 0)}, nats ${Math.round(runs.nats.at(-1) ?? 0)} msg/s\n`);
  }
  const name = `delivery: ${SUBSCRIBERS} subscribers drain ${backlog} messages`;
  return [
    { name, system: 'stratus', unit: 'msg/s', runs: runs.stratus, better: 'higher', note: 'sync, 100 per answer, cursor acknowledged with after' },
    { name, system: 'nats', unit: 'msg/s', runs: runs.nats, better: 'higher', note: 'JetStream pull consumers, fetch 100, ack each' },
  ];
}
