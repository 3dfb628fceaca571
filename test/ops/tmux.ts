// A real terminal for tests: a detached tmux session running a command, read with capture-pane and
// driven with send-keys (tmux is installed by scripts/ensure-tmux.sh when missing).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../support/server-process.js';

export function ensureTmux(): void {
  execFileSync('bash', [join(ROOT, 'scripts/ensure-tmux.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
}

export class TmuxSession {
  readonly name = `stratus-top-${randomBytes(4).toString('hex')}`;
  /** A server of its own, so tests never touch the user's tmux sessions. */
  private readonly socket = `${this.name}-socket`;

  constructor(command: readonly string[], width: number, height: number, env: Record<string, string> = {}) {
    const exports = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    const line = [...(exports.length ? ['env', ...exports] : []), ...command.map(shellQuote)].join(' ');
    this.tmux('new-session', '-d', '-s', this.name, '-x', String(width), '-y', String(height), line);
    this.tmux('set-option', '-t', this.name, 'remain-on-exit', 'on');
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

  /** Polls the screen until `check` passes on it; fails with the last screen after the deadline. */
  async waitFor(what: string, check: (screen: string) => boolean, deadlineMs = 20_000): Promise<string> {
    const end = Date.now() + deadlineMs;
    let screen = '';
    while (Date.now() < end) {
      screen = this.capture();
      if (check(screen)) return screen;
      await sleep(50);
    }
    throw new Error(`the terminal did not show ${what} within ${deadlineMs} ms; it shows:\n${screen}`);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }
}

function shellQuote(s: string): string {
  return /^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
