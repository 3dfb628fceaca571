// Files from watched folders: registered durably with their SHA-256, sent as numbered base64 chunks
// (`<stream>/<file id>`, value `<index> <base64>`, message id `<file id>.<index>`, so a resend
// stores nothing twice), then a manifest on the folder's stream once the server has every chunk;
// only then is the file removed or archived. The count of chunks the server has is kept, so a restart resumes where it was.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, openSync, readSync, closeSync, renameSync, rmSync, statSync, watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { PublishItem } from '../protocol/index.js';
import type { FolderIntake } from './config.js';
import type { FileRow } from './file-table.js';
import type { Logger } from './log.js';
import type { EdgeStore } from './store.js';

export interface Manifest {
  file: string;
  name: string;
  size: number;
  sha256: string;
  chunks: number;
  chunkBytes: number;
  /** The stream (same scope) that holds the chunks. */
  chunkStream: string;
}

export const chunkStreamOf = (stream: string, fileId: string): string => `${stream}/${fileId}`;
export const chunkIdOf = (fileId: string, index: number): string => `${fileId}.${index}`;
export const manifestIdOf = (fileId: string): string => `${fileId}.m`;
const ignored = (name: string): boolean => name.startsWith('.') || name.endsWith('.part') || name.endsWith('.tmp');

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export type FileRef = { kind: 'chunk'; file: string; index: number } | { kind: 'manifest'; file: string };

export class FileSender {
  private readonly watchers: FSWatcher[] = [];
  private scanning: Promise<void> | null = null;
  private rescan = false;
  /** Files finished since start. */
  sent = 0;

  constructor(
    private readonly store: EdgeStore,
    private readonly folders: readonly FolderIntake[],
    private readonly log: Logger,
    private readonly onNew: () => void,
    private readonly nowMs: () => number = Date.now,
  ) {}

  start(): void {
    for (const folder of this.folders) {
      mkdirSync(folder.path, { recursive: true });
      this.watchers.push(watch(folder.path, () => void this.scan()));
    }
    for (const row of this.store.files.all()) if (row.state === 'done') this.finish(row);
    void this.scan();
  }

  stop(): void {
    for (const w of this.watchers) w.close();
  }

  /** Registers new files of every folder; one scan at a time, another follows if asked meanwhile. */
  scan(): Promise<void> {
    if (this.scanning) {
      this.rescan = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.rescan = false;
        for (const [index, folder] of this.folders.entries()) await this.scanFolder(index, folder);
      } while (this.rescan);
    })().finally(() => (this.scanning = null));
    return this.scanning;
  }

  private async scanFolder(index: number, folder: FolderIntake): Promise<void> {
    const names = await readdir(folder.path).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (ignored(name)) continue;
      const path = join(folder.path, name);
      if (this.store.files.has(path)) continue;
      try {
        const stat = statSync(path);
        if (!stat.isFile() || this.nowMs() - stat.mtimeMs < folder.settleMs) continue;
        const sha256 = await sha256Of(path);
        const size = statSync(path).size;
        if (size !== stat.size) continue; // still being written: the next scan takes it
        const id = `f${randomBytes(10).toString('hex')}`;
        const row = { id, path, name, size, sha256, chunkBytes: folder.chunkBytes, chunks: Math.ceil(size / folder.chunkBytes), scope: folder.scope, stream: folder.stream, priority: folder.priority, ttl: folder.ttl, folder: index, createdMs: this.nowMs() };
        if (this.store.files.add(row)) {
          this.log.info('file_taken', { file: id, name, size, sha256, chunks: row.chunks });
          this.onNew();
        }
      } catch (error) {
        this.log.warn('file_unreadable', { path, message: (error as Error).message });
      }
    }
  }

  /** Files of `priority` still to send, in order. */
  pendingOf(priority: number): FileRow[] {
    return this.store.files.all().filter((f) => f.priority === priority && f.state !== 'done');
  }

  /** The next items of a file: chunks from the first the server lacks, then its manifest. */
  *items(file: FileRow): Generator<{ item: PublishItem; ref: FileRef }> {
    const ttl = file.ttl !== null ? { ttl: file.ttl } : {};
    if (file.acked < file.chunks) {
      let fd: number;
      try {
        fd = openSync(file.path, 'r');
      } catch (error) {
        this.log.error('file_lost', { file: file.id, path: file.path, message: (error as Error).message });
        this.store.files.remove(file.id);
        return;
      }
      try {
        const buffer = Buffer.alloc(file.chunkBytes);
        for (let index = file.acked; index < file.chunks; index++) {
          const n = readSync(fd, buffer, 0, file.chunkBytes, index * file.chunkBytes);
          const value = `${index} ${buffer.subarray(0, n).toString('base64')}`;
          yield { item: { id: chunkIdOf(file.id, index), scope: file.scope, stream: chunkStreamOf(file.stream, file.id), value, ...ttl }, ref: { kind: 'chunk', file: file.id, index } };
        }
      } finally {
        closeSync(fd);
      }
      return;
    }
    const manifest: Manifest = { file: file.id, name: file.name, size: file.size, sha256: file.sha256, chunks: file.chunks, chunkBytes: file.chunkBytes, chunkStream: chunkStreamOf(file.stream, file.id) };
    yield { item: { id: manifestIdOf(file.id), scope: file.scope, stream: file.stream, value: JSON.stringify(manifest), ...ttl }, ref: { kind: 'manifest', file: file.id } };
  }

  /** What the server took of one sync: the chunk count moves on, a stored manifest finishes the file. */
  accepted(refs: readonly FileRef[]): void {
    const byFile = new Map<string, FileRef[]>();
    for (const r of refs) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
    const rows = new Map(this.store.files.all().map((f) => [f.id, f]));
    for (const [id, list] of byFile) {
      const row = rows.get(id);
      if (!row) continue;
      const have = new Set(list.flatMap((r) => (r.kind === 'chunk' ? [r.index] : [])));
      let acked = row.acked;
      while (have.has(acked)) acked++;
      if (acked > row.acked) this.store.files.setAcked(id, acked);
      if (list.some((r) => r.kind === 'manifest')) {
        this.store.files.setState(id, 'done');
        this.finish(row);
      }
    }
  }

  /** Removes or archives the local file, then forgets it (both steps are safe to repeat). */
  private finish(row: FileRow): void {
    const folder = this.folders[row.folder];
    try {
      if (folder?.done === 'archive' && folder.archive) {
        mkdirSync(folder.archive, { recursive: true });
        renameSync(row.path, join(folder.archive, basename(row.path)));
      } else rmSync(row.path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn('file_finish_failed', { file: row.id, message: (error as Error).message });
    }
    this.store.files.remove(row.id);
    this.sent++;
    this.log.info('file_sent', { file: row.id, name: row.name, size: row.size, sha256: row.sha256 });
  }
}
