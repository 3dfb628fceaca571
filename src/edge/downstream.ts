// Subscriptions delivered to local programs: a line stream they connect to (Unix socket or TCP), or
// a command run per message. The server's cursor moves only past messages delivered here.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { DeliveredMessage, SubscribeItem } from '../protocol/index.js';
import type { Downstream } from './config.js';
import { INBOX_LIMIT, Inbox } from './inbox.js';
import type { Logger } from './log.js';
import type { EdgeStore } from './store.js';

/** A value on one line: backslash and newline escaped as in config text (`\\`, `\n`). */
export const asLine = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r') + '\n';

class LineFanout {
  readonly clients = new Set<Socket>();
  server: Server | null = null;

  async open(listen: string): Promise<void> {
    this.server = createServer((socket) => {
      this.clients.add(socket);
      socket.on('close', () => this.clients.delete(socket));
      socket.on('error', () => this.clients.delete(socket));
      socket.resume();
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (listen.startsWith('unix:')) {
        const path = listen.slice(5);
        mkdirSync(dirname(path), { recursive: true });
        rmSync(path, { force: true });
        server.listen(path, resolve);
      } else {
        const [, host, port] = /^tcp:([^:]+):(\d+)$/.exec(listen) as RegExpExecArray;
        server.listen(Number(port), host, resolve);
      }
    });
  }

  /** Delivered once the line is handed to the kernel for at least one connected reader. */
  async deliver(line: string): Promise<boolean> {
    const writes = [...this.clients].map((socket) => new Promise<boolean>((resolve) => socket.write(line, (error) => resolve(!error))));
    return (await Promise.all(writes)).some(Boolean);
  }

  close(): void {
    for (const c of this.clients) c.destroy();
    this.server?.close();
  }
}

function runCommand(command: string, message: DeliveredMessage, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      stdio: ['pipe', 'ignore', 'inherit'],
      timeout: timeoutMs,
      env: { ...process.env, STRATUS_SCOPE: message.scope, STRATUS_STREAM: message.stream, STRATUS_SEQ: String(message.seq), STRATUS_FROM: message.from, STRATUS_TIME: String(message.time) },
    });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
    child.stdin.on('error', () => undefined);
    child.stdin.end(message.value);
  });
}

const keyOf = (scope: string, stream: string): string => `${scope}/${stream}`;

export class DownstreamDelivery {
  private readonly fanouts = new Map<string, LineFanout>();
  private readonly cursors = new Map<string, number>();
  readonly inbox: Inbox;
  delivered = 0;

  constructor(
    private readonly routes: readonly Downstream[],
    private readonly store: EdgeStore,
    private readonly log: Logger,
  ) {
    this.inbox = new Inbox(store.db);
    for (const r of routes) {
      const saved = store.getState(`cursor:${keyOf(r.scope, r.stream)}`);
      if (saved !== null) this.cursors.set(keyOf(r.scope, r.stream), Number(saved));
    }
  }

  async open(): Promise<void> {
    for (const r of this.routes) {
      if (!r.listen) continue;
      const fanout = new LineFanout();
      await fanout.open(r.listen);
      this.fanouts.set(keyOf(r.scope, r.stream), fanout);
    }
  }

  /** The subscriptions of a sync, each acknowledging what was delivered locally. */
  subscriptions(): SubscribeItem[] {
    return this.routes.map((r) => {
      const after = this.cursors.get(keyOf(r.scope, r.stream));
      return { scope: r.scope, stream: r.stream, ...(after !== undefined ? { after } : {}) };
    });
  }

  /** Whether GET /v1/messages serves this stream. */
  readable(scope: string, stream: string): boolean {
    return this.routes.some((r) => r.http && r.scope === scope && r.stream === stream);
  }

  /** Delivers in order per stream; a stream stops at its first failure (it comes again next sync). */
  async deliver(messages: readonly DeliveredMessage[]): Promise<void> {
    const stopped = new Set<string>();
    for (const m of messages) {
      const key = keyOf(m.scope, m.stream);
      const route = this.routes.find((r) => keyOf(r.scope, r.stream) === key);
      if (!route || stopped.has(key) || m.seq <= (this.cursors.get(key) ?? 0)) continue;
      const fanout = this.fanouts.get(key);
      const ok = route.http ? this.inbox.put(m) : fanout ? await fanout.deliver(asLine(m.value)) : await runCommand(route.command as string, m, 60_000);
      if (!ok) {
        stopped.add(key);
        const note = route.http ? `the inbox holds its ${INBOX_LIMIT} messages` : fanout ? 'no reader connected' : 'the command failed';
        this.log.warn('delivery_failed', { scope: m.scope, stream: m.stream, seq: m.seq, to: route.listen ?? route.command ?? 'http', note });
        continue;
      }
      this.cursors.set(key, m.seq);
      this.store.setState(`cursor:${key}`, String(m.seq));
      this.delivered++;
    }
  }

  close(): void {
    for (const f of this.fanouts.values()) f.close();
  }
}
