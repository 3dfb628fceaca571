import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { apiPath } from '../admin-client.js';
import { adminClient, globals } from '../context.js';
import { printJson } from '../output.js';

export function exportConfigCommand(program: Command): void {
  program
    .command('export-config <app>')
    .description('write the signed static config files (default.txt and <device>.txt) for any static host')
    .requiredOption('--out <dir>', 'directory to write into (created if missing)')
    .action(async (app: string, o: { out: string }, cmd: Command) => {
      const { files } = await adminClient(cmd).get<{ files: { name: string; device: string | null; content: string }[] }>(
        apiPath(['apps', app, 'config', 'export']),
      );
      await mkdir(o.out, { recursive: true });
      for (const f of files) await writeFile(join(o.out, f.name), f.content);
      if (globals(cmd).json) return printJson({ out: o.out, files: files.map((f) => f.name) });
      process.stdout.write(`wrote ${files.length} files to ${o.out}\n`);
    });
}
