// The systems under test, each started as its own process on a free loopback port.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, startServer, type RunningServer } from '../../test/support/server-process.js';

export interface Peer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Installs a Debian package when its binary is missing (the bench machine may be fresh). */
export function ensureInstalled(binary: string, debianPackage: string): void {
  if (existsSync(binary)) return;
  process.stderr.write(`${binary} is missing: apt-get install ${debianPackage}\n`);
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', debianPackage], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

async function waitForPort(child: ChildProcess, port: number, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`exited early: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(socket.end() !== null));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never opened: ${log()}`);
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

/** Mosquitto with persistence on, its own port, config and store; QoS is the client's choice. */
export async function startMosquitto(): Promise<Peer> {
  ensureInstalled('/usr/sbin/mosquitto', 'mosquitto');
  const dir = mkdtempSync(join(tmpdir(), 'bench-mosquitto-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'max_inflight_messages 0', 'max_queued_messages 0', ''].join('\n'));
  const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log += c));
  await waitForPort(child, port, () => log);
  return { url: `mqtt://127.0.0.1:${port}`, pid: child.pid as number, stop: stopper(child, dir) };
}

/** nats-server with JetStream on file storage in its own directory and port. */
export async function startNats(): Promise<Peer> {
  ensureInstalled('/usr/sbin/nats-server', 'nats-server');
  const dir = mkdtempSync(join(tmpdir(), 'bench-nats-'));
  const port = await freePort();
  const child = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log += c));
  await waitForPort(child, port, () => log);
  return { url: `127.0.0.1:${port}`, pid: child.pid as number, stop: stopper(child, dir) };
}

const HELLO = `require('node:http').createServer((q, s) => { s.end('hello') }).listen(0, '127.0.0.1', function () { console.log('listening on http://127.0.0.1:' + this.address().port) })`;

/** The HTTP ceiling: node:http answering every request with a constant. */
export async function startHello(): Promise<Peer> {
  const child = spawn(process.execPath, ['-e', HELLO], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', () => reject(new Error('hello world exited')));
  });
  return { url, pid: child.pid as number, stop: stopper(child, mkdtempSync(join(tmpdir(), 'bench-hello-'))) };
}

export interface StratusPeer extends Peer {
  secret: string;
  adminToken: string;
  dataDir: string;
  server: RunningServer;
}

/** `stratus serve` on SQLite (a data directory) or on `db` (a postgres:// URL). */
export async function startStratus(options: { db?: string; dataDir?: string; nodeArgs?: string[] } = {}): Promise<StratusPeer> {
  const server = await startServer({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    args: options.db ? ['--db', options.db] : [],
    nodeArgs: options.nodeArgs ?? [],
  });
  return {
    url: server.url,
    pid: server.process.pid as number,
    secret: server.demoSecret,
    adminToken: server.adminToken,
    dataDir: server.dataDir,
    server,
    stop: async () => {
      await server.stop();
      if (!options.dataDir) removeDir(server.dataDir); // the run's own temp directory, not the caller's
    },
  };
}

/** Resident memory of a process, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}
