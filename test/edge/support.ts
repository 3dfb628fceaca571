// Helpers of the edge tests: the gateway as a real process, a TCP proxy that plays a flaky uplink,
// and reads of the server's streams through the admin API.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EdgeStatus } from '../../src/edge/status.js';
import { cleanEnv } from '../support/cli.js';
import { eventually } from '../support/eventually.js';
import { seededRandom } from '../support/random.js';
import { CLI } from '../support/server-process.js';

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));

/**
 * Retries `check` until it stops throwing an assertion, polling every `pauseMs`: the gateway's status
 * is read from its endpoint and nothing announces a change of it (see test/support/eventually.ts).
 */
export const until = <T>(check: () => Promise<T> | T, attempts = 2000, pauseMs = 25): Promise<T> => eventually(async () => check(), attempts, pauseMs);

/** A TCP proxy between the gateway and the server: `cut()` drops every connection and refuses new ones until `restore()`. */
export class FlakyProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  up = true;
  port = 0;
  /** Bytes forwarded upstream; `cutAfter` cuts once this passes a mark. */
  forwarded = 0;
  private cutAt: number | null = null;

  constructor(private readonly target: { host: string; port: number }) {}

  static async to(url: string): Promise<FlakyProxy> {
    const u = new URL(url);
    const proxy = new FlakyProxy({ host: u.hostname, port: Number(u.port) });
    await proxy.listen();
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private async listen(): Promise<void> {
    this.server = createServer((client) => {
      if (!this.up) return client.destroy();
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.on('data', (chunk: Buffer) => {
        this.forwarded += chunk.length;
        upstream.write(chunk);
        if (this.cutAt !== null && this.forwarded >= this.cutAt) this.cut();
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server?.address() as AddressInfo).port;
  }

  cut(): void {
    this.up = false;
    this.cutAt = null;
    for (const s of this.sockets) s.destroy();
  }

  /** Cuts the link once `bytes` more have gone upstream. */
  cutAfter(bytes: number): void {
    this.cutAt = this.forwarded + bytes;
  }

  restore(): void {
    this.up = true;
    this.cutAt = null;
  }

  close(): void {
    this.cut();
    this.server?.close();
  }
}

export interface EdgeProcess {
  child: ChildProcess;
  addresses: { http: string | null; tcp: string[]; unix: string[] };
  logs(): string;
  status(): Promise<EdgeStatus>;
  kill(): Promise<void>;
  stop(): Promise<number | null>;
}

/** Writes `config` to `<dir>/edge.json` and runs `stratus edge run --config` on it until it is ready. */
export async function startEdge(dir: string, config: Record<string, unknown>): Promise<EdgeProcess> {
  const file = join(dir, 'edge.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [CLI, 'edge', 'run', '--config', file], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const addresses = await new Promise<EdgeProcess['addresses']>((resolve, reject) => {
    const onData = (): void => {
      const m = /stratus edge: ready (\{.*\})\n/.exec(out);
      if (m) {
        child.stdout?.off('data', onData);
        resolve(JSON.parse(m[1] as string) as EdgeProcess['addresses']);
      }
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => reject(new Error(`stratus edge exited with ${code} before it was ready:\n${out}${err}`)));
  });
  return {
    child,
    addresses,
    logs: () => err,
    async status() {
      const r = await fetch(`${addresses.http}/v1/status`);
      return (await r.json()) as EdgeStatus;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface StoredMessage {
  seq: number;
  value: string;
}

/** Every message of a stream on the server, oldest first. */
export async function streamValues(url: string, token: string, app: string, query: Record<string, string>, page = 1000): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  for (let after = 0; ; ) {
    const q = new URLSearchParams({ ...query, after: String(after), limit: String(page) });
    const r = await fetch(`${url}/v1/admin/apps/${app}/messages?${q}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200, await r.clone().text());
    const { messages } = (await r.json()) as { messages: StoredMessage[] };
    out.push(...messages);
    if (messages.length < page) return out;
    after = (messages.at(-1) as StoredMessage).seq;
  }
}

/** A line writer on a TCP port or Unix socket of the gateway that records which lines were acknowledged. */
export class LineWriter {
  readonly acked: string[] = [];
  private readonly sent: string[] = [];
  private socket: Socket;
  private buffered = '';
  closed: Promise<void>;

  constructor(address: string, private readonly onAck: (count: number) => void = () => undefined) {
    this.socket = address.startsWith('unix:') ? createConnection(address.slice(5)) : createConnection(Number(address.split(':')[2]), '127.0.0.1');
    this.socket.on('error', () => undefined);
    this.socket.setMaxListeners(0);
    this.socket.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString();
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() as string;
      for (const line of lines) {
        const value = this.sent.shift();
        if (line.startsWith('ok ') && value !== undefined) this.acked.push(value);
      }
      this.onAck(this.acked.length);
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  /** Writes lines `<prefix>-<n>` until the socket closes or `stop()` says so, at most `window` unanswered at a time. */
  async pump(prefix: string, stop: () => boolean, window = 64): Promise<void> {
    let n = 0;
    while (!this.socket.destroyed && !stop()) {
      if (this.sent.length >= window) {
        await new Promise((r) => this.socket.once('data', r).once('close', r));
        continue;
      }
      const value = `${prefix}-${n++}`;
      this.sent.push(value);
      this.socket.write(value + '\n');
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export interface ManifestOnServer {
  file: string;
  name: string;
  size: number;
  sha256: string;
  chunks: number;
  chunkStream: string;
}

/** The manifests on a folder stream, and a file put together from its chunks as `stratus file get` does. */
export async function manifestsOn(url: string, token: string, app: string, scope: string, stream: string): Promise<ManifestOnServer[]> {
  return (await streamValues(url, token, app, { scope, stream })).map((m) => JSON.parse(m.value) as ManifestOnServer);
}

export async function reassemble(url: string, token: string, app: string, scope: string, manifest: ManifestOnServer): Promise<{ data: Buffer; chunkMessages: number }> {
  const chunks = await streamValues(url, token, app, { scope, stream: manifest.chunkStream }, 100);
  const parts = chunks.map((c) => Buffer.from(c.value.slice(c.value.indexOf(' ') + 1), 'base64'));
  return { data: Buffer.concat(parts), chunkMessages: chunks.length };
}

/** A small seeded generator, so a failing run can be repeated (the seed is printed). */
export const seeded = seededRandom;
