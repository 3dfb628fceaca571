import { createHash } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Command } from 'commander';
import { StratusError } from '../../protocol/index.js';
import type { Manifest } from '../../edge/files.js';
import { apiPath, type AdminClient } from '../admin-client.js';
import { adminClient, globals } from '../context.js';
import { formatTime, printJson, printTable } from '../output.js';
import { parseAddress, type Message } from './messages.js';

async function* messagesOf(client: AdminClient, app: string, ref: Record<string, string | undefined>, page: number): AsyncGenerator<Message> {
  for (let after = 0; ; ) {
    const { messages } = await client.get<{ messages: Message[] }>(apiPath(['apps', app, 'messages'], { ...ref, after, limit: page }));
    yield* messages;
    if (messages.length < page) return;
    after = (messages.at(-1) as Message).seq;
  }
}

async function manifests(client: AdminClient, app: string, address: string): Promise<(Manifest & { seq: number; from: string; time: number })[]> {
  const out = [];
  for await (const m of messagesOf(client, app, parseAddress(address), 1000)) {
    try {
      const manifest = JSON.parse(m.value) as Manifest;
      if (typeof manifest.file === 'string' && typeof manifest.sha256 === 'string') out.push({ ...manifest, seq: m.seq, from: m.from, time: m.time });
    } catch {
      // not a manifest: skip
    }
  }
  return out;
}

export function fileCommands(program: Command): void {
  const file = program.command('file').description('files sent by `stratus edge` from watched folders (docs/edge.md)');

  file
    .command('list <app> <address>')
    .description('the complete files on a folder stream (address scope/stream or PRIVATE:<device>/stream)')
    .action(async (app: string, address: string, _o: unknown, cmd: Command) => {
      const list = await manifests(adminClient(cmd), app, address);
      if (globals(cmd).json) return printJson(list);
      printTable(list.map((m) => ({ ...m, time: formatTime(m.time) })), ['file', 'name', 'size', 'time', 'from', 'sha256']);
    });

  file
    .command('get <app> <address> <file>')
    .description('reassemble a file (by name: the latest of that name; or by file id) and verify its SHA-256')
    .option('-o, --out <path>', 'where to write it (default: its name, in the current directory)')
    .action(async (app: string, address: string, wanted: string, o: { out?: string }, cmd: Command) => {
      const client = adminClient(cmd);
      const manifest = (await manifests(client, app, address)).filter((m) => m.file === wanted || m.name === wanted).at(-1);
      if (!manifest) throw new StratusError('not_found', `no complete file "${wanted}" on ${address} (stratus file list shows them)`);
      const out = o.out ?? manifest.name;
      const partial = `${out}.part`;
      const hash = createHash('sha256');
      const fd = openSync(partial, 'w');
      let next = 0;
      let size = 0;
      try {
        const chunkRef = { ...parseAddress(address), stream: manifest.chunkStream };
        for await (const m of messagesOf(client, app, chunkRef, 50)) {
          const space = m.value.indexOf(' ');
          const index = Number(m.value.slice(0, space));
          if (index < next) continue; // the same chunk stored twice (an older gateway's retry): once is enough
          if (index !== next) break; // a gap: reported below
          const bytes = Buffer.from(m.value.slice(space + 1), 'base64');
          writeSync(fd, bytes);
          hash.update(bytes);
          size += bytes.length;
          next++;
        }
      } finally {
        closeSync(fd);
      }
      const digest = hash.digest('hex');
      if (next !== manifest.chunks || size !== manifest.size || digest !== manifest.sha256) {
        rmSync(partial, { force: true });
        throw new StratusError('conflict', `${manifest.name}: got ${next} of ${manifest.chunks} chunks, ${size} of ${manifest.size} bytes, sha256 ${digest} (want ${manifest.sha256}); chunks may have expired`);
      }
      renameSync(partial, out);
      if (globals(cmd).json) return printJson({ ...manifest, out });
      process.stdout.write(`${out}: ${size} bytes, sha256 ${digest} verified\n`);
    });
}
