import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** The repository root, whether this runs compiled (dist/test/support) or from source. */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const CLI = join(ROOT, 'dist/src/cli/main.js');

export interface RunningServer {
  url: string;
  adminToken: string;
  demoSecret: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit (the data directory stays). */
  kill(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Options for node itself, such as `--cpu-prof`. */
  nodeArgs?: string[];
}

/** Starts `stratus serve` as a real process on a random port and waits until it listens. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'stratus-test-'));
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), CLI, 'serve', '--port', '0', '--data', dataDir, '--log-level', 'warn', '--device-rate-per-second', '0', ...(options.args ?? [])],
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // `stratus serve` prints its address and first-start secrets in one write once it listens
  // (src/cli/commands/serve-run.ts): the output that holds the address line holds the secrets too.
  const url = await new Promise<string>((done, fail) => {
    const onOutput = (): void => {
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (!m) return;
      child.stdout?.off('data', onOutput);
      done(m[1] as string);
    };
    child.stdout?.on('data', onOutput);
    void exited.then((code) => fail(new Error(`server exited with ${code} before listening:\n${out}`)));
  });
  return {
    url,
    adminToken: /admin token: (\S+)/.exec(out)?.[1] ?? '',
    demoSecret: /secret: (\S+)/.exec(out)?.[1] ?? '',
    dataDir,
    process: child,
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
