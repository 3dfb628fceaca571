// The SDK's public option and result types, shared by the client's modules.
import type { ConfigValues, DeliveredMessage, StratusError } from '../protocol/index.js';
import type { ClientStorage, OutboxEntry, OverflowPolicy } from './outbox.js';
import type { RetryOptions } from './transport.js';

export interface StratusOptions {
  /** The server's base URL, e.g. `http://192.168.1.10:8080`. `stratus.server` in the config moves it. */
  server: string;
  app: string;
  /** The app's shared secret. */
  secret: string;
  /** The device's GUID. */
  device: string;
  /** Outbox and state: SqliteStorage survives power loss, MemoryStorage does not. */
  storage: ClientStorage;
  /** Messages the outbox holds at most (default 10 000). */
  outboxLimit?: number;
  /** What a publish() into a full outbox does (default `reject`: it throws `outbox_full`). */
  overflow?: OverflowPolicy;
  /** Decides what may be sent now (e.g. only high priority on a metered link); the rest waits. */
  canSend?: (entry: OutboxEntry) => boolean;
  retry?: Partial<RetryOptions>;
  fetch?: typeof fetch;
  /** The local clock in ms (default `Date.now`): request times and maybeUpdate()'s interval. */
  nowMs?: () => number;
  /**
   * Waits `ms` (default a timer): the pause before a retry and before a live reconnection. With
   * `nowMs`, the SDK's whole sense of time: a test passes one that records and returns at once.
   */
  delay?: Delay;
}

/** Resolves after `ms` milliseconds. */
export type Delay = (ms: number) => Promise<void>;

export const timerDelay: Delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface PublishOptions {
  /** `PRIVATE` (the default: this device's own space) or a shared scope. */
  scope?: string;
  /** Seconds to keep the message; the app's default when absent. */
  ttl?: number;
  /** Wait in the outbox for the next update() instead of sending now. */
  queue?: boolean;
  /** Higher is sent first (default 0). */
  priority?: number;
}

/** `seq` is the stored sequence number, or null while the message waits in the outbox. */
export interface PublishReceipt {
  id: string;
  seq: number | null;
}

export interface SubscribeOptions {
  scope?: string;
  /** Replay: a new (or reset) subscription starts this many messages back; also the page size. */
  limit?: number;
  /** Start the server-held cursor over (as new) on the next update. */
  reset?: boolean;
}

/** The design's callback: the stream it came on (one callback may serve several), the value, the whole message. */
export type MessageCallback = (stream: string, data: string, message: DeliveredMessage) => void | Promise<void>;

export interface UpdateResult {
  /** Outbox messages the server stored (or had stored already). */
  published: number;
  /** Outbox messages the server refused; each was reported with a `rejected` event. */
  rejected: number;
  /** Messages handed to callbacks that returned. */
  delivered: number;
  configChanged: boolean;
}

export interface LiveConnection {
  /** Ends the connection; resolves when it has ended. */
  close(): Promise<void>;
  /** Resolves once the first connection is open (live events flow). */
  opened: Promise<void>;
}

export type ClientEvents = {
  /** A callback threw (its message comes again), or a background step failed. */
  error: (error: Error) => void;
  /** The server refused an outbox message for good; it left the outbox. */
  rejected: (entry: OutboxEntry, error: StratusError) => void;
  /** The overflow policy dropped these outbox messages. */
  dropped: (entries: OutboxEntry[]) => void;
  config: (values: ConfigValues) => void;
};
