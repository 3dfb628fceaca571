/** Reads Prometheus text exposition: samples by name and labels, and the declared types. */
export interface Scrape {
  types: Map<string, string>;
  /** The value of one sample, labels matched exactly; undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

export function parseScrape(text: string): Scrape {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1] as string, type[2] as string);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}=${l[2]}`).sort();
    samples.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]));
  }
  return {
    types,
    value(name, labels = {}) {
      const key = Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(',');
      return samples.get(`${name}{${key}}`);
    },
  };
}
