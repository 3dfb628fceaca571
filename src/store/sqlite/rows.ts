import type { DeviceStatus, Grant, Policy } from '../../protocol/index.js';
import type { AppRecord, DeviceRecord } from '../types.js';

/** Config rows of the whole app use device_id 0: a NULL cannot be in a primary key. */
export const APP_WIDE = 0;

export interface AppRow {
  id: number;
  name: string;
  policy: string;
  default_ttl: number;
  max_ttl: number;
  default_grants: string;
  created_at: number;
}

/** A device's last-seen time in DEVICE_SELECT: its device_seen row, or when it was first seen (schema.ts). */
export const LAST_SEEN = 'coalesce(s.last_seen, d.first_seen)';
/** A device row with its last-seen time, selected as `d`. */
export const DEVICE_SELECT = `SELECT d.id, d.app_id, d.guid, d.status, d.grants, d.first_seen, ${LAST_SEEN} AS last_seen,
  d.last_address FROM devices d LEFT JOIN device_seen s ON s.device_id = d.id`;

export interface DeviceRow {
  id: number;
  app_id: number;
  guid: string;
  status: string;
  grants: string | null;
  first_seen: number;
  last_seen: number;
  last_address: string | null;
}

export function toApp(row: AppRow): AppRecord {
  return {
    id: row.id,
    name: row.name,
    policy: row.policy as Policy,
    defaultTtlSeconds: row.default_ttl,
    maxTtlSeconds: row.max_ttl,
    defaultGrants: JSON.parse(row.default_grants) as Grant[],
    createdAt: row.created_at,
  };
}

export function toDevice(row: DeviceRow): DeviceRecord {
  return {
    id: row.id,
    appId: row.app_id,
    guid: row.guid,
    status: row.status as DeviceStatus,
    grants: row.grants === null ? null : (JSON.parse(row.grants) as Grant[]),
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    lastAddress: row.last_address,
  };
}
