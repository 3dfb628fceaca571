// Name rules of PROTOCOL §1 (spec/PROTOCOL.md).

export const APP_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const DEVICE_GUID = /^[A-Za-z0-9_.:-]{1,64}$/;
export const NONCE = /^[A-Za-z0-9._-]{1,64}$/;
/** A shared scope name; `PRIVATE` is the device's own. Names starting with `$` are the server's. */
export const SCOPE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
export const STREAM_NAME = /^[A-Za-z0-9_.:/-]{1,128}$/;
/** A client's idempotency key for a message. */
export const MESSAGE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export const PRIVATE_SCOPE = 'PRIVATE';
/** The server-private scope where access requests, rejections and presence changes are recorded (PROTOCOL §7). */
export const SYSTEM_SCOPE = '$stratus';
export const SYSTEM_STREAMS = { access: 'access', rejections: 'rejections', presence: 'presence' } as const;

export function isSharedScope(scope: string): boolean {
  return scope !== PRIVATE_SCOPE && SCOPE_NAME.test(scope);
}
