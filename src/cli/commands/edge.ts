import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { StratusError } from '../../protocol/index.js';
import { OPTIONS, envOf, flagOf, readConfigFile, resolveConfig } from '../../edge/config.js';
import { statusMetrics, statusText, type EdgeStatus } from '../../edge/status.js';
import { globals } from '../context.js';
import { printJson } from '../output.js';

const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function addConfigOptions(command: Command): Command {
  command.addOption(new Option('--config <file>', 'the gateway config file (JSON, docs/edge.md)').env('STRATUS_EDGE_CONFIG'));
  for (const spec of OPTIONS) command.addOption(new Option(`--${flagOf(spec.path)} <value>`, `${spec.help} [${envOf(spec.path)}]`));
  return command;
}

function configOf(o: Record<string, string | undefined>, needIdentity = true) {
  const file = o.config ? readConfigFile(o.config) : {};
  const flags = Object.fromEntries(OPTIONS.map((spec) => [spec.path, o[camel(flagOf(spec.path))]]));
  return resolveConfig(file, process.env, flags, needIdentity);
}

export function edgeCommands(program: Command): void {
  const edge = program.command('edge').description('the gateway on a field device: local intake, durable store, policies, upstream sync (docs/edge.md)');

  addConfigOptions(edge.command('run').description('run the gateway in the foreground (systemd: Type=simple)')).action(async (o: Record<string, string | undefined>) => {
    const { Gateway } = await import('../../edge/gateway.js'); // loaded only to run it
    const gateway = new Gateway(configOf(o));
    const addresses = await gateway.start();
    process.stdout.write(`stratus edge: ready ${JSON.stringify(addresses)}\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    await gateway.stop();
  });

  addConfigOptions(edge.command('status').description('queue per priority, link, last contact, files in transit, evictions'))
    .option('--metrics', 'print Prometheus metrics')
    .option('--url <url>', "the gateway's local HTTP endpoint (default: http from the config)")
    .action(async (o: Record<string, string | undefined> & { metrics?: boolean }, cmd: Command) => {
      let status: EdgeStatus | null = null;
      let url = o.url;
      const config = (() => {
        try {
          return configOf(o, false);
        } catch (error) {
          if (url) return null;
          throw error;
        }
      })();
      if (!url && config?.http) url = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${config.http.port}`;
      if (url) {
        try {
          const answer = await fetch(`${url.replace(/\/+$/, '')}/v1/status`);
          if (answer.ok) status = (await answer.json()) as EdgeStatus;
        } catch {
          status = null; // not running: read the store itself
        }
      }
      if (!status) {
        const db = config ? join(config.dataDir, 'edge.db') : null;
        if (!db || !existsSync(db)) throw new StratusError('unavailable', `the gateway does not answer${url ? ` at ${url}` : ''} and there is no store to read (--data-dir)`);
        const { offlineStatus } = await import('../../edge/status-offline.js');
        status = offlineStatus(db, config as NonNullable<typeof config>);
      }
      if (o.metrics) process.stdout.write(statusMetrics(status));
      else if (globals(cmd).json) printJson(status);
      else process.stdout.write(statusText(status));
    });
}
