// The C client end to end (issue 13): the host build of the core (stratus-device, over POSIX
// sockets) against a real `stratus serve` on port 0: config with a per-device override and 304
// polls, idempotent publish, acknowledged in-order delivery, a callback that never returned,
// PRIVATE, a wrong secret, an answer altered in transit, a wrong clock, relocation through
// stratus.server, and a signed static config file (and a tampered one).
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, connect, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signStaticConfig } from '../../src/protocol/index.js';
import { admin } from '../support/device-client.js';
import { ROOT, removeDir, startServer, type RunningServer } from '../support/server-process.js';

const LIB = join(ROOT, 'clients/arduino');
const APP = 'greenhouse';

interface Run {
  code: number;
  lines: string[];
  out: string;
}

/** A TCP proxy to `target`; `alter` may change each chunk coming back from the server. */
function proxy(target: URL, alter?: (chunk: Buffer, offset: number) => Buffer): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server: TcpServer = createTcpServer((socket) => {
    connections++;
    const upstream = connect(Number(target.port), target.hostname);
    let offset = 0;
    socket.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      const out = alter ? alter(Buffer.from(chunk), offset) : chunk;
      offset += chunk.length;
      socket.write(out);
    });
    socket.on('end', () => upstream.end());
    upstream.on('end', () => socket.end());
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      done({
        url: `http://127.0.0.1:${port}`,
        connections: () => connections,
        close: () => new Promise((closed) => server.close(() => closed())),
      });
    }),
  );
}

describe('C client against a real server', () => {
  let s: RunningServer;
  let work: string;
  let device: string;
  let secret: string;
  const extra: { close: () => Promise<void> }[] = [];

  const run = (args: string[]): Promise<Run> =>
    new Promise((done) =>
      execFile(device, ['--url', `${s.url}/${APP}`, '--secret', secret, ...args], { timeout: 60_000 }, (error, stdout) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, lines: stdout.trim().split('\n'), out: stdout });
      }),
    );
  const api = (method: string, path: string, body?: unknown) => admin(s.url, s.adminToken, method, path, body);
  /** Per-device overrides; approving a GUID that never called registers it ahead of time. */
  const override = async (guid: string, set: Record<string, string>) => {
    await api('POST', `/v1/admin/apps/${APP}/devices/${guid}/approve`);
    const r = await api('PATCH', `/v1/admin/apps/${APP}/devices/${guid}/config`, { set });
    assert.equal(r.status, 200, JSON.stringify(r.json));
  };
  const messagesOf = (r: Run) => r.lines.filter((l) => l.startsWith('message '));
  const adminPublish = async (scope: string, stream: string, value: string) => {
    const r = await api('POST', `/v1/admin/apps/${APP}/messages`, { scope, stream, value });
    assert.ok(r.status < 300, JSON.stringify(r.json));
  };

  before(async () => {
    execFileSync('bash', [join(ROOT, 'scripts/ensure-device-toolchain.sh')], { stdio: 'inherit' });
    work = mkdtempSync(join(tmpdir(), 'stratus-arduino-e2e-'));
    device = join(work, 'stratus-device');
    const src = join(LIB, 'src');
    const posix = join(LIB, 'extras/posix');
    const sources = readdirSync(src).filter((f) => f.endsWith('.c')).map((f) => join(src, f));
    const built = spawnSync('gcc', ['-Wall', '-Wextra', '-Werror', '-std=c99', '-pedantic', '-O1', `-I${src}`, `-I${posix}`, ...sources, join(posix, 'stratus_posix.c'), join(posix, 'stratus_device.c'), '-o', device], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
    s = await startServer();
    const created = await api('POST', '/v1/admin/apps', { name: APP, policy: 'open' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    secret = created.json.secret;
    await api('PATCH', `/v1/admin/apps/${APP}/config`, { set: { variable: '7', 'refresh interval': '300', note: 'two\nlines' } });
  });
  after(async () => {
    for (const e of extra) await e.close();
    await s.stop();
    removeDir(s.dataDir);
    removeDir(work);
  });

  it('reads the config with a per-device override, then polls with 304', async () => {
    await override('dev-a', { variable: '9' });
    const a = await run(['--device', 'dev-a', '--get', 'variable', '--get', 'note', '--get', 'missing', '--updates', '2']);
    assert.equal(a.code, 0, a.out);
    assert.deepEqual(a.lines, ['update 1 ok 200', 'config variable=9', 'config note=two\\nlines', 'config missing absent', 'update 2 ok 304', 'config variable=9', 'config note=two\\nlines', 'config missing absent', 'queued 0']);
    const b = await run(['--device', 'dev-b', '--get', 'variable']);
    assert.ok(b.lines.includes('config variable=7'), b.out);
  });

  it('publishes; a retry with the same id is stored once', async () => {
    const first = await run(['--device', 'pub-1', '--id', 'reading-1', '--publish', 'home/temp=21.5']);
    const again = await run(['--device', 'pub-1', '--id', 'reading-1', '--publish', 'home/temp=21.5']);
    assert.equal(first.code, 0, first.out);
    const seq = /^accepted reading-1 (\d+)$/m.exec(first.out)?.[1];
    assert.ok(seq, first.out);
    assert.match(again.out, new RegExp(`^accepted reading-1 ${seq}$`, 'm'));
    const stored = await api('GET', `/v1/admin/apps/${APP}/messages?scope=home&stream=temp`);
    assert.deepEqual(stored.json.messages.map((m: { value: string; from: string }) => [m.value, m.from]), [['21.5', 'pub-1']]);
  });

  it('delivers in order, never again once acknowledged', async () => {
    for (const v of ['one', 'two', 'three']) await adminPublish('home', 'cmd', v);
    const r = await run(['--device', 'sub-1', '--subscribe', 'home/cmd:10!', '--updates', '2']);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(messagesOf(r).map((l) => l.split(' ').slice(3).join(' ')), ['1 $admin one', '2 $admin two', '3 $admin three']);
    const later = await run(['--device', 'sub-1', '--subscribe', 'home/cmd', '--updates', '1']);
    assert.deepEqual(messagesOf(later), [], later.out);
  });

  it('gives a message whose callback never returned again, and the ones after it', async () => {
    await run(['--device', 'crash-1', '--subscribe', 'home/jobs']); // a cursor at the head
    for (const v of ['a', 'boom', 'c']) await adminPublish('home', 'jobs', v);
    const crashed = await run(['--device', 'crash-1', '--subscribe', 'home/jobs', '--crash-on', 'boom']);
    assert.equal(crashed.code, 3, crashed.out);
    assert.match(crashed.out, /^message home jobs \d+ \$admin a$/m);
    assert.match(crashed.out, /^crash home jobs \d+$/m);
    const next = await run(['--device', 'crash-1', '--subscribe', 'home/jobs', '--updates', '2']);
    const values = messagesOf(next).map((l) => l.split(' ').pop());
    assert.ok(values.includes('boom') && values.includes('c'), next.out);
    assert.deepEqual(values.filter((v) => v === 'boom'), ['boom'], 'delivered once more, then acknowledged');
  });

  it('keeps PRIVATE to the device', async () => {
    const own = await run(['--device', 'priv-a', '--publish', 'PRIVATE/notes=mine', '--subscribe', 'PRIVATE/notes:5!', '--updates', '2']);
    assert.match(own.out, /^message PRIVATE notes \d+ priv-a mine$/m);
    const other = await run(['--device', 'priv-b', '--subscribe', 'PRIVATE/notes:5!']);
    assert.deepEqual(messagesOf(other), [], other.out);
  });

  it('refuses a wrong secret, and applies nothing', async () => {
    const r = await run(['--device', 'dev-a', '--secret', 'not-the-secret', '--get', 'variable']);
    assert.equal(r.code, 1);
    assert.ok(r.lines.includes('update 1 error bad_answer_signature 401'), r.out);
    assert.ok(r.lines.includes('config variable absent'), r.out);
  });

  it('refuses an answer altered in transit and applies nothing of it', async () => {
    await adminPublish('home', 'alarm', 'ring');
    // flip one byte of the body: the first byte after the head's blank line
    let head = Buffer.alloc(0);
    const flip = await proxy(new URL(s.url), (chunk) => {
      const before = head.length;
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end >= 0 && end + 4 >= before && end + 4 < head.length) chunk[end + 4 - before] = (chunk[end + 4 - before] as number) ^ 0x20;
      return chunk;
    });
    extra.push(flip);
    const r = await new Promise<Run>((done) =>
      execFile(device, ['--url', `${flip.url}/${APP}`, '--secret', secret, '--device', 'victim', '--subscribe', 'home/alarm:5!', '--get', 'variable'], (error, stdout) =>
        done({ code: error ? Number(error.code) : 0, lines: stdout.trim().split('\n'), out: stdout }),
      ),
    );
    assert.ok(flip.connections() >= 1);
    // (the flipped byte is the envelope's first: no envelope, so no status either; the status line is not read)
    assert.ok(r.lines.includes('update 1 error bad_answer_signature 0'), r.out);
    assert.deepEqual(messagesOf(r), []);
    assert.ok(r.lines.includes('config variable absent'), r.out);
  });

  it('recovers from a wrong clock: stale_time sets it, the request is retried once', async () => {
    const r = await run(['--device', 'clock-1', '--clock-skew', '-7200', '--get', 'variable']);
    assert.equal(r.code, 0, r.out);
    assert.ok(r.lines.includes('log 2 stale_time'), r.out);
    assert.ok(r.lines.includes('config variable=7'), r.out);
    const none = await run(['--device', 'clock-2', '--no-clock', '--get', 'variable']);
    assert.ok(none.lines.includes('config variable=7'), none.out);
  });

  it('moves to the server named by stratus.server', async () => {
    const door = await proxy(new URL(s.url));
    extra.push(door);
    await override('mover', { 'stratus.server': door.url });
    const r = await run(['--device', 'mover', '--get', 'variable', '--updates', '2']);
    assert.equal(r.code, 0, r.out);
    assert.equal(door.connections(), 1, 'the second update went to the new address');
    assert.deepEqual(r.lines.filter((l) => l.startsWith('update')), ['update 1 ok 200', 'update 2 ok 304']);
  });

  it('takes a signed static config file from stratus.config_url, and refuses a tampered one', async () => {
    const files = new Map<string, string>();
    const host: Server = createHttpServer((req, res) => {
      const file = files.get(req.url ?? '');
      if (file === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(file) }).end(file);
    });
    await new Promise<void>((done) => host.listen(0, '127.0.0.1', () => done()));
    extra.push({ close: () => new Promise((done) => host.close(() => done())) });
    const base = `http://127.0.0.1:${(host.address() as { port: number }).port}`;
    for (const guid of ['static-ok', 'static-bad']) {
      const configUrl = `${base}/${guid}.txt`;
      await override(guid, { 'stratus.config_url': configUrl });
      files.set(`/${guid}.txt`, signStaticConfig(secret, APP, guid, { 'stratus.config_url': configUrl, variable: '42' }));
    }
    files.set('/static-bad.txt', (files.get('/static-bad.txt') as string).replace('variable: 42', 'variable: 43'));
    const ok = await run(['--device', 'static-ok', '--get', 'variable', '--updates', '2']);
    assert.equal(ok.code, 0, ok.out);
    assert.deepEqual(ok.lines.filter((l) => l.startsWith('config')), ['config variable=7', 'config variable=42']);
    const bad = await run(['--device', 'static-bad', '--get', 'variable', '--updates', '2']);
    assert.ok(bad.lines.includes('update 2 error bad_config_file 0'), bad.out);
    assert.deepEqual(bad.lines.filter((l) => l.startsWith('config')), ['config variable=7', 'config variable=7']);
  });
});
