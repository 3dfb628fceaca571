import type { FastifyInstance } from 'fastify';
import type { DeviceStatus, Grant } from '../../../protocol/index.js';
import type { AppRecord, DeviceRecord, InsertedDevice } from '../../../store/types.js';
import type { Services } from '../../services.js';
import { appNameParam, deviceParams, grantSchema, security } from './schemas.js';
import { deviceView, findApp, findDevice } from './lookups.js';

type DeviceParams = { app: string; device: string };

const ONLINE_SCAN_PAGE = 1000;

export function deviceRoutes(app: FastifyInstance, services: Services): void {
  const tags = ['devices'];

  app.get<{
    Params: { app: string };
    Querystring: { status?: DeviceStatus; online?: boolean; q?: string; limit?: number; offset?: number };
  }>(
    '/v1/admin/apps/:app/devices',
    {
      schema: {
        tags,
        security,
        summary: 'List devices with status and presence',
        params: appNameParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['approved', 'pending', 'denied'] },
            online: { type: 'boolean' },
            q: { type: 'string', maxLength: 64, description: 'Part of the GUID' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
          },
        },
      },
    },
    async (request) => {
      const target = await findApp(services, request.params.app);
      await services.presence.flushNews();
      const q = request.query;
      const limit = q.limit ?? 100;
      const offset = q.offset ?? 0;
      const filter = { ...(q.status ? { status: q.status } : {}), ...(q.q ? { search: q.q } : {}) };
      if (q.online === undefined) {
        const devices = await services.store.listDevices(target.id, { ...filter, limit, offset });
        return { devices: await Promise.all(devices.map((d) => deviceView(services, target, d))) };
      }
      // Online depends on each device's refresh interval (its config), so it is filtered here, over
      // as many store pages as it takes to fill this page (bounded: 100 000 devices scanned).
      const matching = [];
      for (let scanned = 0; matching.length < offset + limit && scanned < 100_000; scanned += ONLINE_SCAN_PAGE) {
        const page = await services.store.listDevices(target.id, { ...filter, limit: ONLINE_SCAN_PAGE, offset: scanned });
        for (const view of await Promise.all(page.map((d) => deviceView(services, target, d)))) if (view.online === q.online) matching.push(view);
        if (page.length < ONLINE_SCAN_PAGE) break;
      }
      return { devices: matching.slice(offset, offset + limit) };
    },
  );

  app.get<{ Params: DeviceParams }>(
    '/v1/admin/apps/:app/devices/:device',
    { schema: { tags, security, summary: 'Show a device', params: deviceParams } },
    async (request) => {
      const target = await findApp(services, request.params.app);
      await services.presence.flushNews();
      return { device: await deviceView(services, target, await findDevice(services, target, request.params.device)) };
    },
  );

  /** Approving an unknown GUID registers it ahead of its first request. */
  async function setStatus(target: AppRecord, guid: string, status: DeviceStatus): Promise<DeviceRecord> {
    const existing: InsertedDevice =
      (await services.store.getDevice(target.id, guid)) ??
      (await services.store.insertDevice({ appId: target.id, guid, status, now: services.clock(), address: null }));
    const updated = (await services.store.updateDevice(existing.id, { status })) as DeviceRecord;
    await services.cluster.deviceChanged(target.id, guid);
    // It took over config prepared for its GUID: the app's cached configs do not hold it yet.
    if (existing.presetApplied) await services.cluster.configChanged(target.id);
    return updated;
  }

  for (const [verb, status] of [
    ['approve', 'approved'],
    ['deny', 'denied'],
  ] as const) {
    app.post<{ Params: DeviceParams }>(
      `/v1/admin/apps/:app/devices/:device/${verb}`,
      { schema: { tags, security, summary: `Set the device's status to ${status}`, params: deviceParams } },
      async (request) => {
        const target = await findApp(services, request.params.app);
        return { device: await deviceView(services, target, await setStatus(target, request.params.device, status)) };
      },
    );
  }

  app.put<{ Params: DeviceParams; Body: { grants: Grant[] | null } }>(
    '/v1/admin/apps/:app/devices/:device/grants',
    {
      schema: {
        tags,
        security,
        summary: "Set the device's grants; null returns it to the app's defaults",
        params: deviceParams,
        body: {
          type: 'object',
          required: ['grants'],
          additionalProperties: false,
          properties: { grants: { anyOf: [{ type: 'array', items: grantSchema, maxItems: 100 }, { type: 'null' }] } },
        },
      },
    },
    async (request) => {
      const target = await findApp(services, request.params.app);
      const device = await findDevice(services, target, request.params.device);
      const updated = (await services.store.updateDevice(device.id, { grants: request.body.grants })) as DeviceRecord;
      await services.cluster.deviceChanged(target.id, device.guid);
      return { device: await deviceView(services, target, updated) };
    },
  );

  app.delete<{ Params: DeviceParams }>(
    '/v1/admin/apps/:app/devices/:device',
    {
      schema: {
        tags,
        security,
        summary: 'Forget a device: its record, cursors, config overrides and PRIVATE messages',
        params: deviceParams,
      },
    },
    async (request, reply) => {
      const target = await findApp(services, request.params.app);
      const device = await findDevice(services, target, request.params.device);
      services.presence.forget(device.id);
      await services.store.deleteDevice(device.id);
      await services.cluster.deviceChanged(target.id, device.guid);
      await services.cluster.configChanged(target.id);
      return reply.code(204).send();
    },
  );
}
