// Wire types of PROTOCOL §5–§6, shared by the server and the clients (the client imports nothing else).
import type { ConfigValues } from './config-text.js';
import type { ErrorCode } from './errors.js';

export interface PublishItem {
  id?: string;
  scope?: string;
  stream: string;
  value: string;
  ttl?: number;
}

export interface SubscribeItem {
  scope?: string;
  stream: string;
  /** "I have processed everything up to this seq": moves the server-held cursor. */
  after?: number;
  /** Replay depth of a new or reset cursor, and the page size for this stream. */
  limit?: number;
  reset?: boolean;
}

export interface SyncRequest {
  publish?: PublishItem[];
  subscribe?: SubscribeItem[];
  /** The config ETag the device holds, or null. */
  config?: string | null;
}

export interface AcceptedItem {
  id: string | null;
  seq: number;
}

export interface RejectedItem {
  id: string | null;
  /** Position in the request's `publish` array, for items sent without an id. */
  index: number;
  code: ErrorCode;
  message: string;
}

/** A stored message as a subscriber receives it: in a sync answer, a live event (§9), the SDK's callback. */
export interface DeliveredMessage {
  scope: string;
  stream: string;
  seq: number;
  value: string;
  from: string;
  time: number;
}

export interface CursorState {
  scope: string;
  stream: string;
  cursor: number;
  head: number;
}

export interface ConfigSnapshot {
  etag: string;
  values: ConfigValues;
}

export interface SyncResponse {
  time: number;
  accepted: AcceptedItem[];
  rejected: RejectedItem[];
  messages: DeliveredMessage[];
  cursors: CursorState[];
  config?: ConfigSnapshot;
}

export type Policy = 'open' | 'approval' | 'closed';
export const POLICIES: readonly Policy[] = ['open', 'approval', 'closed'];

export type GrantAction = 'publish' | 'subscribe';

/** Allows `action` on scopes and streams matching the patterns (`*` matches any run of characters). */
export interface Grant {
  action: GrantAction;
  scope: string;
  stream: string;
}

export type DeviceStatus = 'approved' | 'pending' | 'denied';
