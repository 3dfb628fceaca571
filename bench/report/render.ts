import { comparisons, median, type Comparison, type Figure } from './stats.js';

const round = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(x >= 10 ? 1 : 2));

/** The results table in Markdown: median and min–max per figure, then the ratio to each peer. */
export function markdownTable(figures: readonly Figure[]): string {
  const lines = ['| workload | system | median | min–max | unit | runs |', '| --- | --- | ---: | ---: | --- | ---: |'];
  for (const f of figures) {
    lines.push(`| ${f.name} | ${f.system} | ${round(median(f.runs))} | ${round(Math.min(...f.runs))}–${round(Math.max(...f.runs))} | ${f.unit} | ${f.runs.length} |`);
  }
  const pairs = comparisons(figures);
  if (pairs.length > 0) {
    lines.push('', '| workload | Stratus vs | ratio (>1: Stratus better) | note |', '| --- | --- | ---: | --- |');
    for (const c of pairs) lines.push(`| ${c.workload} | ${c.peer.system} | ${c.ratio.toFixed(2)} | ${c.stratus.note ?? ''} |`);
  }
  return lines.join('\n') + '\n';
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A horizontal bar chart of the ratios, with the parity line at 1, as a standalone SVG. */
export function ratioChart(pairs: readonly Comparison[], title: string): string {
  const rowHeight = 26;
  const left = 330;
  const width = 820;
  const plot = width - left - 60;
  const top = 40;
  const height = top + pairs.length * rowHeight + 40;
  const max = Math.max(2, ...pairs.map((p) => p.ratio));
  const x = (r: number) => left + (Math.min(r, max) / max) * plot;
  const bars = pairs.map((p, i) => {
    const y = top + i * rowHeight;
    const colour = p.ratio >= 1 ? '#2e7d32' : '#c62828';
    return [
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escape(`${p.workload} vs ${p.peer.system}`)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${(x(p.ratio) - left).toFixed(1)}" height="${rowHeight - 8}" fill="${colour}"/>`,
      `<text x="${(x(p.ratio) + 4).toFixed(1)}" y="${y + 17}">${p.ratio.toFixed(2)}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14">${escape(title)}</text>`,
    ...bars,
    `<line x1="${x(1)}" y1="${top - 4}" x2="${x(1)}" y2="${height - 30}" stroke="#333" stroke-dasharray="4 3"/>`,
    `<text x="${x(1)}" y="${height - 14}" text-anchor="middle">1 = parity (green: Stratus better)</text>`,
    '</svg>',
  ].join('\n');
}
