// One line = one message, for programs that write text to a socket. Lines are stored in order;
// with `ack` each gets `ok <id>` (or `error <code> <message>`) once it is on disk, in order.
import type { Socket } from 'node:net';
import { StratusError } from '../../protocol/index.js';
import type { Route } from '../config.js';
import type { Logger } from '../log.js';
import type { Committer } from './committer.js';

/** Longest line taken (the server's default value limit); longer lines are refused whole. */
export const MAX_LINE_BYTES = 65_536;

/** Splits a byte stream at `\n` however it is cut into chunks; a line over `max` bytes comes out as null. */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overlong = false;

  constructor(private readonly max = MAX_LINE_BYTES) {}

  push(chunk: Buffer, emit: (line: Buffer | null) => void): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.overlong || this.size + piece.length > this.max) emit(null);
      else emit(this.size === 0 ? piece : Buffer.concat([...this.parts, piece]));
      this.parts = [];
      this.size = 0;
      this.overlong = false;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return;
    if (this.overlong || this.size + rest.length > this.max) {
      this.overlong = true;
      this.parts = [];
      this.size = 0;
    } else {
      this.parts.push(Buffer.from(rest));
      this.size += rest.length;
    }
  }

  /** The last line when the stream ends without a newline. */
  end(emit: (line: Buffer | null) => void): void {
    if (this.overlong) emit(null);
    else if (this.size > 0) emit(Buffer.concat(this.parts));
    this.parts = [];
    this.size = 0;
    this.overlong = false;
  }
}

export function serveLines(socket: Socket, route: Route, ack: boolean, committer: Committer, log: Logger, source: string): void {
  const splitter = new LineSplitter();
  let outstanding = 0;
  let ended = false;
  const finish = (): void => {
    if (ended && outstanding === 0) socket.end();
  };
  const answer = (text: string): void => {
    if (ack && !socket.destroyed) socket.write(text);
  };
  const take = (line: Buffer | null): void => {
    if (line === null) {
      log.warn('line_refused', { source, code: 'too_large', message: `a line over ${MAX_LINE_BYTES} bytes` });
      answer(`error too_large a line may hold ${MAX_LINE_BYTES} bytes\n`);
      return;
    }
    let text = line.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text === '') return;
    if (text.includes('\0')) {
      answer('error bad_request a line may not hold NUL\n');
      return;
    }
    outstanding++;
    committer.add({ scope: route.scope, stream: route.stream, value: text, priority: route.priority, ttl: route.ttl }, (result) => {
      outstanding--;
      if (result instanceof StratusError) {
        log.warn('line_refused', { source, code: result.code, message: result.message });
        answer(`error ${result.code} ${result.message}\n`);
      } else answer(`ok ${result}\n`);
      finish();
    });
  };
  socket.on('data', (chunk: Buffer) => splitter.push(chunk, take));
  // A last line without its newline is still a line when the writer closes cleanly.
  socket.on('end', () => {
    splitter.end(take);
    ended = true;
    finish();
  });
  socket.on('error', (error) => log.debug('intake_socket_error', { source, message: error.message }));
}
