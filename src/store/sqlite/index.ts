import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type {
  DeviceCounts,
  ActiveSecret,
  CacheChange,
  ClusterListener,
  NodeBeat,
  NodeRecord,
  AppPatch,
  AppRecord,
  CheckIn,
  ConfigChange,
  ConfigEntry,
  ConfigHistoryEntry,
  DeviceFilter,
  DevicePatch,
  DeviceRecord,
  InsertedDevice,
  NewApp,
  NewDevice,
  PresetChange,
  PresetEntry,
  Store,
  StoreStats,
  StoreSyncInput,
  StoreSyncResult,
  StoredMessage,
  StreamInfo,
  StreamRef,
} from '../types.js';
import { StorageHealth } from '../storage-errors.js';
import { migrateSqlite, openSqlite, preparePrivateFile } from './connection.js';
import { SqliteReads } from './reads.js';
import { WriterClient } from './writer-client.js';
import { packCheckIns } from './writer-protocol.js';

export interface SqliteStoreOptions {
  /** The database file; created with its directory when missing. */
  path: string;
  /** A cap on the file's size (0: none); writes past it are refused as on a full disk. */
  maxBytes?: number;
}

/**
 * The embedded default store: one SQLite file in WAL mode. Reads run on the server's thread; every
 * write runs on a writer thread in group-commit transactions with an fsync per commit, so the event
 * loop keeps serving while the disk works.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly reads: SqliteReads;
  private readonly writer: WriterClient;
  private readonly health = new StorageHealth();
  /** Set when the data directory lets other users in; the server logs it at start. */
  readonly permissionWarning: string | null;

  constructor(options: SqliteStoreOptions) {
    this.permissionWarning = preparePrivateFile(options.path);
    this.db = openSqlite(options.path);
    migrateSqlite(this.db);
    this.reads = new SqliteReads(this.db);
    this.writer = new WriterClient(options.path, options.maxBytes ?? 0, this.health);
  }

  get writePath(): WriterClient {
    return this.writer;
  }

  async close(): Promise<void> {
    await this.writer.close();
    this.db.close();
  }

  insertAdminToken(tokenSha256: string, label: string, now: number): Promise<void> {
    return this.writer.call('insertAdminToken', tokenSha256, label, now);
  }

  async hasAdminToken(tokenSha256: string): Promise<boolean> {
    return this.reads.hasAdminToken(tokenSha256);
  }

  async countAdminTokens(): Promise<number> {
    return this.reads.countAdminTokens();
  }

  insertApp(input: NewApp, firstSecret: string, now: number): Promise<AppRecord> {
    return this.writer.call('insertApp', input, firstSecret, now);
  }

  async getApp(name: string): Promise<AppRecord | null> {
    return this.reads.getApp(name);
  }

  async listApps(): Promise<AppRecord[]> {
    return this.reads.listApps();
  }

  updateApp(appId: number, patch: AppPatch): Promise<AppRecord> {
    return this.writer.call('updateApp', appId, patch);
  }

  rotateSecret(appId: number, secret: string, now: number, othersExpireAt: number): Promise<void> {
    return this.writer.call('rotateSecret', appId, secret, now, othersExpireAt);
  }

  async activeSecrets(appId: number, now: number): Promise<ActiveSecret[]> {
    return this.reads.activeSecrets(appId, now);
  }

  async getDevice(appId: number, guid: string): Promise<DeviceRecord | null> {
    return this.reads.getDevice(appId, guid);
  }

  async getDeviceById(deviceId: number): Promise<DeviceRecord | null> {
    return this.reads.getDeviceById(deviceId);
  }

  insertDevice(device: NewDevice): Promise<InsertedDevice> {
    return this.writer.call('insertDevice', device);
  }

  updateDevice(deviceId: number, patch: DevicePatch): Promise<DeviceRecord | null> {
    return this.writer.call('updateDevice', deviceId, patch);
  }

  deleteDevice(deviceId: number): Promise<boolean> {
    return this.writer.call('deleteDevice', deviceId);
  }

  async listDevices(appId: number, filter: DeviceFilter): Promise<DeviceRecord[]> {
    return this.reads.listDevices(appId, filter);
  }

  async streamExists(ref: StreamRef): Promise<boolean> {
    return this.reads.streamExists(ref);
  }

  async streamCount(appId: number): Promise<number> {
    return this.reads.streamCount(appId);
  }

  async cursorExists(deviceId: number, ref: StreamRef): Promise<boolean> {
    return this.reads.cursorExists(deviceId, ref);
  }

  async cursorCount(deviceId: number): Promise<number> {
    return this.reads.cursorCount(deviceId);
  }

  async deviceCounts(appId: number): Promise<DeviceCounts> {
    return this.reads.deviceCounts(appId);
  }

  async writePresence(checkIns: readonly CheckIn[]): Promise<void> {
    if (checkIns.length > 0) await this.writer.call('writePresence', packCheckIns(checkIns));
  }

  async configEntries(appId: number): Promise<ConfigEntry[]> {
    return this.reads.configEntries(appId);
  }

  changeConfig(change: ConfigChange): Promise<void> {
    return this.writer.call('changeConfig', change);
  }

  async presetConfig(appId: number, guid: string): Promise<PresetEntry[]> {
    return this.reads.presetConfig(appId, guid);
  }

  changePresetConfig(change: PresetChange): Promise<boolean> {
    return this.writer.call('changePresetConfig', change);
  }

  async configHistory(appId: number, deviceId: number | null, limit: number): Promise<ConfigHistoryEntry[]> {
    return this.reads.configHistory(appId, deviceId, limit);
  }

  /** Writes on the writer thread, then the pages from the cursors it stored, read here. */
  async sync(input: StoreSyncInput): Promise<StoreSyncResult> {
    const written = await this.writer.call('sync', input);
    return {
      published: written.published,
      subscriptions: written.cursors.map((c, i) => {
        const messages = this.reads.page(c.streamId, c.cursor, input.now, input.subscribe[i]?.pageSize ?? 0);
        // messages committed since the cursor was stored may be on the page: the head covers them
        return { cursor: c.cursor, head: Math.max(c.head, messages.at(-1)?.seq ?? 0), messages };
      }),
    };
  }

  async listStreams(appId: number, scope: string | null): Promise<StreamInfo[]> {
    return this.reads.listStreams(appId, scope);
  }

  async readMessages(ref: StreamRef, after: number, limit: number, now: number): Promise<StoredMessage[]> {
    return this.reads.readMessages(ref, after, limit, now);
  }

  deleteMessages(ref: StreamRef, seq: number | null): Promise<number> {
    return this.writer.call('deleteMessages', ref, seq);
  }

  sweepExpired(now: number, max: number): Promise<number> {
    return this.writer.call('sweepExpired', now, max);
  }

  sweepStreams(max: number): Promise<number> {
    return this.writer.call('sweepStreams', max);
  }

  readonly nodeId = randomUUID();
  private beat: NodeRecord | null = null;

  /** Cheap and truthful: the writer thread is alive, no write ran out of room lately, a read answers. */
  async ping(): Promise<void> {
    const problem = this.writer.problem ?? this.health.problem(Date.now());
    if (problem) throw new Error(problem);
    this.db.prepare('SELECT 1').get();
  }

  /** One node per SQLite file: the registry is this process's own entry. */
  async heartbeat(beat: NodeBeat): Promise<void> {
    this.beat = { id: this.nodeId, address: beat.address, startedAt: beat.startedAt, lastHeard: beat.now };
  }

  async listNodes(): Promise<NodeRecord[]> {
    return this.beat ? [{ ...this.beat }] : [];
  }

  async announce(_change: CacheChange): Promise<void> {}

  async watch(_listener: ClusterListener): Promise<() => Promise<void>> {
    return async () => {};
  }

  async stats(): Promise<StoreStats> {
    return this.reads.stats();
  }
}
