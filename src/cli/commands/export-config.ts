import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { apiPath } from '../admin-client.js';
import { adminClient, globals } from '../context.js';
import { printJson } from '../output.js';

interface ExportAnswer {
  files: { name: string; device: string | null; content: string }[];
  skipped: { device: string; reason: string }[];
}

export function exportConfigCommand(program: Command): void {
  program
    .command('export-config <app>')
    .description('write the signed static config files (default.txt, devices/<guid>.txt) for any static host')
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .option('--all-devices', 'a file for every device, not only those with overrides')
    .action(async (app: string, o: { out: string; allDevices?: boolean }, cmd: Command) => {
      const path = apiPath(['apps', app, 'config', 'export']) + (o.allDevices ? '?all=true' : '');
      const { files, skipped } = await adminClient(cmd).get<ExportAnswer>(path);
      for (const f of files) {
        await mkdir(dirname(join(o.out, f.name)), { recursive: true });
        await writeFile(join(o.out, f.name), f.content);
      }
      if (globals(cmd).json) return printJson({ out: o.out, files: files.map((f) => f.name), skipped });
      for (const f of files) process.stdout.write(`wrote ${join(o.out, f.name)}\n`);
      for (const s of skipped) process.stdout.write(`skipped ${s.device}: ${s.reason}\n`);
      process.stdout.write(`${files.length} files in ${o.out}\n`);
    });
}
