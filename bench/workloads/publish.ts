// Workloads 1 and 2: durable publish, one message per request (vs MQTT QoS 1, vs JetStream async
// publish with 64 in flight) and 100 messages per sync.
import mqtt from 'mqtt';
import { connect, StorageType } from 'nats';
import type { Peer, StratusPeer } from '../peers/processes.js';
import type { Figure } from '../report/stats.js';
import { CONNECTIONS, load, presigned, type Settings } from './http-load.js';

const NOT_DURABLE = 'Mosquitto and nats-server acknowledge before any fsync; Stratus only after its fsync';

async function forSeconds(seconds: number, worker: () => Promise<void>): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end) {
        await worker();
        done++;
      }
    }),
  );
  return done / seconds;
}

async function mqttPublish(url: string, seconds: number, payload: Buffer): Promise<number> {
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => mqtt.connectAsync(url, { clientId: `bench-pub-${i}-${Date.now()}`, clean: true })));
  let next = 0;
  try {
    return await forSeconds(seconds, async () => {
      await (clients[next++ % clients.length] as mqtt.MqttClient).publishAsync('bench/one', payload, { qos: 1 });
    });
  } finally {
    await Promise.all(clients.map((c) => c.endAsync()));
  }
}

async function jetStreamPublish(servers: string, seconds: number, payload: Buffer, run: number): Promise<number> {
  const nc = await connect({ servers });
  try {
    const jsm = await nc.jetstreamManager();
    const name = `PUB${run}${payload.length}`;
    await jsm.streams.add({ name, subjects: [`${name}.>`], storage: StorageType.File });
    const js = nc.jetstream();
    return await forSeconds(seconds, async () => {
      await js.publish(`${name}.one`, payload);
    });
  } finally {
    await nc.close();
  }
}

export async function publishWorkloads(stratus: StratusPeer, mosquitto: Peer, nats: Peer, s: Settings): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const size of [64, 1024]) {
    const value = 'x'.repeat(size);
    const payload = Buffer.from(value);
    const name = `single publish ${size === 64 ? '64 B' : '1 KiB'}`;
    const runs = { stratus: [] as number[], mosquitto: [] as number[], nats: [] as number[] };
    for (let run = 0; run < s.runs; run++) {
      const body = (n: number) => JSON.stringify({ publish: [{ id: `one-${size}-${run}-${n}`, scope: 'bench', stream: `one${n % 8}`, value }] });
      runs.stratus.push((await load(stratus.url, s.seconds, presigned(stratus.secret, 'POST', '/v1/sync', 40_000 * s.seconds, { body }))).perSecond);
      runs.mosquitto.push(await mqttPublish(mosquitto.url, s.seconds, payload));
      runs.nats.push(await jetStreamPublish(nats.url, s.seconds, payload, run));
      process.stderr.write(`  ${name} run ${run + 1}: stratus ${Math.round(runs.stratus.at(-1) ?? 0)}, mosquitto ${Math.round(runs.mosquitto.at(-1) ?? 0)}, nats ${Math.round(runs.nats.at(-1) ?? 0)} msg/s\n`);
    }
    figures.push({ name, system: 'stratus', unit: 'msg/s', runs: runs.stratus, better: 'higher', note: NOT_DURABLE });
    figures.push({ name, system: 'mosquitto', unit: 'msg/s', runs: runs.mosquitto, better: 'higher', note: 'QoS 1, 64 clients, each awaiting its PUBACK' });
    figures.push({ name, system: 'nats', unit: 'msg/s', runs: runs.nats, better: 'higher', note: 'JetStream file storage, 64 publishes in flight' });
  }
  const batched: number[] = [];
  for (let run = 0; run < s.runs; run++) {
    const value = 'x'.repeat(64);
    const body = (n: number) => JSON.stringify({ publish: Array.from({ length: 100 }, (_, i) => ({ id: `b-${run}-${n}-${i}`, scope: 'bench', stream: `batch${n % 8}`, value })) });
    batched.push((await load(stratus.url, s.seconds, presigned(stratus.secret, 'POST', '/v1/sync', 1600 * s.seconds, { body }))).perSecond * 100);
    process.stderr.write(`  batched publish run ${run + 1}: ${Math.round(batched.at(-1) ?? 0)} msg/s\n`);
  }
  figures.push({ name: 'batched publish 100 × 64 B per sync', system: 'stratus', unit: 'msg/s', runs: batched, better: 'higher' });
  return figures;
}
