import { BUSY_WINDOW, type AppRow, type FleetModel } from './model.js';

export type Style = 'title' | 'heading' | 'columns' | 'text' | 'dim' | 'selected' | 'good' | 'bad' | 'keys';

export interface Line {
  text: string;
  style: Style;
}

export const SORT_KEYS = ['name', 'online', 'pending', 'devices', 'rate'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** What the person at the keyboard chose: sort, filter, the selected pending device, a message. */
export interface ViewState {
  server: string;
  intervalMs: number;
  sort: SortKey;
  filter: string;
  /** Typing a filter after `/`. */
  editingFilter: boolean;
  selected: number;
  status: string;
  message: string;
}

const clock = (unix: number): string => (unix > 0 ? new Date(unix * 1000).toISOString().slice(11, 19) : '--:--:--');
const rate = (r: number | null): string => (r === null ? '-' : r >= 100 ? r.toFixed(0) : r.toFixed(1));

/** Columns padded to their widths and cut to the screen; the last column takes what is left. */
function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.slice(0, (widths[i] as number) - 1).padEnd(widths[i] as number))).join('');
}

function matches(filter: string, ...texts: string[]): boolean {
  const f = filter.toLowerCase();
  return f === '' || texts.some((t) => t.toLowerCase().includes(f));
}

function compare(sort: SortKey): (a: AppRow, b: AppRow) => number {
  if (sort === 'name') return (a, b) => a.name.localeCompare(b.name);
  const value = (r: AppRow): number => (sort === 'rate' ? (r.publishRate ?? 0) : r[sort]);
  return (a, b) => value(b) - value(a) || a.name.localeCompare(b.name);
}

/** The pending devices the filter lets through, in the order shown (the selection indexes these). */
export function visiblePending(model: FleetModel, filter: string) {
  return model.pending.filter((p) => matches(filter, p.app, p.device));
}

/** The screen as lines of text, for a terminal of `width` × `height`. */
export function render(model: FleetModel, ui: ViewState, width: number, height: number): Line[] {
  const out: Line[] = [];
  const add = (text: string, style: Style = 'text') => out.push({ text: text.slice(0, width), style });
  const filterText = ui.editingFilter ? `/${ui.filter}_` : ui.filter || '-';
  add(`stratus top  ${ui.server}  ${clock(model.time)}  sort: ${ui.sort}  filter: ${filterText}  ${ui.status}`, 'title');
  if (!model.ready) {
    add('waiting for the first snapshot…', 'dim');
    return fit(out, [], height, width);
  }

  const apps = model.apps.filter((a) => matches(ui.filter, a.name, a.policy)).sort(compare(ui.sort));
  const appWidths = [18, 10, 9, 8, 9, 9, 9];
  const body: Line[][] = [];
  body.push([
    { text: `APPS (${apps.length})`, style: 'heading' },
    { text: row(['APP', 'POLICY', 'DEVICES', 'ONLINE', 'OFFLINE', 'PENDING', 'PUB/S', 'DELIV/S'], appWidths), style: 'columns' },
    ...apps.map((a) => ({
      text: row([a.name, a.policy, String(a.devices), String(a.online), String(a.offline), String(a.pending), rate(a.publishRate), rate(a.deliveryRate)], appWidths),
      style: 'text' as Style,
    })),
  ]);

  const pending = visiblePending(model, ui.filter);
  body.push([
    { text: `PENDING (${pending.length})  a approve · d deny · ↑↓ select`, style: 'heading' },
    ...(pending.length === 0 ? [{ text: '  none', style: 'dim' as Style }] : []),
    ...pending.map((p, i) => ({
      text: `${i === ui.selected ? '>' : ' '} ${row([p.app, p.device, p.address ?? '-', clock(p.firstSeen)], [18, 28, 18, 10])}`,
      style: (i === ui.selected ? 'selected' : 'text') as Style,
    })),
  ]);

  const streams = model.streams.filter((s) => matches(ui.filter, s.app, s.scope, s.stream));
  body.push([
    { text: `BUSIEST STREAMS (messages in the last ${(BUSY_WINDOW * ui.intervalMs) / 1000} s)`, style: 'heading' },
    ...(streams.length === 0 ? [{ text: '  no messages', style: 'dim' as Style }] : []),
    ...streams.map((s) => ({ text: `  ${row([s.app, `${s.scope}/${s.owner ? `${s.owner}/` : ''}${s.stream}`, `${s.messages} msg`], [18, 40, 10])}`, style: 'text' as Style })),
  ]);

  const recent = model.recent.filter((c) => matches(ui.filter, c.app, c.device, c.what));
  body.push([
    { text: 'RECENT (devices online, offline, asking for access)', style: 'heading' },
    ...(recent.length === 0 ? [{ text: '  nothing yet', style: 'dim' as Style }] : []),
    ...recent.map((c) => ({
      text: `  ${row([clock(c.time), c.app, c.device, c.what, c.detail], [10, 18, 28, 18, 16])}`,
      style: (c.what === 'online' || c.what === 'approved' ? 'good' : c.what === 'offline' || c.what === 'rejected' || c.what === 'denied' ? 'bad' : 'text') as Style,
    })),
  ]);

  body.push([
    { text: `NODES (${model.nodes.length})`, style: 'heading' },
    ...model.nodes.map((n) => ({
      text: `  ${row([n.self ? `${n.id.slice(0, 8)} (this)` : n.id.slice(0, 8), n.address, n.alive ? 'alive' : 'GONE', `heard ${clock(n.lastHeard)}`], [16, 28, 8, 16])}`,
      style: (n.alive ? 'good' : 'bad') as Style,
    })),
  ]);

  const footer: Line[] = [];
  if (ui.message) footer.push({ text: ui.message, style: 'dim' });
  footer.push({ text: 'q quit · s sort · / filter (Esc clears) · a approve · d deny · ↑↓ select', style: 'keys' });
  return fit(out, body, height, width, footer);
}

/**
 * Fits the sections into the height: each gets its heading and at least a few rows, the rest of the
 * room goes to them in order; what does not fit is cut with a `… n more` line.
 */
function fit(head: Line[], sections: Line[][], height: number, width: number, footer: Line[] = []): Line[] {
  let room = Math.max(0, height - head.length - footer.length);
  const minimum = sections.map((s) => Math.min(s.length, 3));
  const shown = [...minimum];
  room -= minimum.reduce((a, b) => a + b, 0);
  for (let i = 0; i < sections.length && room > 0; i++) {
    const extra = Math.min(room, (sections[i] as Line[]).length - (shown[i] as number));
    shown[i] = (shown[i] as number) + extra;
    room -= extra;
  }
  const lines = [...head];
  sections.forEach((s, i) => {
    const n = shown[i] as number;
    if (n >= s.length) lines.push(...s);
    else if (n > 0) lines.push(...s.slice(0, n - 1), { text: `  … ${s.length - n + 1} more`, style: 'dim' });
  });
  const body = lines.slice(0, Math.max(0, height - footer.length));
  while (body.length < height - footer.length) body.push({ text: '', style: 'text' });
  return [...body, ...footer].slice(0, height).map((l) => ({ text: l.text.slice(0, width), style: l.style }));
}
