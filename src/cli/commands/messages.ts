import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { StratusError } from '../../protocol/index.js';
import { apiPath } from '../admin-client.js';
import { adminClient, globals, wholeNumber } from '../context.js';
import { formatTime, printJson, printTable } from '../output.js';
import { addDeviceOptions, publishAsDevice } from './device-messages.js';

const TAIL_COLUMNS = ['seq', 'time', 'from', 'value'] as const;

/** A stored message as the admin API lists it. */
export interface Message {
  seq: number;
  value: string;
  from: string;
  time: number;
}

/** `scope/stream`, where PRIVATE streams are named `PRIVATE:<device>/stream`. */
export function parseAddress(address: string): { scope: string; stream: string; owner?: string } {
  const slash = address.indexOf('/');
  if (slash <= 0) throw new StratusError('bad_request', `"${address}" is not scope/stream (PRIVATE streams: PRIVATE:<device>/<stream>)`);
  const scopePart = address.slice(0, slash);
  const stream = address.slice(slash + 1);
  const m = /^PRIVATE:(.+)$/.exec(scopePart);
  return m ? { scope: 'PRIVATE', owner: m[1] as string, stream } : { scope: scopePart, stream };
}

export function messageCommands(program: Command): void {
  addDeviceOptions(
    program
      .command('pub <app> <address> <value>')
      .description('publish as the admin (address scope/stream or PRIVATE:<device>/stream), or as a device with --secret'),
  )
    .option('--ttl <seconds>', 'time to live', wholeNumber('--ttl', 1))
    .option('--id <id>', 'idempotency id: a retry with it stores nothing new (admin)')
    .action(async (app: string, address: string, value: string, o: { ttl?: number; id?: string; secret?: string; device?: string }, cmd: Command) => {
      if (o.secret) return publishAsDevice(cmd, app, address, value, { ...o, secret: o.secret });
      const body = { ...parseAddress(address), value, ttl: o.ttl, id: o.id };
      const result = await adminClient(cmd).request<{ seq: number }>('POST', apiPath(['apps', app, 'messages']), body);
      if (globals(cmd).json) return printJson(result);
      process.stdout.write(`published ${address} seq ${result.seq}\n`);
    });

  program
    .command('tail <app> <address>')
    .description('print the messages of a stream; -f follows new ones (address as for pub, or $stratus/presence)')
    .option('--after <seq>', 'start after this seq', wholeNumber('--after'), 0)
    .option('-n, --limit <n>', 'print at most n messages', wholeNumber('--limit', 1))
    .option('-f, --follow', 'keep polling for new messages')
    .option('--interval <ms>', 'poll interval with --follow', wholeNumber('--interval', 50), 1000)
    .action(async (app: string, address: string, o: { after: number; limit?: number; follow?: boolean; interval: number }, cmd: Command) => {
      const client = adminClient(cmd);
      const json = globals(cmd).json;
      const ref = parseAddress(address);
      let after = o.after;
      let printed = 0;
      let stop = false;
      // Only a follower waits; without -f, Ctrl-C keeps its usual meaning.
      if (o.follow) process.once('SIGINT', () => (stop = true));
      let headerShown = false;
      const show = (messages: Message[]): void => {
        if (json) {
          for (const m of messages) process.stdout.write(JSON.stringify(m) + '\n');
        } else if (messages.length > 0) {
          // Page by page (a stream can be long), with the header once.
          printTable(messages.map((m) => ({ ...m, time: formatTime(m.time) })), TAIL_COLUMNS, { header: !headerShown });
          headerShown = true;
        }
      };
      while (!stop) {
        const page = Math.min(1000, o.limit === undefined ? 1000 : o.limit - printed);
        const { messages } = await client.get<{ messages: Message[] }>(apiPath(['apps', app, 'messages'], { ...ref, after, limit: page }));
        show(messages);
        printed += messages.length;
        after = messages.at(-1)?.seq ?? after;
        if (o.limit !== undefined && printed >= o.limit) break;
        if (messages.length === page) continue; // a full page: there may be more right now
        if (!o.follow) break;
        await sleep(o.interval);
      }
      if (!json && !o.follow && printed === 0) printTable([], TAIL_COLUMNS);
    });
}
