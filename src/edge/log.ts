// JSON lines on stderr: one object per event, `{"time","level","event",…}`, for journald and grep.
const LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LEVELS)[number];

export class Logger {
  private readonly max: number;

  constructor(
    level: LogLevel,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {
    this.max = LEVELS.indexOf(level);
  }

  private emit(level: LogLevel, event: string, fields: Record<string, unknown>): void {
    if (LEVELS.indexOf(level) > this.max) return;
    this.write(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }) + '\n');
  }

  error(event: string, fields: Record<string, unknown> = {}): void {
    this.emit('error', event, fields);
  }
  warn(event: string, fields: Record<string, unknown> = {}): void {
    this.emit('warn', event, fields);
  }
  info(event: string, fields: Record<string, unknown> = {}): void {
    this.emit('info', event, fields);
  }
  debug(event: string, fields: Record<string, unknown> = {}): void {
    this.emit('debug', event, fields);
  }
}
