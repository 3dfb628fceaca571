import { Command, Option } from 'commander';
import { StratusError } from '../../protocol/index.js';
import { adminClient, globals } from '../context.js';
import { formatTime, printJson, printTable } from '../output.js';
import { readFeed } from '../top/feed.js';
import { FleetModel } from '../top/model.js';
import { SORT_KEYS, type SortKey } from '../top/view.js';

function interval(text: string): number {
  const ms = Number(text);
  if (!/^\d+$/.test(text) || ms < 250 || ms > 60_000) throw new StratusError('bad_request', `--interval must be milliseconds from 250 to 60000 (got "${text}")`);
  return ms;
}

/** The first snapshot of the admin event stream, then the stream is closed. */
async function snapshot(cmd: Command): Promise<Record<string, unknown>> {
  const stop = new AbortController();
  let first: Record<string, unknown> | null = null;
  await readFeed(adminClient(cmd), 1000, stop.signal, (e) => {
    if (e.event !== 'snapshot' || first) return;
    first = e.data as Record<string, unknown>;
    stop.abort();
  });
  if (!first) throw new StratusError('unavailable', 'the server closed the event stream before sending a snapshot');
  return first;
}

export function topCommand(program: Command): void {
  program
    .command('top')
    .description('a live full-screen view of the fleet: apps, pending devices (approve or deny), busiest streams, nodes (q quits)')
    .option('--once', 'print one snapshot as tables and exit (with --json: as JSON)', false)
    .option('--interval <ms>', 'milliseconds between counter updates', interval, 1000)
    .addOption(new Option('--sort <key>', 'sort the apps by').choices(SORT_KEYS).default('name'))
    .option('--filter <text>', 'show only apps, devices and streams whose names contain this', '')
    .addHelpText('after', '\nKeys: q quit · s next sort · / filter (Enter keeps it, Esc clears) · ↑↓ select a pending device · a approve · d deny\nSee docs/top.md.')
    .action(async (o: { once: boolean; interval: number; sort: SortKey; filter: string }, cmd: Command) => {
      const json = globals(cmd).json;
      if (o.once || json) {
        const snap = await snapshot(cmd);
        if (json) return printJson(snap);
        const model = new FleetModel();
        model.apply({ event: 'snapshot', data: snap }, Date.now());
        process.stdout.write(`Fleet at ${formatTime(model.time)} (node ${model.node})\n\n`);
        printTable(model.apps.map((a) => ({ ...a })), ['name', 'policy', 'devices', 'online', 'offline', 'pending', 'published', 'delivered']);
        process.stdout.write('\nPending devices\n');
        printTable(model.pending.map((p) => ({ ...p, firstSeen: formatTime(p.firstSeen) })), ['app', 'device', 'address', 'firstSeen']);
        process.stdout.write('\nNodes\n');
        printTable(model.nodes.map((n) => ({ ...n, alive: n.alive ? 'yes' : 'no', lastHeard: formatTime(n.lastHeard) })), ['id', 'address', 'alive', 'lastHeard']);
        return;
      }
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        throw new StratusError('bad_request', 'stratus top needs a terminal; use --once or --json for a snapshot in scripts');
      }
      const { runLive } = await import('../top/live.js'); // the terminal library only when it draws
      await runLive(adminClient(cmd), { intervalMs: o.interval, sort: o.sort, filter: o.filter });
      process.exit(0); // the terminal's input handle would keep the process alive
    });
}
