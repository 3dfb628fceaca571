// Puts the gateway together: store, intake, link monitor, file sender, downstream, uplink.
import type { Server } from 'node:net';
import { join } from 'node:path';
import type { EdgeConfig } from './config.js';
import { DownstreamDelivery } from './downstream.js';
import { FileSender } from './files.js';
import { Committer } from './intake/committer.js';
import { openHttp } from './intake/http.js';
import { openTcp, openUnix } from './intake/sockets.js';
import { LinkMonitor } from './link.js';
import { Logger } from './log.js';
import { sendablePriorities } from './policy.js';
import { buildStatus, type EdgeStatus } from './status.js';
import { EdgeStore } from './store.js';
import { Uplink } from './uplink.js';

export interface Addresses {
  http: string | null;
  tcp: string[];
  unix: string[];
}

export class Gateway {
  readonly store: EdgeStore;
  readonly log: Logger;
  readonly link: LinkMonitor;
  readonly files: FileSender;
  readonly downstream: DownstreamDelivery;
  readonly uplink: Uplink;
  readonly committer: Committer;
  private readonly servers: { close(): unknown }[] = [];

  constructor(
    readonly config: EdgeConfig,
    private readonly nowMs: () => number = Date.now,
    log?: Logger,
  ) {
    this.log = log ?? new Logger(config.logLevel);
    this.store = new EdgeStore(join(config.dataDir, 'edge.db'), structuredClone(config.store), config.device, nowMs);
    this.link = new LinkMonitor(config.link);
    this.files = new FileSender(this.store, config.folders, this.log, () => this.uplink.kick(), nowMs);
    this.downstream = new DownstreamDelivery(config.downstream, this.store, this.log);
    this.uplink = new Uplink(config, this.store, this.files, this.downstream, this.link, this.log, nowMs);
    this.committer = new Committer(this.store, this.log, () => this.uplink.kick());
    this.link.on('change', (next: string, previous: string) => {
      this.log.info('link', { class: next, previous, detail: this.link.detail });
      this.uplink.kick();
    });
  }

  async start(): Promise<Addresses> {
    const addresses: Addresses = { http: null, tcp: [], unix: [] };
    await this.link.start();
    await this.downstream.open();
    this.servers.push(this.downstream);
    for (const t of this.config.tcp) {
      const l = await openTcp(t, this.committer, this.log);
      this.servers.push(l.server as Server);
      addresses.tcp.push(l.address);
    }
    for (const u of this.config.unix) {
      const l = await openUnix(u, this.committer, this.log);
      this.servers.push(l.server);
      addresses.unix.push(l.address);
    }
    if (this.config.http) {
      const h = await openHttp(this.config.http, this.committer, this.downstream, () => this.status());
      this.servers.push(h.server);
      addresses.http = h.address;
    }
    this.files.start();
    this.uplink.start();
    this.log.info('started', { ...addresses, device: this.config.device, upstream: this.config.upstream, link: this.link.current });
    return addresses;
  }

  status(): EdgeStatus {
    const f = this.uplink.figures;
    return buildStatus(
      this.store,
      {
        device: this.config.device,
        upstream: this.config.upstream,
        link: { class: this.link.current, detail: this.link.detail },
        sendable: sendablePriorities(this.uplink.policy, this.link.current, new Date(this.nowMs())),
        lastContactMs: f.lastContactMs,
        lastError: f.lastError,
        policy: this.uplink.policy,
        counters: { stored: this.committer.stored, sent: f.sent, rejected: f.rejected, failures: f.failures, filesSent: this.files.sent, delivered: this.downstream.delivered },
      },
      this.nowMs(),
    );
  }

  async stop(): Promise<void> {
    for (const s of this.servers) s.close();
    this.files.stop();
    this.link.stop();
    await this.uplink.stop();
    this.store.close();
  }
}
