import type { Command } from 'commander';
import { apiPath } from '../admin-client.js';
import { adminClient, globals } from '../context.js';
import { formatTime, printJson, printTable } from '../output.js';
import type { NodeRow } from '../top/model.js';

export function nodesCommand(program: Command): void {
  program
    .command('nodes')
    .description('list the Stratus nodes on the database and when each was last heard from')
    .action(async (_o: unknown, cmd: Command) => {
      const { nodes } = await adminClient(cmd).get<{ nodes: NodeRow[] }>(apiPath(['nodes']));
      if (globals(cmd).json) return printJson(nodes);
      printTable(
        nodes.map((n) => ({ ...n, id: n.self ? `${n.id} (this)` : n.id, alive: n.alive ? 'yes' : 'no', startedAt: formatTime(n.startedAt), lastHeard: formatTime(n.lastHeard) })),
        ['id', 'address', 'alive', 'lastHeard', 'startedAt'],
      );
    });
}
