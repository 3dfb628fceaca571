import type { DeviceStatus, Grant, Policy } from '../protocol/index.js';

/**
 * The storage contract. The server speaks only to this interface; SQLite and PostgreSQL implement
 * it and both run `contract.suite.ts`. Times are unix seconds. Every method is async so a
 * networked engine fits; implementations may batch writes (group commit) behind the promise, but a
 * resolved write is durable.
 */
/** An app secret with the unix second it expires at (a rotated-out secret), or null. */
export interface ActiveSecret {
  secret: string;
  expiresAt: number | null;
}

/** What a store with a writer thread tells /metrics about its write path. */
export interface WritePathFigures {
  /** Write calls made and not yet answered. */
  readonly queueDepth: number;
  /** Called with each committed transaction's calls and COMMIT (fsync) seconds; null: nobody listens. */
  onCommit: ((figure: { jobs: number; seconds: number }) => void) | null;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** The group-commit writer's figures, for stores that have one (SQLite). */
  readonly writePath?: WritePathFigures;
  close(): Promise<void>;

  insertAdminToken(tokenSha256: string, label: string, now: number): Promise<void>;
  hasAdminToken(tokenSha256: string): Promise<boolean>;
  countAdminTokens(): Promise<number>;

  /** Throws `StratusError('conflict')` when the name is taken. */
  insertApp(input: NewApp, firstSecret: string, now: number): Promise<AppRecord>;
  getApp(name: string): Promise<AppRecord | null>;
  listApps(): Promise<AppRecord[]>;
  updateApp(appId: number, patch: AppPatch): Promise<AppRecord>;
  /** Adds a secret and makes the others expire at `othersExpireAt` (rotation with overlap). */
  rotateSecret(appId: number, secret: string, now: number, othersExpireAt: number): Promise<void>;
  /** Secrets valid at `now`, newest first, with the time each stops being valid (null: never). */
  activeSecrets(appId: number, now: number): Promise<ActiveSecret[]>;

  getDevice(appId: number, guid: string): Promise<DeviceRecord | null>;
  getDeviceById(deviceId: number): Promise<DeviceRecord | null>;
  /**
   * Inserts the device, or returns the one already there (a concurrent first request). A new device
   * takes over the config prepared for its GUID (changePresetConfig) as its overrides, in the same
   * transaction, with those changes in its history.
   */
  insertDevice(input: NewDevice): Promise<InsertedDevice>;
  updateDevice(deviceId: number, patch: DevicePatch): Promise<DeviceRecord | null>;
  /** Deletes the device, its cursors, its config overrides and their history, and its PRIVATE streams. */
  deleteDevice(deviceId: number): Promise<boolean>;
  listDevices(appId: number, filter: DeviceFilter): Promise<DeviceRecord[]>;
  /** How many devices the app has, and how many of them wait for approval (quotas). */
  deviceCounts(appId: number): Promise<DeviceCounts>;
  /** One batched write of check-ins; later entries for the same device win. */
  writePresence(checkIns: readonly CheckIn[]): Promise<void>;

  /** Every config entry of an app, app-wide (`deviceId` null) and per device. */
  configEntries(appId: number): Promise<ConfigEntry[]>;
  /** Sets and unsets keys in one transaction and records the history. */
  changeConfig(change: ConfigChange): Promise<void>;
  configHistory(appId: number, deviceId: number | null, limit: number): Promise<ConfigHistoryEntry[]>;
  /** Config prepared for a GUID that has no device yet, by key. */
  presetConfig(appId: number, guid: string): Promise<PresetEntry[]>;
  /**
   * Sets and unsets keys prepared for a GUID with no device: it is not admitted and counts nowhere
   * (devices, pending, online). When the device exists already, writes nothing and returns false
   * (the caller changes the device's overrides instead).
   */
  changePresetConfig(change: PresetChange): Promise<boolean>;

  /** The messaging part of one device round trip (PROTOCOL §6), atomic and durable when resolved. */
  sync(input: StoreSyncInput): Promise<StoreSyncResult>;
  listStreams(appId: number, scope: string | null): Promise<StreamInfo[]>;
  /** For quotas: whether a stream exists, how many an app has (the server's `$stratus` ones not counted). */
  streamExists(ref: StreamRef): Promise<boolean>;
  streamCount(appId: number): Promise<number>;
  /** For quotas: whether the device follows the stream (has a cursor on it), and on how many it has one. */
  cursorExists(deviceId: number, ref: StreamRef): Promise<boolean>;
  cursorCount(deviceId: number): Promise<number>;
  /** Reads without a cursor (admins): messages after `after`, oldest first, unexpired. */
  readMessages(ref: StreamRef, after: number, limit: number, now: number): Promise<StoredMessage[]>;
  /** Deletes one message (`seq`) or the whole stream's messages; returns how many. Seqs are never reused. */
  deleteMessages(ref: StreamRef, seq: number | null): Promise<number>;
  /** Deletes up to `max` expired messages; the cost follows the number deleted. */
  sweepExpired(now: number, max: number): Promise<number>;
  /**
   * Looks at the next `max` streams (round the table, a window per call) and deletes those that hold
   * no message and that no device follows, system streams excepted; a stream written again later
   * goes on from a seq above any it had. Returns how many it deleted.
   */
  sweepStreams(max: number): Promise<number>;
  /** Counts of rows, for the admin overview and tests. */
  stats(): Promise<StoreStats>;

  // Several nodes on one database (docs/scaling.md). A single-node store keeps these to itself.
  /** This process's id among the nodes, random per start. */
  readonly nodeId: string;
  /** One cheap round trip to the database: throws when it cannot be reached (readiness). */
  ping(): Promise<void>;
  /** Records that this node is alive (and where it listens). */
  heartbeat(beat: NodeBeat): Promise<void>;
  listNodes(): Promise<NodeRecord[]>;
  /** Tells the other nodes that a cached record changed. */
  announce(change: CacheChange): Promise<void>;
  /** Calls back with what other nodes committed; resolves to the function that stops it. */
  watch(listener: ClusterListener): Promise<() => Promise<void>>;
}

export interface NodeBeat {
  address: string;
  startedAt: number;
  now: number;
}

export interface NodeRecord extends Omit<NodeBeat, 'now'> {
  id: string;
  lastHeard: number;
}

/** A change to what nodes cache: an app (and its secrets), a device, an app's config. */
export type CacheChange = { kind: 'app'; name: string } | { kind: 'device'; appId: number; guid: string } | { kind: 'config'; appId: number };

export interface ClusterListener {
  /** Messages another node committed, in commit order per stream. */
  messages(messages: readonly (NewMessage & { seq: number })[]): void;
  cacheChanged(change: CacheChange): void;
  /** The feed was interrupted (and is back): anything may have changed meanwhile. */
  resynced(): void;
}

export interface NewApp {
  name: string;
  policy: Policy;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  defaultGrants: Grant[];
}

export interface AppRecord extends NewApp {
  id: number;
  createdAt: number;
}

export type AppPatch = Partial<Pick<NewApp, 'policy' | 'defaultTtlSeconds' | 'maxTtlSeconds' | 'defaultGrants'>>;

export interface NewDevice {
  appId: number;
  guid: string;
  status: DeviceStatus;
  now: number;
  address: string | null;
}

export interface DeviceRecord {
  id: number;
  appId: number;
  guid: string;
  status: DeviceStatus;
  /** null: the app's default grants apply. */
  grants: Grant[] | null;
  firstSeen: number;
  lastSeen: number;
  lastAddress: string | null;
}

export interface InsertedDevice extends DeviceRecord {
  /** Present when the new device took over config prepared for its GUID: cached configs of the app are stale. */
  presetApplied?: true;
}

export interface DevicePatch {
  status?: DeviceStatus;
  grants?: Grant[] | null;
}

export interface DeviceFilter {
  status?: DeviceStatus;
  /** Substring of the GUID. */
  search?: string;
  /** Seen at or after this time. */
  seenSince?: number;
  /** Seen before this time (offline). */
  seenBefore?: number;
  limit: number;
  offset: number;
}

export interface CheckIn {
  deviceId: number;
  time: number;
  /** null: the stored address stays (Presence sends one only when it changed). */
  address: string | null;
}

export interface ConfigEntry {
  deviceId: number | null;
  key: string;
  value: string;
  updatedAt: number;
}

export interface ConfigChange {
  appId: number;
  deviceId: number | null;
  set: Readonly<Record<string, string>>;
  unset: readonly string[];
  now: number;
  actor: string;
}

export interface PresetEntry {
  key: string;
  value: string;
  updatedAt: number;
}

export interface PresetChange extends Omit<ConfigChange, 'deviceId'> {
  guid: string;
}

export interface ConfigHistoryEntry {
  /** The device's GUID, or null for an app-wide entry. */
  device: string | null;
  key: string;
  /** null: the key was unset. */
  value: string | null;
  time: number;
  actor: string;
}

/** A stream's address. `owner` is the device GUID for `PRIVATE`, '' for shared scopes. */
export interface StreamRef {
  appId: number;
  scope: string;
  owner: string;
  stream: string;
}

export interface NewMessage extends StreamRef {
  /** The client's idempotency key, unique per writer and stream; null when none was given. */
  clientId: string | null;
  writer: string;
  value: string;
  time: number;
  expiresAt: number;
}

export interface SubscriptionRequest extends StreamRef {
  after: number | null;
  /** Replay depth of a new or reset cursor (null: start at the head). */
  limit: number | null;
  reset: boolean;
  pageSize: number;
}

export interface StoreSyncInput {
  /** The subscribing device, owner of the cursors. */
  deviceId: number;
  now: number;
  publish: readonly NewMessage[];
  subscribe: readonly SubscriptionRequest[];
}

export interface PublishOutcome {
  seq: number;
  /** True when the id was already stored: nothing new was written. */
  duplicate: boolean;
}

export interface StoredMessage {
  seq: number;
  value: string;
  writer: string;
  time: number;
  expiresAt: number;
}

export interface SubscriptionOutcome {
  cursor: number;
  head: number;
  messages: StoredMessage[];
}

export interface StoreSyncResult {
  published: PublishOutcome[];
  subscriptions: SubscriptionOutcome[];
}

export interface StreamInfo {
  scope: string;
  owner: string;
  stream: string;
  head: number;
  count: number;
  lastTime: number | null;
}

export interface DeviceCounts {
  total: number;
  pending: number;
}

export interface StoreStats {
  apps: number;
  devices: number;
  streams: number;
  messages: number;
  cursors: number;
  configEntries: number;
}
