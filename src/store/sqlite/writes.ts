import type { Database } from 'better-sqlite3';
import { StratusError, SYSTEM_SCOPE } from '../../protocol/index.js';
import type {
  AppPatch,
  AppRecord,
  ConfigChange,
  DevicePatch,
  DeviceRecord,
  InsertedDevice,
  NewApp,
  NewDevice,
  NewMessage,
  PresetChange,
  PublishOutcome,
  StoreSyncInput,
  StreamRef,
  SubscriptionRequest,
} from '../types.js';
import { nextCursor, replayStart } from '../cursor-rule.js';
import { APP_WIDE, DEVICE_SELECT, toApp, toDevice, type AppRow, type DeviceRow } from './rows.js';
import { StreamHeads } from './stream-heads.js';
import type { PackedCheckIns } from './writer-protocol.js';

/** A subscription's cursor after the writes; the page itself is read by the caller. */
export interface CursorOutcome {
  streamId: number;
  cursor: number;
  head: number;
}

export interface SyncWrites {
  published: PublishOutcome[];
  cursors: CursorOutcome[];
}

/**
 * Every write of the SQLite store, synchronous, run by the one writer (the writer thread) inside
 * its group-commit transaction.
 */
export class SqliteWrites {
  readonly heads: StreamHeads;
  private readonly s;

  constructor(private readonly db: Database) {
    this.heads = new StreamHeads(db);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      appByName: p('SELECT * FROM apps WHERE name = ?'),
      appById: p('SELECT * FROM apps WHERE id = ?'),
      device: p(`${DEVICE_SELECT} WHERE d.app_id = ? AND d.guid = ?`),
      deviceById: p(`${DEVICE_SELECT} WHERE d.id = ?`),
      insertDevice: p(
        `INSERT INTO devices (app_id, guid, status, first_seen, last_address) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (app_id, guid) DO NOTHING`,
      ),
      seen: p(
        `INSERT INTO device_seen (device_id, last_seen) VALUES (?, ?)
         ON CONFLICT (device_id) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)`,
      ),
      // before the check-in's time is stored: an address older than the stored time is not news
      address: p(
        `UPDATE devices SET last_address = @address
         WHERE id = @deviceId AND @time >= coalesce((SELECT last_seen FROM device_seen WHERE device_id = @deviceId), first_seen)`,
      ),
      upsertConfig: p(
        `INSERT INTO config_entries (app_id, device_id, key, value, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (app_id, device_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      ),
      deleteConfig: p('DELETE FROM config_entries WHERE app_id = ? AND device_id = ? AND key = ?'),
      presetsOf: p('SELECT key, value, updated_at, actor FROM config_presets WHERE app_id = ? AND guid = ? ORDER BY key'),
      dropPresets: p('DELETE FROM config_presets WHERE app_id = ? AND guid = ?'),
      upsertPreset: p(
        `INSERT INTO config_presets (app_id, guid, key, value, updated_at, actor) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (app_id, guid, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, actor = excluded.actor`,
      ),
      deletePreset: p('DELETE FROM config_presets WHERE app_id = ? AND guid = ? AND key = ?'),
      history: p('INSERT INTO config_history (app_id, device_id, key, value, time, actor) VALUES (?, ?, ?, ?, ?, ?)'),
      findById: p('SELECT seq FROM messages WHERE stream_id = ? AND writer = ? AND client_id = ?'),
      insertMessage: p(
        `INSERT INTO messages (stream_id, seq, writer, client_id, value, time, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      ),
      findCursor: p('SELECT cursor FROM cursors WHERE device_id = ? AND stream_id = ?'),
      upsertCursor: p(
        `INSERT INTO cursors (device_id, stream_id, cursor, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (device_id, stream_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      ),
      nthNewest: p('SELECT seq FROM messages WHERE stream_id = ? AND expires_at > ? ORDER BY seq DESC LIMIT 1 OFFSET ?'),
      sweep: p(
        'DELETE FROM messages WHERE rowid IN (SELECT rowid FROM messages WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)',
      ),
      streamsAfter: p(
        `SELECT id, app_id AS appId, scope, owner, name AS stream, head,
           NOT EXISTS (SELECT 1 FROM messages m WHERE m.stream_id = s.id) AND NOT EXISTS (SELECT 1 FROM cursors c WHERE c.stream_id = s.id) AS idle
         FROM streams s WHERE id > ? ORDER BY id LIMIT ?`,
      ),
      deleteStream: p('DELETE FROM streams WHERE id = ?'),
      raiseSeqFloor: p('UPDATE apps SET stream_seq_floor = max(stream_seq_floor, ?) WHERE id = ?'),
      deleteOne: p('DELETE FROM messages WHERE stream_id = ? AND seq = ?'),
      deleteAll: p('DELETE FROM messages WHERE stream_id = ?'),
    };
  }

  insertAdminToken(tokenSha256: string, label: string, now: number): void {
    this.db.prepare('INSERT INTO admin_tokens (token_sha256, label, created_at) VALUES (?, ?, ?)').run(tokenSha256, label, now);
  }

  insertApp(input: NewApp, firstSecret: string, now: number): AppRecord {
    if (this.s.appByName.get(input.name)) throw new StratusError('conflict', `app "${input.name}" exists already`);
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO apps (name, policy, default_ttl, max_ttl, default_grants, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(input.name, input.policy, input.defaultTtlSeconds, input.maxTtlSeconds, JSON.stringify(input.defaultGrants), now);
    this.db.prepare('INSERT INTO app_secrets (app_id, secret, created_at) VALUES (?, ?, ?)').run(lastInsertRowid, firstSecret, now);
    return toApp(this.s.appById.get(Number(lastInsertRowid)) as AppRow);
  }

  updateApp(appId: number, patch: AppPatch): AppRecord {
    const current = this.s.appById.get(appId) as AppRow | undefined;
    if (!current) throw new StratusError('not_found', `no app with id ${appId}`);
    // A field present but undefined (allowed by AppPatch) keeps its value rather than writing NULL.
    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as AppPatch;
    const app = { ...toApp(current), ...given };
    this.db
      .prepare('UPDATE apps SET policy = ?, default_ttl = ?, max_ttl = ?, default_grants = ? WHERE id = ?')
      .run(app.policy, app.defaultTtlSeconds, app.maxTtlSeconds, JSON.stringify(app.defaultGrants), appId);
    return app;
  }

  rotateSecret(appId: number, secret: string, now: number, othersExpireAt: number): void {
    this.db
      .prepare('UPDATE app_secrets SET expires_at = ? WHERE app_id = ? AND (expires_at IS NULL OR expires_at > ?)')
      .run(othersExpireAt, appId, othersExpireAt);
    this.db.prepare('INSERT INTO app_secrets (app_id, secret, created_at) VALUES (?, ?, ?)').run(appId, secret, now);
  }

  insertDevice(d: NewDevice): InsertedDevice {
    const inserted = this.s.insertDevice.run(d.appId, d.guid, d.status, d.now, d.address).changes === 1;
    const device = toDevice(this.s.device.get(d.appId, d.guid) as DeviceRow);
    if (!inserted) return device;
    const presets = this.s.presetsOf.all(d.appId, d.guid) as { key: string; value: string; updated_at: number; actor: string }[];
    if (presets.length === 0) return device;
    for (const p of presets) {
      this.s.upsertConfig.run(d.appId, device.id, p.key, p.value, p.updated_at);
      this.s.history.run(d.appId, device.id, p.key, p.value, p.updated_at, p.actor);
    }
    this.s.dropPresets.run(d.appId, d.guid);
    return { ...device, presetApplied: true };
  }

  changePresetConfig(c: PresetChange): boolean {
    if (this.s.device.get(c.appId, c.guid)) return false;
    for (const [key, value] of Object.entries(c.set)) this.s.upsertPreset.run(c.appId, c.guid, key, value, c.now, c.actor);
    for (const key of c.unset) this.s.deletePreset.run(c.appId, c.guid, key);
    return true;
  }

  updateDevice(deviceId: number, patch: DevicePatch): DeviceRecord | null {
    if (patch.status !== undefined) this.db.prepare('UPDATE devices SET status = ? WHERE id = ?').run(patch.status, deviceId);
    if (patch.grants !== undefined) {
      this.db
        .prepare('UPDATE devices SET grants = ? WHERE id = ?')
        .run(patch.grants === null ? null : JSON.stringify(patch.grants), deviceId);
    }
    const row = this.s.deviceById.get(deviceId) as DeviceRow | undefined;
    return row ? toDevice(row) : null;
  }

  deleteDevice(deviceId: number): boolean {
    const row = this.s.deviceById.get(deviceId) as DeviceRow | undefined;
    if (!row) return false;
    this.db.prepare('DELETE FROM cursors WHERE device_id = ?').run(deviceId);
    this.db.prepare('DELETE FROM config_entries WHERE app_id = ? AND device_id = ?').run(row.app_id, deviceId);
    // the history goes with the device: without a device row its entries would read as app-wide
    this.db.prepare('DELETE FROM config_history WHERE app_id = ? AND device_id = ?').run(row.app_id, deviceId);
    this.db
      .prepare(`DELETE FROM messages WHERE stream_id IN (SELECT id FROM streams WHERE app_id = ? AND scope = 'PRIVATE' AND owner = ?)`)
      .run(row.app_id, row.guid);
    this.db.prepare('DELETE FROM device_seen WHERE device_id = ?').run(deviceId);
    this.db.prepare('DELETE FROM devices WHERE id = ?').run(deviceId);
    return true;
  }

  /** In order, as if one by one: a later entry for a device wins. */
  writePresence(batch: PackedCheckIns): void {
    let next = 0; // the next entry of batch.addressed
    for (let i = 0; i < batch.deviceIds.length; i++) {
      const deviceId = batch.deviceIds[i] as number;
      const time = batch.times[i] as number;
      if (batch.addressed[next] === i) this.s.address.run({ deviceId, time, address: batch.addresses[next++] });
      this.s.seen.run(deviceId, time);
    }
  }

  changeConfig(c: ConfigChange): void {
    const deviceId = c.deviceId ?? APP_WIDE;
    for (const [key, value] of Object.entries(c.set)) {
      this.s.upsertConfig.run(c.appId, deviceId, key, value, c.now);
      this.s.history.run(c.appId, deviceId, key, value, c.now, c.actor);
    }
    for (const key of c.unset) {
      if (this.s.deleteConfig.run(c.appId, deviceId, key).changes > 0) {
        this.s.history.run(c.appId, deviceId, key, null, c.now, c.actor);
      }
    }
  }

  /** Inserts first and looks the id up only when the insert hit the idempotency index: one index walk fewer. */
  private publishOne(m: NewMessage): PublishOutcome {
    const stream = this.heads.get(m, true) as { id: number; head: number };
    const seq = this.heads.next(stream);
    if (this.s.insertMessage.run(stream.id, seq, m.writer, m.clientId, m.value, m.time, m.expiresAt).changes === 1) {
      return { seq, duplicate: false };
    }
    this.heads.giveBack(stream);
    const existing = this.s.findById.get(stream.id, m.writer, m.clientId) as { seq: number } | undefined;
    if (!existing) throw new Error(`seq ${seq} of stream ${stream.id} is taken: the stream's head is behind its messages`);
    return { seq: existing.seq, duplicate: true };
  }

  private cursorOf(deviceId: number, s: SubscriptionRequest, now: number): CursorOutcome {
    const stream = this.heads.get(s, true) as { id: number; head: number };
    const stored = (this.s.findCursor.get(deviceId, stream.id) as { cursor: number } | undefined)?.cursor ?? null;
    const cursor = nextCursor({ stored, head: stream.head, after: s.after, reset: s.reset }, () => {
      const nth = s.limit ? (this.s.nthNewest.get(stream.id, now, s.limit - 1) as { seq: number } | undefined) : undefined;
      return replayStart(stream.head, s.limit, nth?.seq ?? null);
    });
    if (stored !== cursor) this.s.upsertCursor.run(deviceId, stream.id, cursor, now);
    return { streamId: stream.id, cursor, head: stream.head };
  }

  /** PROTOCOL §6: publishes first, then the cursors (so a device sees what it just published). */
  sync(input: StoreSyncInput): SyncWrites {
    return {
      published: input.publish.map((m) => this.publishOne(m)),
      cursors: input.subscribe.map((s) => this.cursorOf(input.deviceId, s, input.now)),
    };
  }

  deleteMessages(ref: StreamRef, seq: number | null): number {
    const stream = this.heads.get(ref, false);
    if (!stream) return 0;
    return (seq === null ? this.s.deleteAll.run(stream.id) : this.s.deleteOne.run(stream.id, seq)).changes;
  }

  sweepExpired(now: number, max: number): number {
    return this.s.sweep.run(now, max).changes;
  }

  /** Where the next stream sweep goes on from: the streams are visited in id order, round and round. */
  private streamSweepFrom = 0;

  /**
   * Looks at the next `max` streams and deletes those that hold no message and that no device
   * follows (system streams excepted); the app keeps the highest seq they reached, so a stream
   * written again later never hands out a seq twice (PROTOCOL §6). Returns how many it deleted.
   */
  sweepStreams(max: number): number {
    const rows = this.s.streamsAfter.all(this.streamSweepFrom, max) as (StreamRef & { id: number; head: number; idle: number })[];
    this.streamSweepFrom = rows.length < max ? 0 : (rows.at(-1)?.id ?? 0);
    let swept = 0;
    for (const row of rows) {
      if (!row.idle || row.scope === SYSTEM_SCOPE) continue;
      const head = Math.max(row.head, this.heads.cachedHead(row) ?? 0);
      this.s.raiseSeqFloor.run(head, row.appId);
      this.s.deleteStream.run(row.id);
      this.heads.forget(row);
      swept++;
    }
    return swept;
  }
}
