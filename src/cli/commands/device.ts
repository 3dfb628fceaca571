import type { Command } from 'commander';
import { formatGrant, parseGrant, StratusError, type Grant } from '../../protocol/index.js';
import { apiPath } from '../admin-client.js';
import { adminClient, globals, wholeNumber } from '../context.js';
import { formatTime, printJson, printTable } from '../output.js';

interface DeviceView {
  guid: string;
  status: string;
  grants: Grant[] | null;
  effectiveGrants: Grant[];
  firstSeen: number;
  lastSeen: number;
  lastAddress: string | null;
  online: boolean;
}

function printDevices(devices: DeviceView[]): void {
  printTable(
    devices.map((d) => ({
      ...d,
      online: d.online ? 'online' : 'offline',
      lastSeen: formatTime(d.lastSeen),
      grants: (d.grants ?? d.effectiveGrants).map(formatGrant).join(',') + (d.grants ? '' : ' (app default)'),
    })),
    ['guid', 'status', 'online', 'lastSeen', 'lastAddress', 'grants'],
  );
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function deviceCommands(program: Command): void {
  const device = program.command('device').description('list, approve, deny, grant and forget devices');

  device
    .command('list <app>')
    .description('list devices with status and presence')
    .option('--status <status>', 'approved | pending | denied')
    .option('--online', 'only devices online now')
    .option('--offline', 'only devices offline now')
    .option('--search <text>', 'part of the GUID')
    .option('--limit <n>', 'how many', wholeNumber('--limit', 1), 100)
    .action(async (app: string, o: { status?: string; online?: boolean; offline?: boolean; search?: string; limit: number }, cmd: Command) => {
      if (o.online && o.offline) throw new StratusError('bad_request', 'choose --online or --offline, not both');
      const online = o.online ? true : o.offline ? false : undefined;
      const path = apiPath(['apps', app, 'devices'], { status: o.status, online, q: o.search, limit: o.limit });
      const { devices } = await adminClient(cmd).get<{ devices: DeviceView[] }>(path);
      if (globals(cmd).json) return printJson(devices);
      printDevices(devices);
    });

  device
    .command('show <app> <guid>')
    .description('show one device')
    .action(async (app: string, guid: string, _o: unknown, cmd: Command) => {
      const { device: d } = await adminClient(cmd).get<{ device: DeviceView }>(apiPath(['apps', app, 'devices', guid]));
      if (globals(cmd).json) return printJson(d);
      printDevices([d]);
    });

  for (const [verb, what] of [
    ['approve', 'approve a device (an unknown GUID is registered approved)'],
    ['deny', 'deny a device'],
  ] as const) {
    device
      .command(`${verb} <app> <guid>`)
      .description(what)
      .action(async (app: string, guid: string, _o: unknown, cmd: Command) => {
        const { device: d } = await adminClient(cmd).request<{ device: DeviceView }>('POST', apiPath(['apps', app, 'devices', guid, verb]));
        if (globals(cmd).json) return printJson(d);
        process.stdout.write(`${d.guid}: ${d.status}\n`);
      });
  }

  device
    .command('grant <app> <guid>')
    .description("set a device's grants, e.g. --publish home/temp --subscribe 'home/cmd*'")
    .option('--publish <scope/stream>', 'allow publishing (repeatable; * matches anything)', collect, [])
    .option('--subscribe <scope/stream>', 'allow subscribing (repeatable)', collect, [])
    .option('--default', "return to the app's default grants")
    .action(async (app: string, guid: string, o: { publish: string[]; subscribe: string[]; default?: boolean }, cmd: Command) => {
      const texts = [...o.publish.map((p) => `publish:${p}`), ...o.subscribe.map((s) => `subscribe:${s}`)];
      if (o.default && texts.length > 0) throw new StratusError('bad_request', '--default takes no --publish or --subscribe');
      if (!o.default && texts.length === 0) throw new StratusError('bad_request', 'give --publish, --subscribe or --default');
      const grants = texts.map((t) => {
        const g = parseGrant(t);
        if (!g) throw new StratusError('bad_request', `"${t.replace(/^\w+:/, '')}" is not scope or scope/stream`);
        return g;
      });
      const { device: d } = await adminClient(cmd).request<{ device: DeviceView }>(
        'PUT',
        apiPath(['apps', app, 'devices', guid, 'grants']),
        { grants: o.default ? null : grants },
      );
      if (globals(cmd).json) return printJson(d);
      printDevices([d]);
    });

  device
    .command('forget <app> <guid>')
    .description('delete a device with its cursors, config overrides and PRIVATE messages')
    .action(async (app: string, guid: string, _o: unknown, cmd: Command) => {
      await adminClient(cmd).request('DELETE', apiPath(['apps', app, 'devices', guid]));
      if (globals(cmd).json) return printJson({ forgotten: guid });
      process.stdout.write(`forgot ${guid}\n`);
    });

  device
    .command('requests <app>')
    .description('devices waiting for approval and recent rejections')
    .action(async (app: string, _o: unknown, cmd: Command) => {
      const result = await adminClient(cmd).get<{ pending: DeviceView[]; rejections: unknown[] }>(apiPath(['apps', app, 'access-requests']));
      if (globals(cmd).json) return printJson(result);
      printDevices(result.pending);
    });
}
