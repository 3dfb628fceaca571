import type { Command } from 'commander';
import { formatConfigText } from '../../protocol/index.js';
import { apiPath } from '../admin-client.js';
import { adminClient, globals, wholeNumber } from '../context.js';
import { formatTime, printJson, printTable } from '../output.js';

interface Entry {
  key: string;
  value: string;
  updatedAt: number;
}

function entriesPath(app: string, device?: string): string {
  return device ? apiPath(['apps', app, 'devices', device, 'config']) : apiPath(['apps', app, 'config']);
}

interface EntriesReply {
  entries: Entry[];
  /** The GUID has not called yet: the entries are prepared for it. */
  prepared?: boolean;
}

function printEntries({ entries, prepared }: EntriesReply, device?: string): void {
  printTable(entries.map((e) => ({ ...e, updatedAt: formatTime(e.updatedAt) })), ['key', 'value', 'updatedAt']);
  if (prepared) {
    process.stderr.write(`note: "${device}" has not called yet; these overrides are prepared for it and apply once its app's policy admits it\n`);
  }
}

export function configCommands(program: Command): void {
  const config = program.command('config').description('app-wide config and per-device overrides');
  const deviceOption = ['--device <guid>', 'the device whose overrides to use (one that has not called yet: prepared for it)'] as const;

  config
    .command('list <app>')
    .description('list entries (app-wide, or one device’s overrides)')
    .option(...deviceOption)
    .action(async (app: string, o: { device?: string }, cmd: Command) => {
      const reply = await adminClient(cmd).get<EntriesReply>(entriesPath(app, o.device));
      if (globals(cmd).json) return printJson(reply.entries);
      printEntries(reply, o.device);
    });

  config
    .command('set <app> <key> <value>')
    .description('set a key (quote keys with spaces: "refresh interval")')
    .option(...deviceOption)
    .action(async (app: string, key: string, value: string, o: { device?: string }, cmd: Command) => {
      const reply = await adminClient(cmd).request<EntriesReply>('PATCH', entriesPath(app, o.device), { set: { [key]: value } });
      if (globals(cmd).json) return printJson(reply.entries);
      printEntries(reply, o.device);
    });

  config
    .command('unset <app> <key>')
    .description('remove a key')
    .option(...deviceOption)
    .action(async (app: string, key: string, o: { device?: string }, cmd: Command) => {
      const reply = await adminClient(cmd).request<EntriesReply>('PATCH', entriesPath(app, o.device), { unset: [key] });
      if (globals(cmd).json) return printJson(reply.entries);
      printEntries(reply, o.device);
    });

  config
    .command('merged <app> <guid>')
    .description('the config a device receives, as text')
    .action(async (app: string, guid: string, _o: unknown, cmd: Command) => {
      const result = await adminClient(cmd).get<{ merged: { etag: string; values: Record<string, string> } }>(entriesPath(app, guid));
      if (globals(cmd).json) return printJson(result.merged);
      process.stdout.write(formatConfigText(result.merged.values));
    });

  config
    .command('history <app>')
    .description('config changes, newest first')
    .option(...deviceOption)
    .option('--limit <n>', 'how many', wholeNumber('--limit', 1), 50)
    .action(async (app: string, o: { device?: string; limit: number }, cmd: Command) => {
      const { history } = await adminClient(cmd).get<{ history: Record<string, unknown>[] }>(
        apiPath(['apps', app, 'config', 'history'], { device: o.device, limit: o.limit }),
      );
      if (globals(cmd).json) return printJson(history);
      printTable(history.map((h) => ({ ...h, time: formatTime(h.time as number), value: h.value ?? '(unset)' })), ['time', 'device', 'key', 'value', 'actor']);
    });
}
