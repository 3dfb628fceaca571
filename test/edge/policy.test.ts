// Policies on an injected time: windows, link classes, remote edge.* keys, the byte-rate cap; the
// link class from a route table; the line splitter under any chunking (fast-check).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_CONFIG, type EdgeConfig } from '../../src/edge/config.js';
import { LineSplitter } from '../../src/edge/intake/lines.js';
import { classify, defaultInterface } from '../../src/edge/link.js';
import { RateCap, applyRemote, inWindows, sendablePriorities } from '../../src/edge/policy.js';

const at = (hh: number, mm: number): Date => new Date(2026, 0, 1, hh, mm);
const config = (policy: Partial<EdgeConfig['policy']> = {}): EdgeConfig => ({ ...structuredClone(DEFAULT_CONFIG), policy: { priorities: {}, rateBytesPerSecond: {}, ...policy } });

describe('edge policy', () => {
  it('time windows, wrapping midnight', () => {
    assert.equal(inWindows([], at(3, 0)), true);
    assert.equal(inWindows(['22:00-06:00'], at(23, 59)), true);
    assert.equal(inWindows(['22:00-06:00'], at(5, 59)), true);
    assert.equal(inWindows(['22:00-06:00'], at(6, 0)), false);
    assert.equal(inWindows(['09:00-10:00', '12:00-24:00'], at(12, 30)), true);
    assert.equal(inWindows(['09:00-10:00'], at(10, 0)), false);
  });

  it('sendable priorities by link class and window, highest first', () => {
    const policy = config({ priorities: { '0': { links: ['unmetered'], windows: ['22:00-06:00'] }, '3': { links: ['unmetered'], windows: [] } } }).policy;
    assert.deepEqual(sendablePriorities(policy, 'metered', at(23, 0)), [9, 8, 7, 6, 5, 4, 2, 1]);
    assert.deepEqual(sendablePriorities(policy, 'unmetered', at(23, 0)), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    assert.deepEqual(sendablePriorities(policy, 'unmetered', at(12, 0)), [9, 8, 7, 6, 5, 4, 3, 2, 1]);
    assert.deepEqual(sendablePriorities(policy, 'offline', at(23, 0)), []);
  });

  it('remote edge.* keys override the file; bad ones are refused and change nothing', () => {
    const base = config({ priorities: { '0': { links: ['unmetered'], windows: [] } } });
    const { policy, limits, refused } = applyRemote(base, {
      'edge.policy.0.links': 'metered, unmetered',
      'edge.policy.2.windows': '01:00-02:00',
      'edge.rate.metered': '2000',
      'edge.store.max_bytes': '65536',
      'edge.store.priority.1.max_bytes': '4096',
      'edge.store.eviction': 'oldest',
      'edge.policy.1.links': 'satellite',
      'edge.policy.12.links': 'metered',
      'edge.rate.metered.x': '1',
      'other.key': 'ignored',
    });
    assert.deepEqual(policy.priorities['0'], { links: ['metered', 'unmetered'], windows: [] });
    assert.deepEqual(policy.priorities['2'], { links: ['unmetered', 'metered'], windows: ['01:00-02:00'] });
    assert.equal(policy.priorities['1'], undefined);
    assert.deepEqual(policy.rateBytesPerSecond, { metered: 2000 });
    assert.deepEqual(limits, { maxBytes: 65536, priorityMaxBytes: { '1': 4096 }, eviction: 'oldest' });
    assert.deepEqual(refused.map((r) => r.key), ['edge.policy.1.links', 'edge.policy.12.links', 'edge.rate.metered.x']);
    assert.deepEqual(base.policy.priorities['0'], { links: ['unmetered'], windows: [] }, 'the file config is untouched');
  });

  it('caps the byte rate per link class on the clock it is given', () => {
    let now = 0;
    const cap = new RateCap(() => now);
    assert.equal(cap.take(1000, undefined), 0);
    assert.equal(cap.take(1000, 0), 0);
    assert.equal(cap.take(500, 1000), 500, 'the bucket starts empty: 500 bytes at 1000/s wait 0.5 s');
    now += 500;
    assert.equal(cap.take(0, 1000), 0);
    now += 2000;
    assert.equal(cap.take(1000, 1000), 0, 'a second of credit at most');
    assert.equal(cap.take(1000, 1000), 1000);
  });

  it('classifies the default route interface', () => {
    const table = 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\nwwan0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\nwwan0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\n';
    assert.equal(defaultInterface(table), 'wwan0');
    assert.equal(defaultInterface('Iface\tDestination\n'), null);
    const link = DEFAULT_CONFIG.link;
    assert.equal(classify('wwan0', link), 'metered');
    assert.equal(classify('ppp0', link), 'metered');
    assert.equal(classify('eth0', link), 'unmetered');
    assert.equal(classify('wlan0', link), 'unmetered');
    assert.equal(classify('tun0', link), 'metered', 'anything else: link.other');
    assert.equal(classify(null, link), 'offline');
  });

  it('splits lines the same however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\n/g, '')), { maxLength: 20 }), fc.array(fc.nat(60), { maxLength: 10 }), (lines, cuts) => {
        const bytes = Buffer.from(lines.map((l) => l + '\n').join(''));
        const got: (string | null)[] = [];
        const splitter = new LineSplitter(30);
        let start = 0;
        for (const c of [...cuts.map((c) => Math.min(bytes.length, start + c)), bytes.length]) {
          const end = Math.max(start, c);
          splitter.push(bytes.subarray(start, end), (l) => got.push(l === null ? null : l.toString()));
          start = end;
        }
        splitter.end((l) => got.push(l === null ? null : l.toString()));
        assert.deepEqual(
          got,
          lines.map((l) => (Buffer.byteLength(l) > 30 ? null : l)),
        );
      }),
    );
  });
});
