import type { FastifyInstance } from 'fastify';
import {
  StratusError,
  configEtag,
  formatConfigText,
  keyProblem,
  reservedKeyProblem,
  signStaticConfig,
  valueProblem,
} from '../../../protocol/index.js';
import type { AppRecord, DeviceRecord } from '../../../store/types.js';
import type { Services } from '../../services.js';
import { appNameParam, configChangeSchema, deviceParams, security } from './schemas.js';
import { findApp, findDevice } from './lookups.js';

/**
 * A device's overrides may be prepared before it first calls (config_presets): `prepared` says the
 * GUID has no device yet. It is not admitted by this: its app's policy decides when it calls.
 */
async function deviceOrGuid(services: Services, target: AppRecord, guid: string): Promise<DeviceRecord | { guid: string }> {
  return (await services.store.getDevice(target.id, guid)) ?? { guid };
}

const isDevice = (d: DeviceRecord | { guid: string }): d is DeviceRecord => 'id' in d;

interface ConfigChangeBody {
  set?: Record<string, string>;
  unset?: string[];
}

/** Validates every key and value first, so a bad change writes nothing. */
function validateChange(body: ConfigChangeBody): { set: Record<string, string>; unset: string[] } {
  const set = body.set ?? {};
  const unset = body.unset ?? [];
  for (const [key, value] of Object.entries(set)) {
    const problem = keyProblem(key) ?? valueProblem(value) ?? reservedKeyProblem(key, value);
    if (problem) throw new StratusError('bad_request', `set "${key}": ${problem}`);
  }
  for (const key of unset) {
    const problem = keyProblem(key);
    if (problem) throw new StratusError('bad_request', `unset "${key}": ${problem}`);
    if (Object.hasOwn(set, key)) throw new StratusError('bad_request', `"${key}" is both set and unset`);
  }
  if (Object.keys(set).length + unset.length === 0) throw new StratusError('bad_request', 'nothing to set or unset');
  return { set, unset };
}

async function entriesOf(services: Services, target: AppRecord, deviceId: number | null) {
  return (await services.store.configEntries(target.id))
    .filter((e) => e.deviceId === deviceId)
    .map(({ key, value, updatedAt }) => ({ key, value, updatedAt }));
}

export function configRoutes(app: FastifyInstance, services: Services): void {
  const tags = ['config'];

  app.get<{ Params: { app: string } }>(
    '/v1/admin/apps/:app/config',
    { schema: { tags, security, summary: 'App-wide config entries', params: appNameParam } },
    async (request) => {
      const target = await findApp(services, request.params.app);
      return { entries: await entriesOf(services, target, null) };
    },
  );

  app.patch<{ Params: { app: string }; Body: ConfigChangeBody }>(
    '/v1/admin/apps/:app/config',
    {
      schema: { tags, security, summary: 'Set and unset app-wide keys, in one change', params: appNameParam, body: configChangeSchema },
    },
    async (request) => {
      const target = await findApp(services, request.params.app);
      const change = validateChange(request.body);
      await services.store.changeConfig({ appId: target.id, deviceId: null, ...change, now: services.clock(), actor: 'admin' });
      await services.cluster.configChanged(target.id);
      return { entries: await entriesOf(services, target, null) };
    },
  );

  app.get<{ Params: { app: string; device: string } }>(
    '/v1/admin/apps/:app/devices/:device/config',
    {
      schema: {
        tags,
        security,
        summary: "A device's overrides and the merged config it receives (prepared: the GUID has not called yet)",
        params: deviceParams,
      },
    },
    async (request) => {
      const target = await findApp(services, request.params.app);
      const device = await deviceOrGuid(services, target, request.params.device);
      if (isDevice(device)) {
        const merged = await services.configs.forDevice(target.id, device.id);
        return { entries: await entriesOf(services, target, device.id), merged: { etag: merged.etag, values: merged.values }, prepared: false };
      }
      const entries = await services.store.presetConfig(target.id, device.guid);
      const appWide = await services.configs.forDevice(target.id, null);
      const values = { ...appWide.values, ...Object.fromEntries(entries.map((e) => [e.key, e.value])) };
      return { entries, merged: { etag: configEtag(formatConfigText(values)), values }, prepared: true };
    },
  );

  app.patch<{ Params: { app: string; device: string }; Body: ConfigChangeBody }>(
    '/v1/admin/apps/:app/devices/:device/config',
    {
      schema: {
        tags,
        security,
        summary: 'Set and unset per-device overrides; for a GUID that has not called yet, prepared for its first call (prepared: true)',
        params: deviceParams,
        body: configChangeSchema,
      },
    },
    async (request) => {
      const target = await findApp(services, request.params.app);
      const change = validateChange(request.body);
      const guid = request.params.device;
      const common = { appId: target.id, ...change, now: services.clock(), actor: 'admin' };
      let device = await services.store.getDevice(target.id, guid);
      // Refused when the device appeared meanwhile: then it is its overrides that change.
      if (!device && (await services.store.changePresetConfig({ ...common, guid }))) {
        return { entries: await services.store.presetConfig(target.id, guid), prepared: true };
      }
      device ??= await findDevice(services, target, guid);
      await services.store.changeConfig({ ...common, deviceId: device.id });
      await services.cluster.configChanged(target.id);
      return { entries: await entriesOf(services, target, device.id), prepared: false };
    },
  );

  app.get<{ Params: { app: string }; Querystring: { device?: string; limit?: number } }>(
    '/v1/admin/apps/:app/config/history',
    {
      schema: {
        tags,
        security,
        summary: 'Config changes, newest first',
        params: appNameParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            device: deviceParams.properties.device,
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (request) => {
      const target = await findApp(services, request.params.app);
      const device = request.query.device ? await findDevice(services, target, request.query.device) : null;
      const history = await services.store.configHistory(target.id, device?.id ?? null, request.query.limit ?? 100);
      return { history };
    },
  );

  app.get<{ Params: { app: string }; Querystring: { all?: boolean } }>(
    '/v1/admin/apps/:app/config/export',
    {
      schema: {
        tags,
        security,
        summary: 'Signed static config files (PROTOCOL §5.4): default.txt, and devices/<guid>.txt per device with overrides (every device with all=true)',
        params: appNameParam,
        querystring: { type: 'object', additionalProperties: false, properties: { all: { type: 'boolean', default: false } } },
      },
    },
    async (request) => {
      const target = await findApp(services, request.params.app);
      const secret = (await services.store.activeSecrets(target.id, services.clock()))[0]?.secret;
      if (!secret) throw new StratusError('unavailable', `app "${target.name}" has no valid secret; rotate one`);
      const appWide = await services.configs.forDevice(target.id, null);
      const files = [
        { device: null as string | null, name: 'default.txt', content: signStaticConfig(secret, target.name, '*', appWide.values) },
      ];
      const skipped: { device: string; reason: string }[] = [];
      const withOverrides = new Set((await services.store.configEntries(target.id)).map((e) => e.deviceId));
      const devices = await services.store.listDevices(target.id, { limit: 1_000_000, offset: 0 });
      for (const d of devices) {
        if (!request.query.all && !withOverrides.has(d.id)) continue;
        // Device files sit in their own folder, so no GUID (`default` included) meets default.txt.
        if (d.guid.startsWith('.')) {
          skipped.push({ device: d.guid, reason: 'a file name starting with "." is hidden by most static hosts' });
          continue;
        }
        const view = await services.configs.forDevice(target.id, d.id);
        files.push({ device: d.guid, name: `devices/${d.guid}.txt`, content: signStaticConfig(secret, target.name, d.guid, view.values) });
      }
      return { files, skipped };
    },
  );
}
