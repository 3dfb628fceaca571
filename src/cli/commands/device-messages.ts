import type { Command } from 'commander';
import { Option } from 'commander';
import { ClientError, MemoryStorage, StratusClient, machineGuid, type DeliveredMessage } from '../../client/index.js';
import { StratusError } from '../../protocol/index.js';
import { globals, serverFetch, wholeNumber } from '../context.js';
import { printJson } from '../output.js';

/** The device flags of `pub` and `sub`: with a secret, they act as a device through the SDK. */
export function addDeviceOptions(command: Command): Command {
  return command
    .addOption(new Option('--secret <secret>', "the app's secret: act as a device (else pub acts as the admin)").env('STRATUS_SECRET'))
    .addOption(new Option('--device <guid>', "the device's GUID (default: this machine's MAC address)").env('STRATUS_DEVICE'));
}

interface DeviceFlags {
  secret?: string;
  device?: string;
}

export function deviceClient(command: Command, app: string, flags: DeviceFlags & { secret: string }): StratusClient {
  const fetch = serverFetch(command); // --ca
  return new StratusClient({
    server: globals(command).server,
    app,
    secret: flags.secret,
    device: flags.device ?? machineGuid(),
    storage: new MemoryStorage(),
    retry: { attempts: 3 },
    ...(fetch ? { fetch } : {}),
  });
}

/** `scope/stream` as a device names it: PRIVATE/<stream> is its own private space. */
export function deviceAddress(address: string): { scope: string; stream: string } {
  const slash = address.indexOf('/');
  if (slash <= 0 || address.startsWith('PRIVATE:')) {
    throw new StratusError('bad_request', `"${address}" is not scope/stream (a device's own private streams: PRIVATE/<stream>)`);
  }
  return { scope: address.slice(0, slash), stream: address.slice(slash + 1) };
}

/** `stratus pub` with --secret: one signed publish, sent now. */
export async function publishAsDevice(command: Command, app: string, address: string, value: string, flags: DeviceFlags & { secret: string; ttl?: number }): Promise<void> {
  const client = deviceClient(command, app, flags);
  try {
    const { scope, stream } = deviceAddress(address);
    const receipt = await client.publish(stream, value, { scope, ...(flags.ttl !== undefined ? { ttl: flags.ttl } : {}) });
    if (receipt.seq === null) throw new ClientError('network', `${globals(command).server} is unreachable; nothing was published`);
    if (globals(command).json) printJson({ seq: receipt.seq });
    else process.stdout.write(`published ${address} seq ${receipt.seq}\n`);
  } finally {
    await client.close();
  }
}

/** Thrown inside the callback once -n messages were printed: the rest stays unacknowledged. */
const ENOUGH = new Error('enough messages');

export function subCommand(program: Command): void {
  addDeviceOptions(
    program
      .command('sub <app> <address>')
      .description('subscribe as a device (like mosquitto_sub): print what was missed, then follow live until Ctrl-C'),
  )
    .option('-n, --count <n>', 'exit after n messages', wholeNumber('--count', 1))
    .option('--limit <n>', 'replay: a new subscription starts n messages back', wholeNumber('--limit', 1))
    .option('--reset', 'start the server-held cursor over (with --limit: n back from the head)')
    .option('--once', 'print what is waiting, then exit instead of following')
    .action(async (app: string, address: string, o: DeviceFlags & { count?: number; limit?: number; reset?: boolean; once?: boolean }, cmd: Command) => {
      if (!o.secret) throw new StratusError('bad_request', 'sub acts as a device: pass --secret or set STRATUS_SECRET');
      const { scope, stream } = deviceAddress(address);
      const json = globals(cmd).json;
      const client = deviceClient(cmd, app, { ...o, secret: o.secret });
      let printed = 0;
      let finish: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      client.on('error', (error) => {
        if (error.cause !== ENOUGH) process.stderr.write(`warning: ${error.message}\n`);
      });
      client.subscribe(
        stream,
        (_stream: string, data: string, m: DeliveredMessage) => {
          if (o.count !== undefined && printed >= o.count) throw ENOUGH;
          process.stdout.write(json ? `${JSON.stringify(m)}\n` : `${data}\n`);
          printed++;
          if (o.count !== undefined && printed >= o.count) finish();
        },
        { scope, ...(o.limit !== undefined ? { limit: o.limit } : {}), ...(o.reset ? { reset: true } : {}) },
      );
      try {
        await client.update();
        if (!o.once && !(o.count !== undefined && printed >= o.count)) {
          const live = client.live();
          // on stderr, so stdout stays one message a line: from here on, nothing published is missed
          void live.opened.then(() => process.stderr.write(`following ${scope}/${stream} live; Ctrl-C to stop\n`));
          process.once('SIGINT', finish);
          await finished;
          await live.close();
        }
        await client.update(); // acknowledges what was printed
      } finally {
        await client.close();
      }
    });
}
