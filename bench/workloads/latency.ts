// Workload 5: live push latency at a fixed 1000 msg/s, publish → subscriber, p50 and p99. Stratus
// (signed sync, durable, then server-sent events) and Mosquitto (QoS 1) runs are interleaved.
import mqtt from 'mqtt';
import { TestDevice } from '../../test/support/device-client.js';
import { openLive } from '../../test/support/live-reader.js';
import type { Peer, StratusPeer } from '../peers/processes.js';
import { quantile, type Figure } from '../report/stats.js';
import { BenchDevice, benchAgent, paced } from './bench-device.js';
import type { Settings } from './http-load.js';

const RATE = 1000;
/** Seconds of the same load before each measured run, to the same system: connections, device registration, JIT. */
const WARM_UP_SECONDS = 1;

async function stratusLatency(stratus: StratusPeer, seconds: number, run: number): Promise<number[]> {
  const stream = `latency${run}`;
  const agent = benchAgent(16);
  const publishers = Array.from({ length: 16 }, (_, i) => new BenchDevice(stratus.url, stratus.secret, `pacer-${run}-${i}`, agent));
  const publish = (to: string) => (i: number) => (publishers[i % publishers.length] as BenchDevice).sync({ publish: [{ scope: 'bench', stream: to, value: String(performance.now()) }] });
  await paced(RATE, WARM_UP_SECONDS, publish(`${stream}-warm-up`));
  const live = await openLive(new TestDevice(stratus.url, 'demo', stratus.secret, `listener-${run}`), [`bench/${stream}`]);
  await paced(RATE, seconds, publish(stream));
  agent.destroy();
  const total = RATE * seconds;
  const timer = setTimeout(() => void live.close(), 10_000);
  const events = await live.waitFor(total);
  clearTimeout(timer);
  await live.close();
  return events.map((e) => e.at - Number(e.data.value));
}

async function mosquittoLatency(url: string, seconds: number, run: number): Promise<number[]> {
  const topic = `bench/latency${run}`;
  const subscriber = await mqtt.connectAsync(url, { clientId: `lat-sub-${run}-${Date.now()}`, clean: true });
  const publisher = await mqtt.connectAsync(url, { clientId: `lat-pub-${run}-${Date.now()}`, clean: true });
  const latencies: number[] = [];
  subscriber.on('message', (_t, payload) => latencies.push(performance.now() - Number(payload.toString())));
  await subscriber.subscribeAsync(topic, { qos: 1 });
  await paced(RATE, WARM_UP_SECONDS, () => publisher.publishAsync(`${topic}-warm-up`, String(performance.now()), { qos: 1 }));
  await paced(RATE, seconds, () => publisher.publishAsync(topic, String(performance.now()), { qos: 1 }));
  for (let i = 0; i < 100 && latencies.length < RATE * seconds; i++) await new Promise((r) => setTimeout(r, 50));
  await Promise.all([subscriber.endAsync(), publisher.endAsync()]);
  return latencies;
}

export async function latencyWorkload(stratus: StratusPeer, mosquitto: Peer, s: Settings): Promise<Figure[]> {
  const p50 = { stratus: [] as number[], mosquitto: [] as number[] };
  const p99 = { stratus: [] as number[], mosquitto: [] as number[] };
  for (let run = 0; run < s.runs; run++) {
    const st = await stratusLatency(stratus, s.seconds, run);
    const mq = await mosquittoLatency(mosquitto.url, s.seconds, run);
    p50.stratus.push(quantile(st, 0.5));
    p99.stratus.push(quantile(st, 0.99));
    p50.mosquitto.push(quantile(mq, 0.5));
    p99.mosquitto.push(quantile(mq, 0.99));
    process.stderr.write(`  latency run ${run + 1}: stratus p50 ${p50.stratus.at(-1)?.toFixed(2)} p99 ${p99.stratus.at(-1)?.toFixed(2)} ms (${st.length}), mosquitto p50 ${p50.mosquitto.at(-1)?.toFixed(2)} p99 ${p99.mosquitto.at(-1)?.toFixed(2)} ms (${mq.length})\n`);
  }
  const note = 'publish → live subscriber at 1000 msg/s; Stratus fsyncs before it pushes';
  return [
    { name: 'live push latency p50', system: 'stratus', unit: 'ms', runs: p50.stratus, better: 'lower', note },
    { name: 'live push latency p50', system: 'mosquitto', unit: 'ms', runs: p50.mosquitto, better: 'lower', note: 'QoS 1' },
    { name: 'live push latency p99', system: 'stratus', unit: 'ms', runs: p99.stratus, better: 'lower', note },
    { name: 'live push latency p99', system: 'mosquitto', unit: 'ms', runs: p99.mosquitto, better: 'lower', note: 'QoS 1' },
  ];
}
