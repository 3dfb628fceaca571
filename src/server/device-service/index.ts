// The device service (STYLE.md §12): the device rules of the contract, once, behind every transport.
export { DeviceService } from './device-service.js';
export { isPlainObject } from './items.js';
export { verifySignedCall, type VerifiedCall } from './verify.js';
export type {
  Authentication,
  ConfigResult,
  DeviceContext,
  LiveFeed,
  PublishResult,
  ReadResult,
  ResponseSigning,
  SignedCall,
  SyncResult,
} from './types.js';
