// The benchmark report's arithmetic and output (bench/report): pure functions, no timing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { markdownTable, ratioChart } from '../bench/report/render.js';
import { comparisons, median, quantile, ratio, type Figure } from '../bench/report/stats.js';

const figure = (system: string, runs: number[], better: 'higher' | 'lower' = 'higher', name = 'w'): Figure => ({ name, system, unit: 'msg/s', runs, better });

describe('bench report', () => {
  it('median of odd and even counts, whatever the order', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 50 }), (xs) => {
        const m = median(xs);
        assert.ok(m >= Math.min(...xs) && m <= Math.max(...xs));
        assert.equal(median([...xs].reverse()), m);
      }),
    );
    assert.throws(() => median([]));
  });

  it('quantile by nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual([quantile(xs, 0.5), quantile(xs, 0.99), quantile(xs, 1), quantile([7], 0.99)], [50, 99, 100, 7]);
  });

  it('ratio above 1 means Stratus does better, for throughput and for latency', () => {
    assert.equal(ratio(figure('stratus', [20]), figure('peer', [10])), 2);
    assert.equal(ratio(figure('stratus', [5], 'lower'), figure('peer', [10], 'lower')), 2);
    assert.equal(ratio(figure('stratus', [10, 30, 20]), figure('peer', [40])), 0.5);
  });

  it('pairs each Stratus figure with every peer of the same workload', () => {
    const figures = [figure('stratus', [10]), figure('mosquitto', [20]), figure('nats', [5]), figure('stratus', [1], 'higher', 'alone')];
    assert.deepEqual(
      comparisons(figures).map((c) => [c.workload, c.peer.system, c.ratio]),
      [
        ['w', 'mosquitto', 0.5],
        ['w', 'nats', 2],
      ],
    );
  });

  it('renders a Markdown table with medians and ranges, and an SVG bar per comparison', () => {
    const figures = [figure('stratus', [1000, 3000, 2000]), figure('nats', [4000])];
    const table = markdownTable(figures);
    assert.match(table, /^\| w \| stratus \| 2,000 \| 1,000–3,000 \| msg\/s \| 3 \|$/m);
    assert.match(table, /^\| w \| nats \| 0\.50 \| {2}\|$/m);
    const svg = ratioChart(comparisons(figures), 'A & B');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal((svg.match(/<rect x=/g) ?? []).length, 1);
    assert.match(svg, /A &amp; B/);
    assert.match(svg, />0\.50</);
  });
});
