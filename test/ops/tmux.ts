// A real terminal for tests: a detached tmux session running a command, read with capture-pane and
// driven with send-keys (tmux is installed by scripts/ensure-tmux.sh when missing).
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/server-process.js';

export function ensureTmux(): void {
  execFileSync('bash', [join(ROOT, 'scripts/ensure-tmux.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
}

export class TmuxSession {
  readonly name = `stratus-top-${randomBytes(4).toString('hex')}`;
  /** A server of its own, so tests never touch the user's tmux sessions. */
  private readonly socket = `${this.name}-socket`;
  /** Signalled (`tmux wait-for -S`) by the pane's shell once the command has ended. */
  private readonly endedChannel = `${this.name}-ended`;
  private readonly dir = mkdtempSync(join(tmpdir(), 'stratus-tmux-'));
  /** Every byte the command writes to the terminal is copied here (`pipe-pane`): a change of it is a change of the screen. */
  private readonly output: FSWatcher;
  private readonly onOutput = new Set<() => void>();
  private readonly ended: Promise<number>;

  constructor(command: readonly string[], width: number, height: number, env: Record<string, string> = {}) {
    const exports = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const line = [...(exports.length ? ['env', ...exports] : []), ...command.map(shellQuote)].join(' ');
    // the pane's shell reaches this tmux server through $TMUX; the status is written before the signal
    const statusFile = join(this.dir, 'status');
    const shell = `${line}; status=$?; echo $status > ${shellQuote(statusFile)}; tmux wait-for -S ${this.endedChannel}; exit $status`;
    const copy = join(this.dir, 'output');
    writeFileSync(copy, '');
    this.output = watch(copy, () => this.onOutput.forEach((changed) => changed()));
    this.tmux('new-session', '-d', '-s', this.name, '-x', String(width), '-y', String(height), shell);
    this.tmux('set-option', '-t', this.name, 'remain-on-exit', 'on');
    // tmux draws what it reads before it copies it on: once the copy grows, capture-pane shows it
    this.tmux('pipe-pane', '-t', this.name, `cat >> ${shellQuote(copy)}`);
    this.ended = new Promise((resolve, reject) =>
      execFile('tmux', ['-L', this.socket, 'wait-for', this.endedChannel], (error) => (error ? reject(error) : resolve(Number(readFileSync(statusFile, 'utf8'))))),
    );
    this.ended.catch(() => undefined); // the server is killed before the command ends when a test fails
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', env: { ...process.env, TERM: 'xterm-256color' } });
  }

  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  /** Keys as tmux names them (`q`, `Down`, `Escape`) or literal text. */
  sendKeys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** Types text literally, key by key. */
  type(text: string): void {
    this.tmux('send-keys', '-t', this.name, '-l', text);
  }

  resize(width: number, height: number): void {
    this.tmux('resize-window', '-t', this.name, '-x', String(width), '-y', String(height));
  }

  /** Whether the command in the pane has ended, and its exit status. */
  exitStatus(): number | null {
    const [dead, status] = this.tmux('display-message', '-p', '-t', this.name, '#{pane_dead} #{pane_dead_status}').trim().split(' ');
    return dead === '1' ? Number(status) : null;
  }

  /** The command's exit status, once it has ended. */
  exited(): Promise<number> {
    return this.ended;
  }

  /**
   * The screen once `check` passes on it: read now, then again each time the command writes to the
   * terminal. The deadline only bounds a failure, so that it ends with the last screen.
   */
  async waitFor(what: string, check: (screen: string) => boolean, deadlineMs = 20_000): Promise<string> {
    let timedOut = false;
    let wake: () => void = () => undefined;
    const bound = setTimeout(() => {
      timedOut = true;
      wake();
    }, deadlineMs);
    try {
      for (;;) {
        const changed = new Promise<void>((resolve) => (wake = resolve));
        this.onOutput.add(wake);
        const screen = this.capture();
        if (check(screen)) return screen;
        if (timedOut) throw new Error(`the terminal did not show ${what} within ${deadlineMs} ms; it shows:\n${screen}`);
        await changed;
        this.onOutput.delete(wake);
      }
    } finally {
      clearTimeout(bound);
      this.onOutput.delete(wake);
    }
  }

  kill(): void {
    this.output.close();
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function shellQuote(s: string): string {
  return /^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
