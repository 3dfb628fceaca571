import {
  DEVICE_GUID,
  HEADER_DEVICE,
  HEADER_NONCE,
  HEADER_SIGNATURE,
  HEADER_TIME,
  NONCE,
  StratusError,
  sha256Hex,
  signRequest,
  signaturesEqual,
} from '../../protocol/index.js';
import type { SignedCall } from './types.js';

/** A call whose part formats, time and signature checked out (its nonce is not yet remembered). */
export interface VerifiedCall {
  guid: string;
  nonce: string;
  /** The secret that signed it: during a rotation, the old one until the overlap ends. */
  secret: string;
}

/** A part the call must have; the message names it as PROTOCOL §2 does (its header). */
export function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new StratusError('bad_signature', `missing header ${name}`);
  return value;
}

/**
 * PROTOCOL §2 without side effects: part formats, the time window (checked before the signature,
 * so a device with a wrong clock learns it from `stale_time`), and the signature by any of
 * `secrets`, newest first.
 */
export function verifySignedCall(app: string, secrets: readonly string[], call: SignedCall, windowSeconds: number): VerifiedCall {
  const guid = required(call.device, HEADER_DEVICE);
  const timeText = required(call.time, HEADER_TIME);
  const nonce = required(call.nonce, HEADER_NONCE);
  const signature = required(call.signature, HEADER_SIGNATURE);
  if (!DEVICE_GUID.test(guid)) throw new StratusError('bad_request', 'the device GUID must match [A-Za-z0-9_.:-]{1,64}');
  if (!NONCE.test(nonce)) throw new StratusError('bad_request', 'the nonce must match [A-Za-z0-9._-]{1,64}');
  if (!/^\d{1,12}$/.test(timeText)) throw new StratusError('stale_time', 'X-Stratus-Time must be unix seconds');
  const time = Number(timeText);
  const now = call.now;
  if (Math.abs(now - time) > windowSeconds) {
    throw new StratusError('stale_time', `request time is ${time - now} s from server time ${now}`);
  }
  const bodySha256 = call.bodySha256 ?? sha256Hex(call.body);
  const signed = { method: call.method, target: call.target, app, device: guid, time, nonce, bodySha256 };
  const secret = secrets.find((s) => signaturesEqual(signRequest(s, signed), signature));
  if (secret === undefined) throw new StratusError('bad_signature', 'unknown app or bad signature');
  return { guid, nonce, secret };
}
