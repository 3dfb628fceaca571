import { StratusError } from '../protocol/index.js';

export { StratusError };

/** Errors the client raises itself; the server's own refusals arrive as StratusError with its code. */
export type ClientErrorCode =
  /** The server could not be reached after every retry. */
  | 'network'
  /** An answer whose signature did not verify, or that is not what the protocol says: never used as data. */
  | 'bad_response'
  /** The outbox is full and the overflow policy is `reject`. */
  | 'outbox_full'
  /** The client was closed. */
  | 'closed'
  /** The storage file was written by a newer SDK (its schema version is above this one's). */
  | 'storage_version';

export class ClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClientError';
  }
}
