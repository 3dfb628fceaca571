// The device service in this process with no socket: a real SQLite store, a clock the test moves,
// and signed calls made from their parts (PROTOCOL §2), as any transport would hand them over.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { sha256Hex, signRequest, type Grant, type Policy } from '../../src/protocol/index.js';
import { DeviceService, type DeviceContext, type SignedCall } from '../../src/server/device-service/index.js';
import { resolveOptions, type ServerOptions } from '../../src/server/options.js';
import { createServices, type Services } from '../../src/server/services.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { AppRecord, StoredMessage } from '../../src/store/types.js';
import { removeDir } from './server-process.js';

export const EVERYTHING: Grant[] = [
  { action: 'publish', scope: '*', stream: '*' },
  { action: 'subscribe', scope: '*', stream: '*' },
];

export interface CallParts {
  method?: string;
  target?: string;
  body?: string;
  /** Seconds added to the call's signed time (the server's clock stays). */
  skew?: number;
  nonce?: string;
  /** Sign with this secret instead of the app's. */
  secret?: string;
  address?: string;
}

export class ServiceHarness {
  readonly devices: DeviceService;
  readonly services: Services;
  private nowMs: number;
  private nonces = 0;

  private constructor(
    readonly store: SqliteStore,
    options: Partial<ServerOptions>,
    private readonly dir: string,
    startTime: number,
  ) {
    this.nowMs = startTime * 1000;
    const resolved = resolveOptions({ deviceRatePerSecond: 0, ...options });
    // Caches, rate limits and quotas follow the same clock: they move only when the test moves it.
    this.services = createServices(store, resolved, () => this.now(), pino({ level: 'silent' }), () => this.nowMs);
    this.devices = new DeviceService(this.services);
  }

  static async start(options: Partial<ServerOptions> = {}, startTime = 1_800_000_000): Promise<ServiceHarness> {
    const dir = mkdtempSync(join(tmpdir(), 'stratus-service-'));
    return new ServiceHarness(new SqliteStore({ path: join(dir, 'stratus.db') }), options, dir, startTime);
  }

  now(): number {
    return Math.floor(this.nowMs / 1000);
  }

  advance(seconds: number): void {
    this.nowMs += seconds * 1000;
  }

  createApp(name: string, secret: string, policy: Policy = 'open', defaultGrants: Grant[] = EVERYTHING): Promise<AppRecord> {
    return this.store.insertApp({ name, policy, defaultTtlSeconds: 3600, maxTtlSeconds: 86_400, defaultGrants }, secret, this.now());
  }

  /** A signed call from its parts, signed now unless `skew` moves its time. */
  call(app: string, secret: string, device: string, parts: CallParts = {}): SignedCall {
    const method = parts.method ?? 'POST';
    const target = parts.target ?? '/v1/sync';
    const body = parts.body ?? '';
    const time = this.now() + (parts.skew ?? 0);
    const nonce = parts.nonce ?? `n${++this.nonces}`;
    const signature = signRequest(parts.secret ?? secret, { method, target, app, device, time, nonce, bodySha256: sha256Hex(body) });
    return { method, target, app, device, time: String(time), nonce, signature, body, address: parts.address ?? '10.0.0.1', now: this.devices.now() };
  }

  /** Authenticates a fresh call and returns its context, or throws the refusal. */
  async as(app: string, secret: string, device: string, parts: CallParts = {}): Promise<DeviceContext> {
    const auth = await this.devices.authenticate(this.call(app, secret, device, parts));
    if (!auth.ok) throw auth.error;
    return auth.context;
  }

  /** An admin's change to a device, as the admin API makes it (the caches told). */
  async updateDevice(app: AppRecord, guid: string, patch: { status?: 'approved' | 'denied'; grants?: Grant[] | null }): Promise<void> {
    const device =
      (await this.store.getDevice(app.id, guid)) ?? (await this.store.insertDevice({ appId: app.id, guid, status: 'approved', now: this.now(), address: null }));
    await this.store.updateDevice(device.id, patch);
    await this.services.cluster.deviceChanged(app.id, guid);
  }

  async setConfig(app: AppRecord, set: Record<string, string>): Promise<void> {
    await this.store.changeConfig({ appId: app.id, deviceId: null, set, unset: [], now: this.now(), actor: 'test' });
    await this.services.cluster.configChanged(app.id);
  }

  /** What the server recorded in `$stratus/<stream>`, parsed. */
  async systemEvents(app: AppRecord, stream: 'access' | 'rejections' | 'presence'): Promise<Record<string, unknown>[]> {
    const rows: StoredMessage[] = await this.store.readMessages({ appId: app.id, scope: '$stratus', owner: '', stream }, 0, 1000, this.now());
    return rows.map((m) => JSON.parse(m.value) as Record<string, unknown>);
  }

  async close(): Promise<void> {
    await this.services.presence.stop();
    await this.store.close();
    removeDir(this.dir);
  }
}
