import { SYSTEM_SCOPE, SYSTEM_STREAMS } from '../../protocol/index.js';
import type { AppRecord, NewMessage } from '../../store/types.js';
import { nodeViews } from '../routes/admin/nodes.js';
import type { Services } from '../services.js';

/** One event of the admin event stream (`GET /v1/admin/events`, docs/top.md). */
export interface FeedEvent {
  event: 'snapshot' | 'counters' | 'presence' | 'access' | 'rejection';
  data: unknown;
}

const BUSIEST_STREAMS = 10;
const PENDING_LISTED = 100;

interface AppFigures {
  name: string;
  policy: string;
  devices: number;
  pending: number;
  online: number;
  published: number;
  delivered: number;
}

/**
 * What one admin event stream sends: a snapshot of the fleet on connect, a `counters` event every
 * interval (per app: devices, pending, online on this node, messages published and delivered so
 * far; the streams busiest since the last one; the nodes and their health), and each presence
 * change, access request and rejection as it is recorded (`$stratus`, so the other nodes' too).
 * The pending devices are listed again only when an app's pending count changed.
 */
export class FleetFeed {
  private apps = new Map<number, AppRecord>();
  private readonly lastStreamCounts = new Map<string, number>();
  private readonly lastPending = new Map<number, number>();

  constructor(private readonly services: Services) {}

  async snapshot(): Promise<FeedEvent> {
    return { event: 'snapshot', data: await this.figures(true) };
  }

  async counters(): Promise<FeedEvent> {
    return { event: 'counters', data: await this.figures(false) };
  }

  /** A `$stratus` record as an event, or null for other messages. */
  async recorded(message: NewMessage): Promise<FeedEvent | null> {
    if (message.scope !== SYSTEM_SCOPE) return null;
    const kind = { [SYSTEM_STREAMS.presence]: 'presence', [SYSTEM_STREAMS.access]: 'access', [SYSTEM_STREAMS.rejections]: 'rejection' }[message.stream];
    if (kind === undefined) return null;
    if (!this.apps.has(message.appId)) await this.loadApps();
    const app = this.apps.get(message.appId)?.name ?? String(message.appId);
    return { event: kind as FeedEvent['event'], data: { app, ...(JSON.parse(message.value) as object) } };
  }

  private async loadApps(): Promise<void> {
    this.apps = new Map((await this.services.store.listApps()).map((a) => [a.id, a]));
  }

  private async figures(full: boolean) {
    const { services } = this;
    await this.loadApps();
    await services.presence.flushNews();
    const online = services.presence.onlineByApp();
    const apps: AppFigures[] = [];
    const pending: { app: string; device: string; address: string | null; firstSeen: number }[] = [];
    const pendingListed: string[] = [];
    for (const app of this.apps.values()) {
      const counts = await services.store.deviceCounts(app.id);
      const activity = services.activity.apps.get(app.id);
      apps.push({
        name: app.name,
        policy: app.policy,
        devices: counts.total,
        pending: counts.pending,
        online: online.get(app.id) ?? 0,
        published: activity?.published ?? 0,
        delivered: activity?.delivered ?? 0,
      });
      if (full || this.lastPending.get(app.id) !== counts.pending) {
        pendingListed.push(app.name);
        const devices = counts.pending === 0 ? [] : await services.store.listDevices(app.id, { status: 'pending', limit: PENDING_LISTED, offset: 0 });
        for (const d of devices) pending.push({ app: app.name, device: d.guid, address: d.lastAddress, firstSeen: d.firstSeen });
      }
      this.lastPending.set(app.id, counts.pending);
    }
    return {
      time: services.clock(),
      node: services.store.nodeId,
      apps,
      /** Apps whose pending devices are listed in `pending` (all on a snapshot): replace those lists. */
      pendingListed,
      pending,
      streams: this.busiest(),
      nodes: await nodeViews(services),
    };
  }

  /** The streams with the most messages since the last call (on the first, since counting started). */
  private busiest() {
    const moved = [];
    for (const [key, s] of this.services.activity.streams) {
      const delta = s.published - (this.lastStreamCounts.get(key) ?? 0);
      this.lastStreamCounts.set(key, s.published);
      if (delta > 0) moved.push({ app: this.apps.get(s.appId)?.name ?? String(s.appId), scope: s.scope, owner: s.owner, stream: s.stream, messages: delta, total: s.published });
    }
    for (const key of this.lastStreamCounts.keys()) if (!this.services.activity.streams.has(key)) this.lastStreamCounts.delete(key);
    return moved.sort((a, b) => b.messages - a.messages).slice(0, BUSIEST_STREAMS);
  }
}
