import { execFile } from 'node:child_process';
import { CLI } from './server-process.js';

export interface CliResult {
  /** The exit code (docs/cli.md: 0 done, 1 refused/failed, 2 bad input, 3 unreachable). */
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment without any STRATUS_* variable of the shell that runs the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STRATUS_')));
  return { ...env, ...extra };
}

/** Runs the built `stratus` binary as a child process; never rejects on a non-zero exit. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<CliResult> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [CLI, ...args], { env, maxBuffer: 64 * 1024 * 1024, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return fail(error); // could not start, or timed out
      done({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}
