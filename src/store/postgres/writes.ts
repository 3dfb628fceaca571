import type pg from 'pg';
import { StratusError, SYSTEM_SCOPE } from '../../protocol/index.js';
import type {
  AppPatch,
  AppRecord,
  CheckIn,
  ConfigChange,
  DevicePatch,
  DeviceRecord,
  InsertedDevice,
  NewApp,
  NewDevice,
  PresetChange,
  StreamRef,
} from '../types.js';
import { query, transaction } from './connection.js';
import { APP_COLUMNS, APP_WIDE, DEVICE_FIELDS, DEVICE_RETURNING, DEVICE_SELECT, toApp, toDevice, type AppRow, type DeviceRow } from './rows.js';

/** pg_try_advisory_xact_lock key of the TTL sweep (the migration's is 23455135327081811). */
const SWEEP_LOCK = '23455135327081812';
const STREAM_SWEEP_LOCK = '23455135327081813';
/** Held by a device's insert and by a change of its GUID's presets: one waits for the other. */
const GUID_LOCK = `SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2, 0))`;

/**
 * Every write but sync. Each is one statement (atomic on its own) or one transaction; rows several
 * nodes may write at once are locked in id order, so two nodes never deadlock on them.
 */
export class PostgresWrites {
  constructor(private readonly pool: pg.Pool) {}

  private run<R extends pg.QueryResultRow>(text: string, values: unknown[], name?: string): Promise<pg.QueryResult<R>> {
    return query<R>(this.pool, { text, values, ...(name === undefined ? {} : { name }) });
  }

  async insertAdminToken(tokenSha256: string, label: string, now: number): Promise<void> {
    await this.run('INSERT INTO admin_tokens (token_sha256, label, created_at) VALUES ($1, $2, $3)', [tokenSha256, label, now]);
  }

  async insertApp(input: NewApp, firstSecret: string, now: number): Promise<AppRecord> {
    const { rows } = await this.run<AppRow>(
      `WITH app AS (
         INSERT INTO apps (name, policy, default_ttl, max_ttl, default_grants, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (name) DO NOTHING RETURNING ${APP_COLUMNS}
       ), secret AS (INSERT INTO app_secrets (app_id, secret, created_at) SELECT id, $7::text, $6::bigint FROM app)
       SELECT ${APP_COLUMNS} FROM app`,
      [input.name, input.policy, input.defaultTtlSeconds, input.maxTtlSeconds, JSON.stringify(input.defaultGrants), now, firstSecret],
    );
    const [row] = rows;
    if (!row) throw new StratusError('conflict', `app "${input.name}" exists already`);
    return toApp(row);
  }

  async updateApp(appId: number, patch: AppPatch): Promise<AppRecord> {
    // A field absent or undefined keeps its value (COALESCE), in one statement: no lost update.
    const { rows } = await this.run<AppRow>(
      `UPDATE apps SET policy = COALESCE($2, policy), default_ttl = COALESCE($3, default_ttl),
         max_ttl = COALESCE($4, max_ttl), default_grants = COALESCE($5::jsonb, default_grants)
       WHERE id = $1 RETURNING ${APP_COLUMNS}`,
      [
        appId,
        patch.policy ?? null,
        patch.defaultTtlSeconds ?? null,
        patch.maxTtlSeconds ?? null,
        patch.defaultGrants === undefined ? null : JSON.stringify(patch.defaultGrants),
      ],
    );
    const [row] = rows;
    if (!row) throw new StratusError('not_found', `no app with id ${appId}`);
    return toApp(row);
  }

  async rotateSecret(appId: number, secret: string, now: number, othersExpireAt: number): Promise<void> {
    // One statement: the UPDATE does not see the row the INSERT adds.
    await this.run(
      `WITH expire AS (
         UPDATE app_secrets SET expires_at = $4 WHERE app_id = $1 AND (expires_at IS NULL OR expires_at > $4)
       )
       INSERT INTO app_secrets (app_id, secret, created_at) VALUES ($1, $2, $3)`,
      [appId, secret, now, othersExpireAt],
    );
  }

  /**
   * A new device takes over its GUID's presets in the same transaction. Both this and
   * changePresetConfig hold the GUID's advisory lock, so a preset written while the device is being
   * inserted is either taken over or refused (the caller then writes the device's overrides).
   */
  async insertDevice(d: NewDevice): Promise<InsertedDevice> {
    return transaction(this.pool, async (db) => {
      await db.query({ name: 'stratus.guid_lock', text: GUID_LOCK, values: [d.appId, d.guid] });
      const inserted = await db.query<DeviceRow>({
        name: 'stratus.insert_device',
        text: `INSERT INTO devices (app_id, guid, status, first_seen, last_address) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (app_id, guid) DO NOTHING RETURNING ${DEVICE_RETURNING}`,
        values: [d.appId, d.guid, d.status, d.now, d.address],
      });
      const row = inserted.rows[0];
      if (!row) {
        // Taken (ON CONFLICT waited for a concurrent inserter to commit): a new statement sees its row.
        const existing = await db.query<DeviceRow>(`${DEVICE_SELECT} WHERE d.app_id = $1 AND d.guid = $2`, [d.appId, d.guid]);
        if (!existing.rows[0]) throw new StratusError('conflict', `device "${d.guid}" was deleted while being created`);
        return toDevice(existing.rows[0]);
      }
      const device = toDevice(row);
      const moved = await db.query({
        name: 'stratus.take_presets',
        text: `WITH taken AS (DELETE FROM config_presets WHERE app_id = $1 AND guid = $2 RETURNING key, value, updated_at, actor),
               entries AS (
                 INSERT INTO config_entries (app_id, device_id, key, value, updated_at)
                 SELECT $1::bigint, $3::bigint, key, value, updated_at FROM taken
               )
               INSERT INTO config_history (app_id, device_id, key, value, time, actor)
               SELECT $1::bigint, $3::bigint, key, value, updated_at, actor FROM taken ORDER BY key`,
        values: [d.appId, d.guid, device.id],
      });
      return (moved.rowCount ?? 0) > 0 ? { ...device, presetApplied: true } : device;
    });
  }

  async changePresetConfig(c: PresetChange): Promise<boolean> {
    const set = Object.entries(c.set).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return transaction(this.pool, async (db) => {
      await db.query(GUID_LOCK, [c.appId, c.guid]);
      const known = await db.query('SELECT 1 FROM devices WHERE app_id = $1 AND guid = $2', [c.appId, c.guid]);
      if (known.rows.length > 0) return false;
      if (set.length > 0) {
        await db.query(
          `INSERT INTO config_presets (app_id, guid, key, value, updated_at, actor)
           SELECT $1::bigint, $2::text, key, value, $5::bigint, $6::text FROM unnest($3::text[], $4::text[]) AS v(key, value)
           ON CONFLICT (app_id, guid, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, actor = excluded.actor`,
          [c.appId, c.guid, set.map(([k]) => k), set.map(([, v]) => v), c.now, c.actor],
        );
      }
      if (c.unset.length > 0) {
        await db.query('DELETE FROM config_presets WHERE app_id = $1 AND guid = $2 AND key = ANY($3::text[])', [c.appId, c.guid, [...c.unset]]);
      }
      return true;
    });
  }

  async updateDevice(deviceId: number, patch: DevicePatch): Promise<DeviceRecord | null> {
    const { rows } = await this.run<DeviceRow>(
      // the statement's own snapshot does not see the update: the row comes from RETURNING
      `WITH d AS (UPDATE devices SET status = COALESCE($2, status), grants = CASE WHEN $3 THEN $4::jsonb ELSE grants END
         WHERE id = $1 RETURNING *)
       SELECT ${DEVICE_FIELDS} FROM d LEFT JOIN device_seen s ON s.device_id = d.id`,
      [deviceId, patch.status ?? null, patch.grants !== undefined, patch.grants == null ? null : JSON.stringify(patch.grants)],
    );
    return rows[0] ? toDevice(rows[0]) : null;
  }

  async deleteDevice(deviceId: number): Promise<boolean> {
    return transaction(this.pool, async (db) => {
      const { rows } = await db.query<{ app_id: number; guid: string }>('DELETE FROM devices WHERE id = $1 RETURNING app_id, guid', [deviceId]);
      const [device] = rows;
      if (!device) return false;
      // Lock its PRIVATE streams (in id order, as sync does) so a publish running now on another
      // connection commits first and its message is deleted too.
      const streams = await db.query<{ id: number }>(
        `SELECT id FROM streams WHERE app_id = $1 AND scope = 'PRIVATE' AND owner = $2 ORDER BY id FOR UPDATE`,
        [device.app_id, device.guid],
      );
      await db.query('DELETE FROM messages WHERE stream_id = ANY($1::bigint[])', [streams.rows.map((s) => s.id)]);
      await db.query('DELETE FROM cursors WHERE device_id = $1', [deviceId]);
      await db.query('DELETE FROM device_seen WHERE device_id = $1', [deviceId]);
      await db.query('DELETE FROM config_entries WHERE app_id = $1 AND device_id = $2', [device.app_id, deviceId]);
      // the history goes with the device: without a device row its entries would read as app-wide
      await db.query('DELETE FROM config_history WHERE app_id = $1 AND device_id = $2', [device.app_id, deviceId]);
      return true;
    });
  }

  /**
   * The batch in id order (two nodes' batches lock rows alike). Later entries for a device win, as
   * if applied one by one: last_seen becomes the greatest time, and the address is the one of the
   * last entry that set a new greatest time with an address, if that time is not older than the
   * stored last_seen. Addresses change rarely: most batches are one upsert of narrow rows.
   */
  async writePresence(checkIns: readonly CheckIn[]): Promise<void> {
    const folded = new Map<number, { time: number; address: string | null; addressTime: number | null }>();
    for (const c of checkIns) {
      const f = folded.get(c.deviceId);
      if (!f) folded.set(c.deviceId, { time: c.time, address: c.address, addressTime: c.address === null ? null : c.time });
      else if (c.time >= f.time) {
        f.time = c.time;
        if (c.address !== null) [f.address, f.addressTime] = [c.address, c.time];
      }
    }
    const ids = [...folded.keys()].sort((a, b) => a - b);
    if (ids.length === 0) return;
    const get = (id: number) => folded.get(id) as { time: number; address: string | null; addressTime: number | null };
    const moved = ids.filter((id) => get(id).address !== null);
    await transaction(this.pool, async (db) => {
      if (moved.length > 0) {
        // before the times are stored: an address older than the stored time is not news
        await db.query('SELECT 1 FROM devices WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [moved]);
        await db.query(
          `UPDATE devices d SET last_address = v.address
           FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS v(id, address, address_time)
           WHERE d.id = v.id AND v.address_time >= COALESCE((SELECT last_seen FROM device_seen WHERE device_id = d.id), d.first_seen)`,
          [moved, moved.map((id) => get(id).address), moved.map((id) => get(id).addressTime)],
        );
      }
      await db.query(
        `INSERT INTO device_seen (device_id, last_seen) SELECT * FROM unnest($1::bigint[], $2::bigint[])
         ON CONFLICT (device_id) DO UPDATE SET last_seen = GREATEST(device_seen.last_seen, excluded.last_seen)`,
        [ids, ids.map((id) => get(id).time)],
      );
    });
  }

  async changeConfig(c: ConfigChange): Promise<void> {
    const deviceId = c.deviceId ?? APP_WIDE;
    // Keys in byte order: two changes of the same keys lock their rows in the same order.
    const set = Object.entries(c.set).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const unset = [...new Set(c.unset)].sort();
    await transaction(this.pool, async (db) => {
      if (set.length > 0) {
        await db.query(
          `WITH v AS (SELECT * FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS v(key, value, ord)),
           upsert AS (
             INSERT INTO config_entries (app_id, device_id, key, value, updated_at) SELECT $1::bigint, $2::bigint, key, value, $5::bigint FROM v ORDER BY ord
             ON CONFLICT (app_id, device_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
           )
           INSERT INTO config_history (app_id, device_id, key, value, time, actor) SELECT $1::bigint, $2::bigint, key, value, $5::bigint, $6::text FROM v ORDER BY ord`,
          [c.appId, deviceId, set.map(([k]) => k), set.map(([, v]) => v), c.now, c.actor],
        );
      }
      if (unset.length > 0) {
        // only an effective unset (a key that was there) is recorded
        await db.query(
          `WITH gone AS (DELETE FROM config_entries WHERE app_id = $1 AND device_id = $2 AND key = ANY($3::text[]) RETURNING key)
           INSERT INTO config_history (app_id, device_id, key, value, time, actor) SELECT $1::bigint, $2::bigint, key, NULL, $4::bigint, $5::text FROM gone ORDER BY key`,
          [c.appId, deviceId, unset, c.now, c.actor],
        );
      }
    });
  }

  async deleteMessages(ref: StreamRef, seq: number | null): Promise<number> {
    const { rowCount } = await this.run(
      `DELETE FROM messages WHERE stream_id = (SELECT id FROM streams WHERE app_id = $1 AND scope = $2 AND owner = $3 AND name = $4)
         AND ($5::bigint IS NULL OR seq = $5)`,
      [ref.appId, ref.scope, ref.owner, ref.stream, seq],
    );
    return rowCount ?? 0;
  }

  /**
   * Up to `max` expired rows, found through the expiry index and deleted by their physical address:
   * the cost follows the rows deleted, not the table. SKIP LOCKED lets several nodes sweep at once.
   */
  /** One node sweeps at a time: the others find the advisory lock taken and skip this round. */
  async sweepExpired(now: number, max: number): Promise<number> {
    return transaction(this.pool, async (db) => {
      const { rows } = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [SWEEP_LOCK]);
      if (!rows[0]?.locked) return 0;
      const { rowCount } = await db.query(
        `DELETE FROM messages WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM messages WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED))`,
        [now, max],
      );
      return rowCount ?? 0;
    });
  }

  /** Where this node's next stream sweep goes on from: the streams are visited in id order, round and round. */
  private streamSweepFrom = 0;

  /**
   * The next `max` streams; those that look idle are locked (SKIP LOCKED: a publish or a new cursor
   * holding one wins), then deleted if, seen from a snapshot taken after the locks, they still hold no
   * message and nobody follows them. Publishes lock the stream first and new cursors share-lock it
   * (sync-sql.ts), so neither can slip in between. The app keeps the highest seq they reached.
   */
  async sweepStreams(max: number): Promise<number> {
    return transaction(this.pool, async (db) => {
      const { rows } = await db.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [STREAM_SWEEP_LOCK]);
      if (!rows[0]?.locked) return 0;
      const from = this.streamSweepFrom;
      const window = await db.query<{ last: number | null; n: number }>(
        'SELECT max(id) AS last, count(*)::int AS n FROM (SELECT id FROM streams WHERE id > $1 ORDER BY id LIMIT $2) w',
        [from, max],
      );
      const { last, n } = window.rows[0] ?? { last: null, n: 0 };
      this.streamSweepFrom = n < max ? 0 : (last ?? 0);
      if (last === null) return 0;
      const idle = `NOT EXISTS (SELECT 1 FROM messages m WHERE m.stream_id = s.id) AND NOT EXISTS (SELECT 1 FROM cursors c WHERE c.stream_id = s.id)`;
      const locked = await db.query<{ id: number }>(
        `SELECT id FROM streams s WHERE id > $1 AND id <= $2 AND scope <> $3 AND ${idle} ORDER BY id FOR UPDATE SKIP LOCKED`,
        [from, last, SYSTEM_SCOPE],
      );
      if (locked.rows.length === 0) return 0;
      const swept = await db.query<{ n: number }>(
        `WITH gone AS (DELETE FROM streams s WHERE s.id = ANY($1::bigint[]) AND ${idle} RETURNING app_id, head),
         floors AS (
           UPDATE apps a SET stream_seq_floor = GREATEST(a.stream_seq_floor, g.head)
           FROM (SELECT app_id, max(head) AS head FROM gone GROUP BY app_id) g WHERE a.id = g.app_id RETURNING 1
         )
         SELECT count(*)::int AS n FROM gone`,
        [locked.rows.map((r) => r.id)],
      );
      return swept.rows[0]?.n ?? 0;
    });
  }
}
