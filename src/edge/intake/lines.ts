// One line = one message, for programs that write text to a socket. Lines are stored in order;
// with `ack` each gets `ok <id>` (or `error <code> <message>`) once it is on disk, in order.
import type { Socket } from 'node:net';
import { StratusError } from '../../protocol/index.js';
import type { Route } from '../config.js';
import type { Logger } from '../log.js';
import type { Committer } from './committer.js';

/** Longest line taken (the server's default value limit); longer lines are refused whole. */
export const MAX_LINE_BYTES = 65_536;

export function serveLines(socket: Socket, route: Route, ack: boolean, committer: Committer, log: Logger, source: string): void {
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let overlong = false;
  let outstanding = 0;
  let ended = false;
  const finish = (): void => {
    if (ended && outstanding === 0) socket.end();
  };
  const answer = (text: string): void => {
    if (ack && !socket.destroyed) socket.write(text);
  };
  const take = (line: Buffer): void => {
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
  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (overlong || bufferedBytes + piece.length > MAX_LINE_BYTES) {
        log.warn('line_refused', { source, code: 'too_large', message: `a line over ${MAX_LINE_BYTES} bytes` });
        answer(`error too_large a line may hold ${MAX_LINE_BYTES} bytes\n`);
      } else take(bufferedBytes === 0 ? piece : Buffer.concat([...buffered, piece]));
      buffered = [];
      bufferedBytes = 0;
      overlong = false;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (bufferedBytes + rest.length > MAX_LINE_BYTES) {
        overlong = true;
        buffered = [];
        bufferedBytes = 0;
      } else {
        buffered.push(Buffer.from(rest));
        bufferedBytes += rest.length;
      }
    }
  });
  // A last line without its newline is still a line when the writer closes cleanly.
  socket.on('end', () => {
    if (!overlong && bufferedBytes > 0) take(Buffer.concat(buffered));
    buffered = [];
    bufferedBytes = 0;
    ended = true;
    finish();
  });
  socket.on('error', (error) => log.debug('intake_socket_error', { source, message: error.message }));
}
