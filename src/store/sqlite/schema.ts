/**
 * SQLite schema, one entry per version; `PRAGMA user_version` records how many have run.
 * Never edit a released entry: append a new one (sqlite-store.test.ts migrates a file of every version).
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE admin_tokens (
    token_sha256 TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE apps (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    policy TEXT NOT NULL,
    default_ttl INTEGER NOT NULL,
    max_ttl INTEGER NOT NULL,
    default_grants TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE app_secrets (
    id INTEGER PRIMARY KEY,
    app_id INTEGER NOT NULL,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
  );
  CREATE INDEX app_secrets_app ON app_secrets(app_id);
  CREATE TABLE devices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id INTEGER NOT NULL,
    guid TEXT NOT NULL,
    status TEXT NOT NULL,
    grants TEXT,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    last_address TEXT,
    UNIQUE (app_id, guid)
  );
  CREATE INDEX devices_seen ON devices(app_id, last_seen);
  CREATE TABLE config_entries (
    app_id INTEGER NOT NULL,
    device_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, device_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE config_history (
    id INTEGER PRIMARY KEY,
    app_id INTEGER NOT NULL,
    device_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    time INTEGER NOT NULL,
    actor TEXT NOT NULL
  );
  CREATE INDEX config_history_app ON config_history(app_id, device_id, id);
  CREATE TABLE streams (
    id INTEGER PRIMARY KEY,
    app_id INTEGER NOT NULL,
    scope TEXT NOT NULL,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    head INTEGER NOT NULL DEFAULT 0,
    UNIQUE (app_id, scope, owner, name)
  );
  CREATE TABLE messages (
    stream_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    writer TEXT NOT NULL,
    client_id TEXT,
    value TEXT NOT NULL,
    time INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX messages_stream_seq ON messages(stream_id, seq);
  CREATE UNIQUE INDEX messages_idempotency ON messages(stream_id, writer, client_id) WHERE client_id IS NOT NULL;
  CREATE INDEX messages_expiry ON messages(expires_at);
  CREATE TABLE cursors (
    device_id INTEGER NOT NULL,
    stream_id INTEGER NOT NULL,
    cursor INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, stream_id)
  ) WITHOUT ROWID;
  `,
  // Streams that nobody follows and that hold no message are swept (writes.ts sweepStreams); the app
  // keeps the highest seq any of them reached, and a stream created again starts there (PROTOCOL §6:
  // a seq is never reused). The sweep asks "does anyone follow this stream": cursors by stream.
  `
  ALTER TABLE apps ADD COLUMN stream_seq_floor INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX cursors_stream ON cursors(stream_id);
  `,
  // Config prepared for a GUID the server has not seen (changePresetConfig): no device row, so the
  // GUID is not admitted and counts in no quota; the device's insert takes the rows over.
  `
  CREATE TABLE config_presets (
    app_id INTEGER NOT NULL,
    guid TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (app_id, guid, key)
  ) WITHOUT ROWID;
  `,
  // Last-seen times in a narrow table of their own (~300 rows a page): a fleet's check-ins dirty a
  // few thousand small pages a flush, not a random page of the wide devices table and another of an
  // index on last_seen per device (a million devices checking in every 300 s wrote 45 MB/s). A
  // device without a row was last seen when first seen (rows.ts DEVICE_SELECT).
  `
  CREATE TABLE device_seen (
    device_id INTEGER PRIMARY KEY,
    last_seen INTEGER NOT NULL
  );
  INSERT INTO device_seen (device_id, last_seen) SELECT id, last_seen FROM devices WHERE last_seen <> first_seen;
  DROP INDEX devices_seen;
  ALTER TABLE devices DROP COLUMN last_seen;
  `,
];
