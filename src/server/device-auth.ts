import type { IncomingHttpHeaders } from 'node:http';
import {
  DEVICE_GUID,
  HEADER_APP,
  HEADER_DEVICE,
  HEADER_NONCE,
  HEADER_SIGNATURE,
  HEADER_TIME,
  NONCE,
  StratusError,
  sha256Hex,
  signRequest,
  signaturesEqual,
  type Grant,
} from '../protocol/index.js';
import type { AppRecord, DeviceRecord } from '../store/types.js';
import { secretsAt } from './directory.js';
import type { DeviceCall } from './routes/device/http.js';
import { refreshSecondsOf, type Services } from './services.js';

/** An authenticated, admitted device request. */
export interface DeviceContext {
  app: AppRecord;
  device: DeviceRecord;
  grants: readonly Grant[];
  now: number;
}

/** Set as soon as the app is known, so that every answer, errors included, is signed (PROTOCOL §3). */
export interface ResponseSigning {
  secret: string;
  nonce: string;
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  if (typeof value !== 'string' || value === '') throw new StratusError('bad_signature', `missing header ${name}`);
  return value;
}

/** A request whose signature, time and header formats checked out (its nonce is not yet remembered). */
export interface VerifiedRequest {
  guid: string;
  time: number;
  nonce: string;
  /** The secret that signed it: during a rotation, the old one until the overlap ends. */
  secret: string;
}

/** PROTOCOL §2 without side effects: header formats, time window and signature by any of `secrets`. */
export function verifyRequest(
  app: string,
  secrets: readonly string[],
  headers: IncomingHttpHeaders,
  method: string,
  target: string,
  body: Buffer | string,
  now: number,
  windowSeconds: number,
): VerifiedRequest {
  const guid = header(headers, HEADER_DEVICE);
  const timeText = header(headers, HEADER_TIME);
  const nonce = header(headers, HEADER_NONCE);
  const signature = header(headers, HEADER_SIGNATURE);
  if (!DEVICE_GUID.test(guid)) throw new StratusError('bad_request', 'the device GUID must match [A-Za-z0-9_.:-]{1,64}');
  if (!NONCE.test(nonce)) throw new StratusError('bad_request', 'the nonce must match [A-Za-z0-9._-]{1,64}');
  if (!/^\d{1,12}$/.test(timeText)) throw new StratusError('stale_time', 'X-Stratus-Time must be unix seconds');
  const time = Number(timeText);
  if (Math.abs(now - time) > windowSeconds) {
    throw new StratusError('stale_time', `request time is ${time - now} s from server time ${now}`);
  }
  const signed = { method, target, app, device: guid, time, nonce, bodySha256: sha256Hex(body) };
  const secret = secrets.find((s) => signaturesEqual(signRequest(s, signed), signature));
  if (secret === undefined) throw new StratusError('bad_signature', 'unknown app or bad signature');
  return { guid, time, nonce, secret };
}

/**
 * PROTOCOL §2 and §7: verifies the signature, time and nonce, then admits the device by the app's
 * policy. Throws a StratusError with the code to answer.
 */
export async function authenticateDevice(services: Services, call: DeviceCall): Promise<DeviceContext> {
  const now = call.time;
  const appName = header(call.headers, HEADER_APP);
  const cached = services.directory.peekApp(appName) ?? (await services.directory.app(appName, now));
  const secrets = cached ? secretsAt(cached, now) : [];
  const newest = secrets[0];
  if (!cached || newest === undefined) throw new StratusError('bad_signature', 'unknown app or bad signature');
  const nonceHeader = call.headers[HEADER_NONCE];
  call.signing = { secret: newest, nonce: typeof nonceHeader === 'string' ? nonceHeader : '' };

  const { guid, nonce, secret } = verifyRequest(
    cached.app.name,
    secrets,
    call.headers,
    call.method,
    call.target,
    call.body,
    now,
    services.options.timeWindowSeconds,
  );
  call.signing = { secret, nonce };
  if (!services.nonces.remember(appName, guid, nonce, now)) {
    throw new StratusError('replayed', 'this nonce was used already inside the time window');
  }

  const app = cached.app;
  const wait = services.rateLimiter.take(`${app.id}:${guid}`, services.clockMs());
  if (wait > 0) throw new StratusError('rate_limited', 'too many requests from this device', { retryAfterSeconds: wait });

  const { device, created } = await admit(services, app, guid, call.ip, now);
  const lastSeen = created ? null : device.lastSeen;
  services.presence.checkIn(app, device, lastSeen, call.ip, now, await refreshSecondsOf(services, app.id, device.id));
  if (device.status === 'pending') throw new StratusError('pending_approval', 'device awaits approval');
  if (device.status === 'denied') {
    await services.events.recordRejection(app, guid, 'denied', call.ip, now);
    throw new StratusError('denied', 'device is denied');
  }
  return { app, device, grants: device.grants ?? app.defaultGrants, now };
}

async function admit(
  services: Services,
  app: AppRecord,
  guid: string,
  address: string,
  now: number,
): Promise<{ device: DeviceRecord; created: boolean }> {
  const known = services.directory.peekDevice(app.id, guid) ?? (await services.directory.device(app.id, guid));
  if (known) return { device: known, created: false };
  if (app.policy === 'closed') {
    await services.events.recordRejection(app, guid, 'denied', address, now);
    throw new StratusError('denied', 'this app admits no new devices (an admin can approve this GUID ahead: stratus device approve APP GUID)');
  }
  const status = app.policy === 'open' ? 'approved' : 'pending';
  await services.quotas.checkNewDevice(app, address, status === 'pending', now);
  const device = await services.store.insertDevice({ appId: app.id, guid, status, now, address });
  services.directory.rememberDevice(device);
  // It took over config prepared for its GUID: the app's cached configs do not hold it yet.
  if (device.presetApplied) await services.cluster.configChanged(app.id);
  if (status === 'pending') await services.events.record(app, 'access', { device: guid, address }, now);
  return { device, created: true };
}
