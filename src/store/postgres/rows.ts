import type { DeviceStatus, Grant, Policy } from '../../protocol/index.js';
import type { AppRecord, DeviceRecord } from '../types.js';

/** Config rows of the whole app use device_id 0: a NULL cannot be in a primary key. */
export const APP_WIDE = 0;

/** JSONB columns arrive parsed; BIGINT ones as numbers (connection.ts). */
export interface AppRow {
  id: number;
  name: string;
  policy: string;
  default_ttl: number;
  max_ttl: number;
  default_grants: Grant[];
  created_at: number;
}

export interface DeviceRow {
  id: number;
  app_id: number;
  guid: string;
  status: string;
  grants: Grant[] | null;
  first_seen: number;
  last_seen: number;
  last_address: string | null;
}

export const APP_COLUMNS = 'id, name, policy, default_ttl, max_ttl, default_grants, created_at';
/** A device's last-seen time in `devices d LEFT JOIN device_seen s`: its seen row, or when it was first seen (schema.ts). */
export const LAST_SEEN = 'COALESCE(s.last_seen, d.first_seen)';
/** A device's fields, of `devices d LEFT JOIN device_seen s`. */
export const DEVICE_FIELDS = `d.id, d.app_id, d.guid, d.status, d.grants, d.first_seen, ${LAST_SEEN} AS last_seen, d.last_address`;
export const DEVICE_SELECT = `SELECT ${DEVICE_FIELDS} FROM devices d LEFT JOIN device_seen s ON s.device_id = d.id`;
/** What a statement that writes a devices row returns: a device written now has no device_seen row. */
export const DEVICE_RETURNING = 'id, app_id, guid, status, grants, first_seen, first_seen AS last_seen, last_address';

export function toApp(row: AppRow): AppRecord {
  return {
    id: row.id,
    name: row.name,
    policy: row.policy as Policy,
    defaultTtlSeconds: row.default_ttl,
    maxTtlSeconds: row.max_ttl,
    defaultGrants: row.default_grants,
    createdAt: row.created_at,
  };
}

export function toDevice(row: DeviceRow): DeviceRecord {
  return {
    id: row.id,
    appId: row.app_id,
    guid: row.guid,
    status: row.status as DeviceStatus,
    grants: row.grants,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    lastAddress: row.last_address,
  };
}
