import type pg from 'pg';
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
import { query } from './connection.js';
import { APP_COLUMNS, APP_WIDE, DEVICE_SELECT, LAST_SEEN, toApp, toDevice, type AppRow, type DeviceRow } from './rows.js';

/** Every read outside a transaction: one statement each, on any pooled connection. */
export class PostgresReads {
  constructor(private readonly pool: pg.Pool) {}

  private async rows<R extends pg.QueryResultRow>(text: string, values: unknown[] = [], name?: string): Promise<R[]> {
    return (await query<R>(this.pool, { text, values, ...(name === undefined ? {} : { name }) })).rows;
  }

  async hasAdminToken(tokenSha256: string): Promise<boolean> {
    return (await this.rows('SELECT 1 FROM admin_tokens WHERE token_sha256 = $1', [tokenSha256], 'stratus.admin_token')).length > 0;
  }

  async countAdminTokens(): Promise<number> {
    return (await this.rows<{ n: number }>('SELECT count(*) AS n FROM admin_tokens'))[0]?.n ?? 0;
  }

  async getApp(name: string): Promise<AppRecord | null> {
    const [row] = await this.rows<AppRow>(`SELECT ${APP_COLUMNS} FROM apps WHERE name = $1`, [name], 'stratus.app');
    return row ? toApp(row) : null;
  }

  async listApps(): Promise<AppRecord[]> {
    return (await this.rows<AppRow>(`SELECT ${APP_COLUMNS} FROM apps ORDER BY name`)).map(toApp);
  }

  async activeSecrets(appId: number, now: number): Promise<ActiveSecret[]> {
    const rows = await this.rows<{ secret: string; expires_at: string | number | null }>(
      'SELECT secret, expires_at FROM app_secrets WHERE app_id = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY id DESC',
      [appId, now],
      'stratus.secrets',
    );
    return rows.map((r) => ({ secret: r.secret, expiresAt: r.expires_at === null ? null : Number(r.expires_at) }));
  }

  async getDeviceById(deviceId: number): Promise<DeviceRecord | null> {
    const [row] = await this.rows<DeviceRow>(`${DEVICE_SELECT} WHERE d.id = $1`, [deviceId], 'stratus.device_by_id');
    return row ? toDevice(row) : null;
  }

  async getDevice(appId: number, guid: string): Promise<DeviceRecord | null> {
    const [row] = await this.rows<DeviceRow>(`${DEVICE_SELECT} WHERE d.app_id = $1 AND d.guid = $2`, [appId, guid], 'stratus.device');
    return row ? toDevice(row) : null;
  }

  async streamExists(ref: StreamRef): Promise<boolean> {
    const rows = await this.rows('SELECT 1 FROM streams WHERE app_id = $1 AND scope = $2 AND owner = $3 AND name = $4', [ref.appId, ref.scope, ref.owner, ref.stream], 'stratus.stream_exists');
    return rows.length > 0;
  }

  async streamCount(appId: number): Promise<number> {
    const [row] = await this.rows<{ n: string }>("SELECT count(*) AS n FROM streams WHERE app_id = $1 AND scope <> '$stratus'", [appId], 'stratus.stream_count');
    return Number(row?.n ?? 0);
  }

  async cursorExists(deviceId: number, ref: StreamRef): Promise<boolean> {
    const rows = await this.rows(
      'SELECT 1 FROM cursors c JOIN streams s ON s.id = c.stream_id WHERE c.device_id = $1 AND s.app_id = $2 AND s.scope = $3 AND s.owner = $4 AND s.name = $5',
      [deviceId, ref.appId, ref.scope, ref.owner, ref.stream],
      'stratus.cursor_exists',
    );
    return rows.length > 0;
  }

  async cursorCount(deviceId: number): Promise<number> {
    const [row] = await this.rows<{ n: string }>('SELECT count(*) AS n FROM cursors WHERE device_id = $1', [deviceId], 'stratus.cursor_count');
    return Number(row?.n ?? 0);
  }

  async deviceCounts(appId: number): Promise<DeviceCounts> {
    const [row] = await this.rows<{ total: string; pending: string }>(
      "SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE status = 'pending') AS pending FROM devices WHERE app_id = $1",
      [appId],
      'stratus.device_counts',
    );
    return { total: Number(row?.total ?? 0), pending: Number(row?.pending ?? 0) };
  }

  async listDevices(appId: number, f: DeviceFilter): Promise<DeviceRecord[]> {
    const rows = await this.rows<DeviceRow>(
      `${DEVICE_SELECT} WHERE d.app_id = $1
         AND ($2::text IS NULL OR d.status = $2) AND ($3::text IS NULL OR strpos(d.guid, $3) > 0)
         AND ($4::bigint IS NULL OR ${LAST_SEEN} >= $4) AND ($5::bigint IS NULL OR ${LAST_SEEN} < $5)
       ORDER BY d.guid LIMIT $6 OFFSET $7`,
      [appId, f.status ?? null, f.search ?? null, f.seenSince ?? null, f.seenBefore ?? null, f.limit, f.offset],
    );
    return rows.map(toDevice);
  }

  async configEntries(appId: number): Promise<ConfigEntry[]> {
    const rows = await this.rows<{ device_id: number; key: string; value: string; updated_at: number }>(
      'SELECT device_id, key, value, updated_at FROM config_entries WHERE app_id = $1 ORDER BY device_id, key',
      [appId],
      'stratus.config',
    );
    return rows.map((r) => ({
      deviceId: r.device_id === APP_WIDE ? null : r.device_id,
      key: r.key,
      value: r.value,
      updatedAt: r.updated_at,
    }));
  }

  async presetConfig(appId: number, guid: string): Promise<PresetEntry[]> {
    return this.rows<PresetEntry>(
      'SELECT key, value, updated_at AS "updatedAt" FROM config_presets WHERE app_id = $1 AND guid = $2 ORDER BY key',
      [appId, guid],
    );
  }

  async configHistory(appId: number, deviceId: number | null, limit: number): Promise<ConfigHistoryEntry[]> {
    return this.rows<ConfigHistoryEntry>(
      `SELECT d.guid AS device, h.key, h.value, h.time, h.actor FROM config_history h
       LEFT JOIN devices d ON d.id = h.device_id
       WHERE h.app_id = $1 AND ($2::bigint IS NULL OR h.device_id = $2) ORDER BY h.id DESC LIMIT $3`,
      [appId, deviceId, limit],
    );
  }

  async readMessages(ref: StreamRef, after: number, limit: number, now: number): Promise<StoredMessage[]> {
    return this.rows<StoredMessage>(
      `SELECT m.seq, m.value, m.writer, m.time, m.expires_at AS "expiresAt" FROM streams s JOIN messages m ON m.stream_id = s.id
       WHERE s.app_id = $1 AND s.scope = $2 AND s.owner = $3 AND s.name = $4 AND m.seq > $5 AND m.expires_at > $6
       ORDER BY m.seq LIMIT $7`,
      [ref.appId, ref.scope, ref.owner, ref.stream, after, now, limit],
    );
  }

  async listStreams(appId: number, scope: string | null): Promise<StreamInfo[]> {
    return this.rows<StreamInfo>(
      `SELECT s.scope, s.owner, s.name AS stream, s.head,
              (SELECT count(*) FROM messages m WHERE m.stream_id = s.id) AS count,
              (SELECT max(time) FROM messages m WHERE m.stream_id = s.id) AS "lastTime"
       FROM streams s WHERE s.app_id = $1 AND ($2::text IS NULL OR s.scope = $2) ORDER BY s.scope, s.owner, s.name`,
      [appId, scope],
    );
  }

  async stats(): Promise<StoreStats> {
    const [row] = await this.rows<StoreStats>(
      `SELECT (SELECT count(*) FROM apps) AS apps, (SELECT count(*) FROM devices) AS devices,
              (SELECT count(*) FROM streams) AS streams, (SELECT count(*) FROM messages) AS messages,
              (SELECT count(*) FROM cursors) AS cursors, (SELECT count(*) FROM config_entries) AS "configEntries"`,
    );
    return row as StoreStats;
  }
}
