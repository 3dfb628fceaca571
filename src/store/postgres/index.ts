import { randomUUID } from 'node:crypto';
import type pg from 'pg';
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
  PresetChange,
  PresetEntry,
  NewApp,
  NewDevice,
  Store,
  StoreStats,
  StoreSyncInput,
  StoreSyncResult,
  StoredMessage,
  StreamInfo,
  StreamRef,
} from '../types.js';
import { PostgresCluster } from './cluster.js';
import { clientConfig, createPool, storageHealthOf, type PostgresStoreOptions } from './connection.js';
import { migratePostgres } from './migrate.js';
import { PostgresReads } from './reads.js';
import { PostgresSync } from './sync.js';
import { PostgresWrites } from './writes.js';

export type { PostgresStoreOptions } from './connection.js';

/**
 * The store for several Stratus nodes side by side: one PostgreSQL database, a pool of connections
 * per node. Every method is one statement or one transaction; a resolved write is committed, and on
 * disk with the server's default `synchronous_commit = on`.
 *
 * @example
 * const store = await PostgresStore.open({ url: 'postgres://stratus@db.example/stratus' });
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly reads: PostgresReads;
  private readonly writes: PostgresWrites;
  private readonly messaging: PostgresSync;
  private readonly cluster: PostgresCluster;
  readonly nodeId = randomUUID();

  private constructor(
    private readonly pool: pg.Pool,
    options: PostgresStoreOptions,
  ) {
    this.cluster = new PostgresCluster(pool, clientConfig(options), `stratus_${options.schema ?? 'changes'}`, this.nodeId);
    this.reads = new PostgresReads(pool);
    this.writes = new PostgresWrites(pool);
    this.messaging = new PostgresSync(pool, this.cluster);
  }

  /** Connects and migrates (refusing a schema from a newer Stratus). */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = createPool(options);
    try {
      await migratePostgres(pool, options.schema ?? null);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStore(pool, options);
  }

  /** Waits for the queries running, then closes the connections. */
  async close(): Promise<void> {
    await this.pool.end();
  }

  insertAdminToken(tokenSha256: string, label: string, now: number): Promise<void> {
    return this.writes.insertAdminToken(tokenSha256, label, now);
  }

  hasAdminToken(tokenSha256: string): Promise<boolean> {
    return this.reads.hasAdminToken(tokenSha256);
  }

  countAdminTokens(): Promise<number> {
    return this.reads.countAdminTokens();
  }

  insertApp(input: NewApp, firstSecret: string, now: number): Promise<AppRecord> {
    return this.writes.insertApp(input, firstSecret, now);
  }

  getApp(name: string): Promise<AppRecord | null> {
    return this.reads.getApp(name);
  }

  listApps(): Promise<AppRecord[]> {
    return this.reads.listApps();
  }

  updateApp(appId: number, patch: AppPatch): Promise<AppRecord> {
    return this.writes.updateApp(appId, patch);
  }

  rotateSecret(appId: number, secret: string, now: number, othersExpireAt: number): Promise<void> {
    return this.writes.rotateSecret(appId, secret, now, othersExpireAt);
  }

  activeSecrets(appId: number, now: number): Promise<ActiveSecret[]> {
    return this.reads.activeSecrets(appId, now);
  }

  getDevice(appId: number, guid: string): Promise<DeviceRecord | null> {
    return this.reads.getDevice(appId, guid);
  }

  getDeviceById(deviceId: number): Promise<DeviceRecord | null> {
    return this.reads.getDeviceById(deviceId);
  }

  insertDevice(device: NewDevice): Promise<InsertedDevice> {
    return this.writes.insertDevice(device);
  }

  updateDevice(deviceId: number, patch: DevicePatch): Promise<DeviceRecord | null> {
    return this.writes.updateDevice(deviceId, patch);
  }

  deleteDevice(deviceId: number): Promise<boolean> {
    return this.writes.deleteDevice(deviceId);
  }

  listDevices(appId: number, filter: DeviceFilter): Promise<DeviceRecord[]> {
    return this.reads.listDevices(appId, filter);
  }

  streamExists(ref: StreamRef): Promise<boolean> {
    return this.reads.streamExists(ref);
  }

  streamCount(appId: number): Promise<number> {
    return this.reads.streamCount(appId);
  }

  cursorExists(deviceId: number, ref: StreamRef): Promise<boolean> {
    return this.reads.cursorExists(deviceId, ref);
  }

  cursorCount(deviceId: number): Promise<number> {
    return this.reads.cursorCount(deviceId);
  }

  deviceCounts(appId: number): Promise<DeviceCounts> {
    return this.reads.deviceCounts(appId);
  }

  writePresence(checkIns: readonly CheckIn[]): Promise<void> {
    return this.writes.writePresence(checkIns);
  }

  configEntries(appId: number): Promise<ConfigEntry[]> {
    return this.reads.configEntries(appId);
  }

  changeConfig(change: ConfigChange): Promise<void> {
    return this.writes.changeConfig(change);
  }

  presetConfig(appId: number, guid: string): Promise<PresetEntry[]> {
    return this.reads.presetConfig(appId, guid);
  }

  changePresetConfig(change: PresetChange): Promise<boolean> {
    return this.writes.changePresetConfig(change);
  }

  configHistory(appId: number, deviceId: number | null, limit: number): Promise<ConfigHistoryEntry[]> {
    return this.reads.configHistory(appId, deviceId, limit);
  }

  sync(input: StoreSyncInput): Promise<StoreSyncResult> {
    return this.messaging.sync(input);
  }

  listStreams(appId: number, scope: string | null): Promise<StreamInfo[]> {
    return this.reads.listStreams(appId, scope);
  }

  readMessages(ref: StreamRef, after: number, limit: number, now: number): Promise<StoredMessage[]> {
    return this.reads.readMessages(ref, after, limit, now);
  }

  deleteMessages(ref: StreamRef, seq: number | null): Promise<number> {
    return this.writes.deleteMessages(ref, seq);
  }

  sweepExpired(now: number, max: number): Promise<number> {
    return this.writes.sweepExpired(now, max);
  }

  sweepStreams(max: number): Promise<number> {
    return this.writes.sweepStreams(max);
  }

  stats(): Promise<StoreStats> {
    return this.reads.stats();
  }

  /** Truthful: the database answers, and no write ran out of room lately (a full disk keeps SELECT 1 working). */
  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
    const problem = storageHealthOf(this.pool).problem(Date.now());
    if (problem) throw new Error(problem);
  }

  heartbeat(beat: NodeBeat): Promise<void> {
    return this.cluster.heartbeat(beat);
  }

  listNodes(): Promise<NodeRecord[]> {
    return this.cluster.listNodes();
  }

  announce(change: CacheChange): Promise<void> {
    return this.cluster.announce(change);
  }

  watch(listener: ClusterListener): Promise<() => Promise<void>> {
    return this.cluster.watch(listener);
  }
}
