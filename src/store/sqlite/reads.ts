import type { Database } from 'better-sqlite3';
import type {
  DeviceCounts,
  ActiveSecret,
  AppRecord,
  ConfigEntry,
  ConfigHistoryEntry,
  DeviceFilter,
  DeviceRecord,
  PresetEntry,
  StoredMessage,
  StoreStats,
  StreamInfo,
  StreamRef,
} from '../types.js';
import { APP_WIDE, DEVICE_SELECT, LAST_SEEN, toApp, toDevice, type AppRow, type DeviceRow } from './rows.js';

/** Every read of the SQLite store, on the server's own connection (WAL: readers never wait for the writer). */
export class SqliteReads {
  private readonly s;

  constructor(private readonly db: Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      appByName: p('SELECT * FROM apps WHERE name = ?'),
      device: p(`${DEVICE_SELECT} WHERE d.app_id = ? AND d.guid = ?`),
      deviceById: p(`${DEVICE_SELECT} WHERE d.id = ?`),
      secrets: p('SELECT secret, expires_at AS expiresAt FROM app_secrets WHERE app_id = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY id DESC'),
      stream: p('SELECT id FROM streams WHERE app_id = ? AND scope = ? AND owner = ? AND name = ?'),
      page: p(
        `SELECT seq, value, writer, time, expires_at AS expiresAt FROM messages
         WHERE stream_id = ? AND seq > ? AND expires_at > ? ORDER BY seq LIMIT ?`,
      ),
    };
  }

  hasAdminToken(tokenSha256: string): boolean {
    return this.db.prepare('SELECT 1 FROM admin_tokens WHERE token_sha256 = ?').get(tokenSha256) !== undefined;
  }

  countAdminTokens(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM admin_tokens').get() as { n: number }).n;
  }

  getApp(name: string): AppRecord | null {
    const row = this.s.appByName.get(name) as AppRow | undefined;
    return row ? toApp(row) : null;
  }

  listApps(): AppRecord[] {
    return (this.db.prepare('SELECT * FROM apps ORDER BY name').all() as AppRow[]).map(toApp);
  }

  activeSecrets(appId: number, now: number): ActiveSecret[] {
    return this.s.secrets.all(appId, now) as ActiveSecret[];
  }

  getDeviceById(deviceId: number): DeviceRecord | null {
    const row = this.s.deviceById.get(deviceId) as DeviceRow | undefined;
    return row ? toDevice(row) : null;
  }

  getDevice(appId: number, guid: string): DeviceRecord | null {
    const row = this.s.device.get(appId, guid) as DeviceRow | undefined;
    return row ? toDevice(row) : null;
  }

  listDevices(appId: number, f: DeviceFilter): DeviceRecord[] {
    const rows = this.db
      .prepare(
        `${DEVICE_SELECT} WHERE d.app_id = @appId
           AND (@status IS NULL OR d.status = @status) AND (@search IS NULL OR instr(d.guid, @search) > 0)
           AND (@seenSince IS NULL OR ${LAST_SEEN} >= @seenSince) AND (@seenBefore IS NULL OR ${LAST_SEEN} < @seenBefore)
         ORDER BY d.guid LIMIT @limit OFFSET @offset`,
      )
      .all({
        appId,
        status: f.status ?? null,
        search: f.search ?? null,
        seenSince: f.seenSince ?? null,
        seenBefore: f.seenBefore ?? null,
        limit: f.limit,
        offset: f.offset,
      }) as DeviceRow[];
    return rows.map(toDevice);
  }

  configEntries(appId: number): ConfigEntry[] {
    const rows = this.db
      .prepare('SELECT device_id, key, value, updated_at FROM config_entries WHERE app_id = ? ORDER BY device_id, key')
      .all(appId) as { device_id: number; key: string; value: string; updated_at: number }[];
    return rows.map((r) => ({
      deviceId: r.device_id === APP_WIDE ? null : r.device_id,
      key: r.key,
      value: r.value,
      updatedAt: r.updated_at,
    }));
  }

  presetConfig(appId: number, guid: string): PresetEntry[] {
    return this.db
      .prepare('SELECT key, value, updated_at AS updatedAt FROM config_presets WHERE app_id = ? AND guid = ? ORDER BY key')
      .all(appId, guid) as PresetEntry[];
  }

  configHistory(appId: number, deviceId: number | null, limit: number): ConfigHistoryEntry[] {
    return this.db
      .prepare(
        `SELECT d.guid AS device, h.key, h.value, h.time, h.actor FROM config_history h
         LEFT JOIN devices d ON d.id = h.device_id
         WHERE h.app_id = ? AND (? IS NULL OR h.device_id = ?) ORDER BY h.id DESC LIMIT ?`,
      )
      .all(appId, deviceId, deviceId, limit) as ConfigHistoryEntry[];
  }

  /** Unexpired messages after `after`, oldest first. */
  page(streamId: number, after: number, now: number, limit: number): StoredMessage[] {
    return this.s.page.all(streamId, after, now, limit) as StoredMessage[];
  }

  readMessages(ref: StreamRef, after: number, limit: number, now: number): StoredMessage[] {
    const stream = this.s.stream.get(ref.appId, ref.scope, ref.owner, ref.stream) as { id: number } | undefined;
    return stream ? this.page(stream.id, after, now, limit) : [];
  }

  streamExists(ref: StreamRef): boolean {
    return this.s.stream.get(ref.appId, ref.scope, ref.owner, ref.stream) !== undefined;
  }

  streamCount(appId: number): number {
    return (this.db.prepare("SELECT count(*) AS n FROM streams WHERE app_id = ? AND scope <> '$stratus'").get(appId) as { n: number }).n;
  }

  cursorExists(deviceId: number, ref: StreamRef): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM cursors c JOIN streams s ON s.id = c.stream_id WHERE c.device_id = ? AND s.app_id = ? AND s.scope = ? AND s.owner = ? AND s.name = ?')
        .get(deviceId, ref.appId, ref.scope, ref.owner, ref.stream) !== undefined
    );
  }

  cursorCount(deviceId: number): number {
    return (this.db.prepare('SELECT count(*) AS n FROM cursors WHERE device_id = ?').get(deviceId) as { n: number }).n;
  }

  listStreams(appId: number, scope: string | null): StreamInfo[] {
    return this.db
      .prepare(
        `SELECT s.scope, s.owner, s.name AS stream, s.head,
                (SELECT COUNT(*) FROM messages m WHERE m.stream_id = s.id) AS count,
                (SELECT MAX(time) FROM messages m WHERE m.stream_id = s.id) AS lastTime
         FROM streams s WHERE s.app_id = ? AND (? IS NULL OR s.scope = ?) ORDER BY s.scope, s.owner, s.name`,
      )
      .all(appId, scope, scope) as StreamInfo[];
  }

  deviceCounts(appId: number): DeviceCounts {
    const row = this.db
      .prepare("SELECT COUNT(*) AS total, COALESCE(SUM(status = 'pending'), 0) AS pending FROM devices WHERE app_id = ?")
      .get(appId) as DeviceCounts;
    return { total: row.total, pending: row.pending };
  }

  stats(): StoreStats {
    const count = (table: string): number => (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      apps: count('apps'),
      devices: count('devices'),
      streams: count('streams'),
      messages: count('messages'),
      cursors: count('cursors'),
      configEntries: count('config_entries'),
    };
  }
}
