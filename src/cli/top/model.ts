import type { StreamEvent } from './feed.js';

export interface AppRow {
  name: string;
  policy: string;
  devices: number;
  online: number;
  offline: number;
  pending: number;
  published: number;
  delivered: number;
  /** Messages a second over the last interval; null until two counters events came. */
  publishRate: number | null;
  deliveryRate: number | null;
}

export interface PendingDevice {
  app: string;
  device: string;
  address: string | null;
  firstSeen: number;
}

export interface BusyStream {
  app: string;
  scope: string;
  owner: string;
  stream: string;
  messages: number;
}

export interface NodeRow {
  id: string;
  address: string;
  startedAt: number;
  lastHeard: number;
  alive: boolean;
  self: boolean;
}

/** Something that just happened to a device: it came online, went offline, asked for access… */
export interface FleetChange {
  time: number;
  app: string;
  device: string;
  what: 'online' | 'offline' | 'asked for access' | 'rejected' | 'approved' | 'denied';
  detail: string;
}

interface Figures {
  time: number;
  node: string;
  apps: Omit<AppRow, 'offline' | 'publishRate' | 'deliveryRate'>[];
  pendingListed: string[];
  pending: PendingDevice[];
  streams: BusyStream[];
  nodes: NodeRow[];
}

const RECENT_KEPT = 200;
/** The busiest streams are summed over this many counters events (10 s at the default interval). */
export const BUSY_WINDOW = 10;

/** The fleet as `stratus top` shows it, kept up to date from the admin event stream. */
export class FleetModel {
  apps: AppRow[] = [];
  pending: PendingDevice[] = [];
  streams: BusyStream[] = [];
  nodes: NodeRow[] = [];
  recent: FleetChange[] = [];
  node = '';
  time = 0;
  /** Whether a snapshot came: the view has something to show. */
  ready = false;
  private lastCountersAtMs = 0;
  /** The streams' messages in each of the last BUSY_WINDOW intervals. */
  private readonly busyWindow: BusyStream[][] = [];

  apply(e: StreamEvent, nowMs: number): void {
    const d = e.data as Record<string, unknown>;
    if (e.event === 'snapshot' || e.event === 'counters') this.figures(d as unknown as Figures, e.event === 'snapshot', nowMs);
    else if (e.event === 'presence') this.change(d, d.online ? 'online' : 'offline', d.online ? String(d.address ?? '') : '');
    else if (e.event === 'access') {
      this.change(d, 'asked for access', String(d.address ?? ''));
      const device = { app: String(d.app), device: String(d.device), address: (d.address as string | null) ?? null, firstSeen: Number(d.time) };
      if (!this.pending.some((p) => p.app === device.app && p.device === device.device)) this.pending.push(device);
    } else if (e.event === 'rejection') this.change(d, 'rejected', String(d.code ?? ''));
  }

  /** After this client approved or denied a device. */
  decided(app: string, device: string, what: 'approved' | 'denied', nowMs: number): void {
    this.pending = this.pending.filter((p) => !(p.app === app && p.device === device));
    this.recent.unshift({ time: Math.floor(nowMs / 1000), app, device, what, detail: 'by you' });
  }

  private change(d: Record<string, unknown>, what: FleetChange['what'], detail: string): void {
    this.recent.unshift({ time: Number(d.time), app: String(d.app), device: String(d.device), what, detail });
    if (this.recent.length > RECENT_KEPT) this.recent.length = RECENT_KEPT;
  }

  private figures(f: Figures, snapshot: boolean, nowMs: number): void {
    const seconds = (nowMs - this.lastCountersAtMs) / 1000;
    const before = new Map(this.apps.map((a) => [a.name, a]));
    this.apps = f.apps.map((a) => {
      const prev = before.get(a.name);
      const rate = (now: number, then: number | undefined) => (snapshot || then === undefined || seconds <= 0 ? null : Math.max(0, now - then) / seconds);
      return {
        ...a,
        offline: Math.max(0, a.devices - a.online),
        publishRate: rate(a.published, prev?.published),
        deliveryRate: rate(a.delivered, prev?.delivered),
      };
    });
    this.lastCountersAtMs = nowMs;
    const listed = new Set(f.pendingListed);
    this.pending = [...this.pending.filter((p) => !listed.has(p.app)), ...f.pending];
    this.busyWindow.push(f.streams);
    if (this.busyWindow.length > BUSY_WINDOW) this.busyWindow.shift();
    this.streams = sumStreams(this.busyWindow);
    this.nodes = f.nodes;
    this.node = f.node;
    this.time = f.time;
    this.ready = true;
  }
}

function sumStreams(intervals: readonly BusyStream[][]): BusyStream[] {
  const sums = new Map<string, BusyStream>();
  for (const s of intervals.flat()) {
    const key = `${s.app}\u0000${s.scope}\u0000${s.owner}\u0000${s.stream}`;
    const sum = sums.get(key);
    if (sum) sum.messages += s.messages;
    else sums.set(key, { ...s });
  }
  return [...sums.values()].sort((a, b) => b.messages - a.messages);
}
