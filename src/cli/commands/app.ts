import type { Command } from 'commander';
import type { Grant } from '../../protocol/index.js';
import { apiPath } from '../admin-client.js';
import { adminClient, globals, wholeNumber } from '../context.js';
import { formatTime, printJson, printTable } from '../output.js';

interface AppView {
  name: string;
  policy: string;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  defaultGrants: Grant[];
  createdAt: number;
}

function printApps(apps: AppView[]): void {
  printTable(
    apps.map((a) => ({ ...a, createdAt: formatTime(a.createdAt), defaultGrants: a.defaultGrants.length })),
    ['name', 'policy', 'defaultTtlSeconds', 'maxTtlSeconds', 'defaultGrants', 'createdAt'],
  );
}

export function appCommands(program: Command): void {
  const app = program.command('app').description('create, list and change apps');

  app
    .command('create <name>')
    .description('create an app and print its secret (shown only once)')
    .option('--policy <policy>', 'for unknown devices: open | approval | closed', 'approval')
    .option('--default-ttl <seconds>', 'TTL of messages published without one', wholeNumber('--default-ttl', 1))
    .option('--max-ttl <seconds>', 'the largest TTL a message may ask for', wholeNumber('--max-ttl', 1))
    .action(async (name: string, o: { policy: string; defaultTtl?: number; maxTtl?: number }, cmd: Command) => {
      const body = { name, policy: o.policy, defaultTtlSeconds: o.defaultTtl, maxTtlSeconds: o.maxTtl };
      const result = await adminClient(cmd).request<{ app: AppView; secret: string }>('POST', apiPath(['apps']), body);
      if (globals(cmd).json) return printJson(result);
      process.stdout.write(`created app ${result.app.name} (policy ${result.app.policy})\nsecret: ${result.secret}\n`);
      process.stdout.write('Keep the secret: it is shown only now. Devices sign every request with it.\n');
    });

  app
    .command('list')
    .description('list apps')
    .action(async (_o: unknown, cmd: Command) => {
      const { apps } = await adminClient(cmd).get<{ apps: AppView[] }>(apiPath(['apps']));
      if (globals(cmd).json) return printJson(apps);
      printApps(apps);
    });

  app
    .command('show <name>')
    .description('show one app')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const result = await adminClient(cmd).get<{ app: AppView }>(apiPath(['apps', name]));
      if (globals(cmd).json) return printJson(result.app);
      printApps([result.app]);
    });

  app
    .command('set <name>')
    .description('change the policy or TTLs of an app')
    .option('--policy <policy>', 'open | approval | closed')
    .option('--default-ttl <seconds>', 'TTL of messages published without one', wholeNumber('--default-ttl', 1))
    .option('--max-ttl <seconds>', 'the largest TTL a message may ask for', wholeNumber('--max-ttl', 1))
    .action(async (name: string, o: { policy?: string; defaultTtl?: number; maxTtl?: number }, cmd: Command) => {
      const body = { policy: o.policy, defaultTtlSeconds: o.defaultTtl, maxTtlSeconds: o.maxTtl };
      const result = await adminClient(cmd).request<{ app: AppView }>('PATCH', apiPath(['apps', name]), body);
      if (globals(cmd).json) return printJson(result.app);
      printApps([result.app]);
    });

  app
    .command('rotate-secret <name>')
    .description('issue a new secret; the old ones stay valid for the overlap')
    .option('--overlap <seconds>', 'how long the old secrets stay valid', wholeNumber('--overlap'), 86_400)
    .action(async (name: string, o: { overlap: number }, cmd: Command) => {
      const result = await adminClient(cmd).request<{ secret: string; previousValidUntil: number }>(
        'POST',
        apiPath(['apps', name, 'rotate-secret']),
        { overlapSeconds: o.overlap },
      );
      if (globals(cmd).json) return printJson(result);
      process.stdout.write(`new secret: ${result.secret}\nold secrets valid until ${formatTime(result.previousValidUntil)}\n`);
    });
}
