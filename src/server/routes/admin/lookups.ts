import { StratusError } from '../../../protocol/index.js';
import type { AppRecord, DeviceRecord } from '../../../store/types.js';
import { refreshSecondsOf, type Services } from '../../services.js';

export async function findApp(services: Services, name: string): Promise<AppRecord> {
  const app = await services.store.getApp(name);
  if (!app) throw new StratusError('not_found', `no app named "${name}" (see GET /v1/admin/apps)`);
  return app;
}

export async function findDevice(services: Services, app: AppRecord, guid: string): Promise<DeviceRecord> {
  const device = await services.store.getDevice(app.id, guid);
  if (!device) throw new StratusError('not_found', `no device "${guid}" in app "${app.name}": a device appears when it first calls (stratus device approve registers one ahead)`);
  return device;
}

export function appView(app: AppRecord) {
  const { id: _id, ...view } = app;
  return view;
}

/** A device as admins see it: presence with the online flag, and the grants in force. */
export async function deviceView(services: Services, app: AppRecord, device: DeviceRecord) {
  const refresh = await refreshSecondsOf(services, app.id, device.id);
  // repeat check-ins reach the store in slices (presence.ts): this node's newer time, if any
  const lastSeen = Math.max(device.lastSeen, services.presence.pendingSeen(device.id));
  return {
    guid: device.guid,
    status: device.status,
    grants: device.grants,
    effectiveGrants: device.grants ?? app.defaultGrants,
    firstSeen: device.firstSeen,
    lastSeen,
    lastAddress: device.lastAddress,
    // An admin can register a device before it ever calls: it has no address yet and is not online.
    online: device.lastAddress !== null && lastSeen >= services.clock() - 2 * refresh,
  };
}
