import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { StratusError, type Grant, type Policy } from '../../../protocol/index.js';
import type { Services } from '../../services.js';
import { appNameParam, grantSchema, policySchema, security, ttlSchema } from './schemas.js';
import { appView, findApp } from './lookups.js';

export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

const ALL_GRANTS: Grant[] = [
  { action: 'publish', scope: '*', stream: '*' },
  { action: 'subscribe', scope: '*', stream: '*' },
];

interface AppBody {
  name: string;
  policy?: Policy;
  defaultTtlSeconds?: number;
  maxTtlSeconds?: number;
  defaultGrants?: Grant[];
}

function checkTtls(defaultTtl: number, maxTtl: number): void {
  if (defaultTtl > maxTtl) {
    throw new StratusError('bad_request', `defaultTtlSeconds (${defaultTtl}) may not exceed maxTtlSeconds (${maxTtl})`);
  }
}

export function appRoutes(app: FastifyInstance, services: Services): void {
  const tags = ['apps'];

  app.get('/v1/admin/apps', { schema: { tags, security, summary: 'List apps' } }, async () => ({
    apps: (await services.store.listApps()).map(appView),
  }));

  app.post<{ Body: AppBody }>(
    '/v1/admin/apps',
    {
      schema: {
        tags,
        security,
        summary: 'Create an app; its first secret is in the answer, and only there',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: appNameParam.properties.app,
            policy: policySchema,
            defaultTtlSeconds: ttlSchema,
            maxTtlSeconds: ttlSchema,
            defaultGrants: { type: 'array', items: grantSchema, maxItems: 100 },
          },
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const input = {
        name: b.name,
        policy: b.policy ?? 'approval',
        defaultTtlSeconds: b.defaultTtlSeconds ?? services.options.defaultTtlSeconds,
        maxTtlSeconds: b.maxTtlSeconds ?? services.options.maxTtlSeconds,
        defaultGrants: b.defaultGrants ?? ALL_GRANTS,
      };
      checkTtls(input.defaultTtlSeconds, input.maxTtlSeconds);
      const secret = newSecret();
      const created = await services.store.insertApp(input, secret, services.clock());
      return reply.code(201).send({ app: appView(created), secret });
    },
  );

  app.get<{ Params: { app: string } }>(
    '/v1/admin/apps/:app',
    { schema: { tags, security, summary: 'Show an app', params: appNameParam } },
    async (request) => ({ app: appView(await findApp(services, request.params.app)) }),
  );

  app.patch<{ Params: { app: string }; Body: Omit<Partial<AppBody>, 'name'> }>(
    '/v1/admin/apps/:app',
    {
      schema: {
        tags,
        security,
        summary: 'Change policy, TTLs or default grants',
        params: appNameParam,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            policy: policySchema,
            defaultTtlSeconds: ttlSchema,
            maxTtlSeconds: ttlSchema,
            defaultGrants: { type: 'array', items: grantSchema, maxItems: 100 },
          },
        },
      },
    },
    async (request) => {
      const current = await findApp(services, request.params.app);
      const patch = request.body;
      checkTtls(patch.defaultTtlSeconds ?? current.defaultTtlSeconds, patch.maxTtlSeconds ?? current.maxTtlSeconds);
      const updated = await services.store.updateApp(current.id, patch);
      await services.cluster.appChanged(current.name);
      return { app: appView(updated) };
    },
  );

  app.post<{ Params: { app: string }; Body: { overlapSeconds?: number } | undefined }>(
    '/v1/admin/apps/:app/rotate-secret',
    {
      schema: {
        tags,
        security,
        summary: 'Issue a new secret; the old ones stay valid for the overlap (default one day)',
        params: appNameParam,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { overlapSeconds: { type: 'integer', minimum: 0, maximum: 31_536_000 } },
        },
      },
    },
    async (request) => {
      const current = await findApp(services, request.params.app);
      const now = services.clock();
      const previousValidUntil = now + (request.body?.overlapSeconds ?? 86_400);
      const secret = newSecret();
      await services.store.rotateSecret(current.id, secret, now, previousValidUntil);
      await services.cluster.appChanged(current.name);
      return { secret, previousValidUntil };
    },
  );
}
