// The browser entry of the client SDK (package.json "exports" → "browser"): no SQLite, no machine
// GUID. Pass `device` and a storage (MemoryStorage, or your own ClientStorage on IndexedDB).
export { ClientError, StratusError, type ClientErrorCode } from './errors.js';
export { MemoryStorage, type ClientStorage, type OutboxEntry, type OverflowPolicy } from './outbox.js';
export {
  StratusClient,
  type Delay,
  type LiveConnection,
  type MessageCallback,
  type PublishOptions,
  type PublishReceipt,
  type StratusOptions,
  type SubscribeOptions,
  type UpdateResult,
} from './stratus.js';
export type { RetryOptions } from './transport.js';
export type { ConfigValues, DeliveredMessage } from '../protocol/index.js';
