import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { security } from './schemas.js';

/** How often each node records that it is alive, and after how many missed beats it counts as gone. */
export const NODE_HEARTBEAT_MS = 5000;
const MISSED_BEATS = 3;

/** The nodes on this database, each with whether it beat lately and whether it is this one. */
export async function nodeViews(services: Services) {
  const gone = services.clock() - (MISSED_BEATS * NODE_HEARTBEAT_MS) / 1000;
  const nodes = await services.store.listNodes();
  return nodes.map((n) => ({ ...n, alive: n.lastHeard >= gone, self: n.id === services.store.nodeId }));
}

export function nodeRoutes(app: FastifyInstance, services: Services): void {
  app.get(
    '/v1/admin/nodes',
    { schema: { tags: ['nodes'], security, summary: 'The Stratus nodes on this database and when each was last heard from' } },
    async () => ({ nodes: await nodeViews(services) }),
  );
}
