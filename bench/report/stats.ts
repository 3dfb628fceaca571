// The report's arithmetic: pure functions, checked by test/bench-report.test.ts.

export interface Figure {
  /** What was measured, e.g. "single publish 64 B". */
  name: string;
  /** Which system: "stratus", "mosquitto", "nats", "node:http". */
  system: string;
  unit: string;
  /** One value per run. */
  runs: number[];
  /** Higher is better (throughput) or lower is better (latency, memory). */
  better: 'higher' | 'lower';
  note?: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Stratus's median over the peer's, oriented so that above 1 means Stratus does better. */
export function ratio(stratus: Figure, peer: Figure): number {
  const s = median(stratus.runs);
  const p = median(peer.runs);
  return stratus.better === 'higher' ? s / p : p / s;
}

/** The value at quantile q (0..1) of samples, nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error('quantile of nothing');
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export interface Comparison {
  workload: string;
  stratus: Figure;
  peer: Figure;
  ratio: number;
}

/** Every pair (stratus figure, peer figure) of the same workload name. */
export function comparisons(figures: readonly Figure[]): Comparison[] {
  const out: Comparison[] = [];
  for (const s of figures.filter((f) => f.system === 'stratus')) {
    for (const p of figures.filter((f) => f.name === s.name && f.system !== 'stratus')) out.push({ workload: s.name, stratus: s, peer: p, ratio: ratio(s, p) });
  }
  return out;
}
