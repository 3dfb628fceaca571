// The TCP ports and Unix sockets of the line intake.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { dirname } from 'node:path';
import type { TcpIntake, UnixIntake } from '../config.js';
import type { Logger } from '../log.js';
import type { Committer } from './committer.js';
import { serveLines } from './lines.js';

export interface Listening {
  server: Server;
  /** `tcp:host:port` or `unix:/path`, with the port chosen when 0 was asked. */
  address: string;
}

function listen(server: Server, target: { port: number; host: string } | string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (typeof target === 'string') server.listen(target, done);
    else server.listen(target.port, target.host, done);
  });
}

export async function openTcp(intake: TcpIntake, committer: Committer, log: Logger): Promise<Listening> {
  const server = createServer((socket) => serveLines(socket, intake, intake.ack, committer, log, `tcp:${intake.port}`));
  await listen(server, intake);
  const { address, port } = server.address() as AddressInfo;
  return { server, address: `tcp:${address}:${port}` };
}

export async function openUnix(intake: UnixIntake, committer: Committer, log: Logger): Promise<Listening> {
  mkdirSync(dirname(intake.path), { recursive: true });
  rmSync(intake.path, { force: true }); // a socket file left by a killed gateway
  const server = createServer((socket) => serveLines(socket, intake, intake.ack, committer, log, `unix:${intake.path}`));
  await listen(server, intake.path);
  chmodSync(intake.path, 0o660);
  return { server, address: `unix:${intake.path}` };
}
