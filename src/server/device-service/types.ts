import type { AcceptedItem, CursorState, DeliveredMessage, Grant, RejectedItem } from '../../protocol/index.js';
import type { AppRecord, DeviceRecord } from '../../store/types.js';
import type { ConfigView } from '../config-view.js';

/**
 * A signed device call as any transport receives it (PROTOCOL §2): the parts the signature covers,
 * as sent, and who sent it. Missing parts are `undefined`; the service says which one is missing.
 */
export interface SignedCall {
  method: string;
  /** Path plus `?query` exactly as sent: what the signature covers. */
  target: string;
  app: string | undefined;
  device: string | undefined;
  /** The request's time as sent: decimal unix seconds. */
  time: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  /** The raw body bytes (empty for none); ignored when `bodySha256` is given. */
  body: Uint8Array | string;
  /** The hex SHA-256 of the body, when the transport hashed it already. */
  bodySha256?: string;
  /** The client's address: presence and the new-device quota per address. */
  address: string;
  /** The server's time of the call (unix seconds), which is also its answer's time. */
  now: number;
}

/** The secret and nonce an answer is signed with (PROTOCOL §3). */
export interface ResponseSigning {
  secret: string;
  nonce: string;
}

/** An authenticated, admitted device call: what every operation of the service acts for. */
export interface DeviceContext {
  app: AppRecord;
  device: DeviceRecord;
  grants: readonly Grant[];
  now: number;
}

/**
 * What `authenticate` found. The signing is there from the moment the app is known, refusals
 * included: every answer to a known app is signed, with the secret that verified the request or,
 * when none did, the newest (PROTOCOL §3). `null`: the app is unknown, the answer is not signed.
 */
export type Authentication =
  | { ok: true; context: DeviceContext; signing: ResponseSigning }
  | { ok: false; error: unknown; signing: ResponseSigning | null };

/** `sync` (PROTOCOL §6.1), as plain data; a transport writes it as JSON or as text records (§6.3). */
export interface SyncResult {
  time: number;
  accepted: AcceptedItem[];
  rejected: RejectedItem[];
  messages: DeliveredMessage[];
  cursors: CursorState[];
  /** The config, when the call asked for it and the ETag it held differs; null otherwise. */
  config: ConfigView | null;
}

/** `publish`: one message (PROTOCOL §6.4). `id` is null for a message sent without one. */
export interface PublishResult {
  id: string | null;
  seq: number;
}

/** `read`: one page of one subscription (PROTOCOL §6.4). */
export interface ReadResult {
  time: number;
  scope: string;
  stream: string;
  cursor: number;
  head: number;
  messages: Omit<DeliveredMessage, 'scope' | 'stream'>[];
}

/** `config` (PROTOCOL §5): the merged config, and whether the ETag the device holds still names it. */
export interface ConfigResult {
  view: ConfigView;
  /** The device holds this config already: answer 304, no body (§5.2). */
  unchanged: boolean;
}

/** Live delivery checked and ready (PROTOCOL §9): `start` delivers what is committed from then on. */
export interface LiveFeed {
  /** Starts delivering; returns the function that stops it. */
  start(listener: (message: DeliveredMessage) => void): () => void;
}
