import { HEADER_APP, StratusError } from '../../protocol/index.js';
import type { AppRecord, DeviceRecord } from '../../store/types.js';
import { secretsAt } from '../directory.js';
import { refreshSecondsOf, type Services } from '../services.js';
import { required, verifySignedCall, type VerifiedCall } from './verify.js';
import type { Authentication, SignedCall } from './types.js';

/**
 * PROTOCOL §2, §7 and §8, in this order: the app and its secrets, the signature and time, the
 * nonce (replay), the per-device rate limit, admission by policy, the presence check-in, then the
 * device's status. Never throws: a refusal comes back with the signing its answer needs.
 */
export async function authenticate(services: Services, call: SignedCall): Promise<Authentication> {
  const now = call.now;
  // The secrets the answer is signed with: the newest once the app is known, the verifying one after.
  let newest: string | null = null;
  let verified: VerifiedCall | null = null;
  try {
    const appName = required(call.app, HEADER_APP);
    const cached = services.directory.peekApp(appName) ?? (await services.directory.app(appName, now));
    const secrets = cached ? secretsAt(cached, now) : [];
    newest = secrets[0] ?? null;
    if (!cached || newest === null) throw new StratusError('bad_signature', 'unknown app or bad signature');

    verified = verifySignedCall(cached.app.name, secrets, call, services.options.timeWindowSeconds);
    const { guid, nonce } = verified;
    if (!services.nonces.remember(appName, guid, nonce, now)) {
      throw new StratusError('replayed', 'this nonce was used already inside the time window');
    }

    const app = cached.app;
    const wait = services.rateLimiter.take(`${app.id}:${guid}`, services.clockMs());
    if (wait > 0) throw new StratusError('rate_limited', 'too many requests from this device', { retryAfterSeconds: wait });

    const known = services.directory.peekDevice(app.id, guid) ?? (await services.directory.device(app.id, guid));
    const device = known ?? (await admitNew(services, app, guid, call.address, now));
    const lastSeen = known ? device.lastSeen : null;
    services.presence.checkIn(app, device, lastSeen, call.address, now, await refreshSecondsOf(services, app.id, device.id));
    if (device.status === 'pending') throw new StratusError('pending_approval', 'device awaits approval');
    if (device.status === 'denied') {
      await services.events.recordRejection(app, guid, 'denied', call.address, now);
      throw new StratusError('denied', 'device is denied');
    }
    return { ok: true, context: { app, device, grants: device.grants ?? app.defaultGrants, now }, signing: { secret: verified.secret, nonce } };
  } catch (error) {
    const signing = verified ? { secret: verified.secret, nonce: verified.nonce } : newest === null ? null : { secret: newest, nonce: call.nonce ?? '' };
    return { ok: false, error, signing };
  }
}

/** A GUID the app has not seen: admitted, registered pending, or refused, by the app's policy (§7). */
async function admitNew(services: Services, app: AppRecord, guid: string, address: string, now: number): Promise<DeviceRecord> {
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
  return device;
}
