// The view of `stratus top` as a pure function of the fleet and the terminal size: every screen is
// exactly the terminal's height, no line is wider than it, the title and key line are always there;
// sorting and filtering do what the keys say; counters become rates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FleetModel } from '../../src/cli/top/model.js';
import { SORT_KEYS, render, type ViewState } from '../../src/cli/top/view.js';

const ui = (over: Partial<ViewState> = {}): ViewState => ({
  server: 'http://127.0.0.1:8080',
  intervalMs: 1000,
  sort: 'name',
  filter: '',
  editingFilter: false,
  selected: 0,
  status: 'live',
  message: '',
  ...over,
});

function fleet(apps: { name: string; devices: number; online: number; pending: number; published: number }[], pending = 0, recent = 0): FleetModel {
  const model = new FleetModel();
  const data = (published: (a: (typeof apps)[number]) => number) => ({
    time: 1_800_000_000,
    node: 'node-1',
    apps: apps.map((a) => ({ name: a.name, policy: 'open', devices: a.devices, pending: a.pending, online: a.online, published: published(a), delivered: 0 })),
    pendingListed: apps.map((a) => a.name),
    pending: Array.from({ length: pending }, (_, i) => ({ app: apps[0]?.name ?? 'x', device: `dev-${i}`, address: '10.0.0.1', firstSeen: 1_800_000_000 })),
    streams: [],
    nodes: [{ id: 'node-1', address: 'http://a', startedAt: 0, lastHeard: 0, alive: true, self: true }],
  });
  model.apply({ event: 'snapshot', data: data(() => 0) }, 0);
  model.apply({ event: 'counters', data: data((a) => a.published) }, 2000);
  for (let i = 0; i < recent; i++) model.apply({ event: 'presence', data: { app: 'a', device: `d${i}`, online: i % 2 === 0, time: 1_800_000_000 } }, 2000);
  return model;
}

const appNames = (lines: { text: string }[]) => lines.map((l) => l.text.split(/\s+/)[0]).filter((n) => n?.startsWith('app-'));

describe('stratus top view', () => {
  it('fills any terminal exactly: height lines, none wider, title first and keys last', () => {
    const app = fc.record({ name: fc.stringMatching(/^app-[a-z0-9]{1,30}$/), devices: fc.nat(10_000), online: fc.nat(100), pending: fc.nat(100), published: fc.nat(1_000_000) });
    fc.assert(
      fc.property(fc.array(app, { maxLength: 30 }), fc.nat(200), fc.nat(300), fc.integer({ min: 2, max: 300 }), fc.integer({ min: 2, max: 120 }), (apps, pending, recent, width, height) => {
        const lines = render(fleet(apps, pending, recent), ui(), width, height);
        assert.equal(lines.length, height);
        for (const l of lines) assert.ok(l.text.length <= width, `"${l.text}" is wider than ${width}`);
        assert.equal(lines[0]?.style, 'title');
        assert.equal(lines[height - 1]?.style, 'keys');
      }),
    );
  });

  it('sorts by each key and filters by name', () => {
    const model = fleet([
      { name: 'app-b', devices: 5, online: 1, pending: 3, published: 10 },
      { name: 'app-a', devices: 9, online: 4, pending: 0, published: 2 },
      { name: 'app-c', devices: 1, online: 0, pending: 1, published: 40 },
    ]);
    const order = Object.fromEntries(SORT_KEYS.map((sort) => [sort, appNames(render(model, ui({ sort }), 120, 40)).join(' ')]));
    assert.deepEqual(order, { name: 'app-a app-b app-c', online: 'app-a app-b app-c', pending: 'app-b app-c app-a', devices: 'app-a app-b app-c', rate: 'app-c app-b app-a' });
    assert.deepEqual(appNames(render(model, ui({ filter: 'B' }), 120, 40)), ['app-b']);
  });

  it('turns published totals into messages a second and counts offline devices', () => {
    const model = fleet([{ name: 'app-a', devices: 9, online: 4, pending: 2, published: 10 }]);
    const row = model.apps[0];
    assert.equal(row?.publishRate, 5, '10 messages over the 2 s between snapshot and counters');
    assert.equal(row?.offline, 5);
  });
});
