// HTTPS built in (docs/operations.md): a test CA made with openssl, a real `stratus serve` with
// --tls-cert/--tls-key, the SDK and the CLI verifying against the CA, the plain-HTTP device port and
// the redirect port, and a certificate swapped on SIGHUP under an open live connection.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { ClientError, MemoryStorage, Stratus, fetchTrusting } from '../../src/client/index.js';
import { loadCertificate } from '../../src/server/tls/certificate.js';
import { cleanEnv, runCli } from '../support/cli.js';
import { TestDevice } from '../support/device-client.js';
import { ROOT, removeDir, startServer, type RunningServer } from '../support/server-process.js';
import { ensureOpsTools, issueServerCert, makeCa, type Pem } from './tls-ca.js';

let dir: string;
let ca1: Pem;
let ca2: Pem;
let certA: Pem; // signed by ca1
let certB: Pem; // signed by ca2

before(() => {
  ensureOpsTools('openssl');
  dir = mkdtempSync(join(tmpdir(), 'stratus-tls-'));
  ca1 = makeCa(dir, 'ca1');
  ca2 = makeCa(dir, 'ca2');
  certA = issueServerCert(dir, ca1, 'server-a');
  certB = issueServerCert(dir, ca2, 'server-b');
});
after(() => removeDir(dir));

/** A port free a moment ago (for the extra listeners, which take a fixed port). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

/** Resolves with the output once `pattern` appears in the server's output. */
function waitForOutput(server: RunningServer, pattern: RegExp, from = 0): Promise<string> {
  return new Promise((done, fail) => {
    const check = () => {
      const rest = server.output().slice(from);
      if (!pattern.test(rest)) return false;
      server.process.stdout?.off('data', onData);
      server.process.off('exit', onExit);
      done(rest);
      return true;
    };
    const onData = () => void check();
    const onExit = () => fail(new Error(`the server exited before printing ${pattern}:\n${server.output()}`));
    server.process.stdout?.on('data', onData);
    server.process.once('exit', onExit);
    check();
  });
}

/** The SHA-256 fingerprint of the certificate a new TLS connection is given. */
function servedFingerprint(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const socket = connect({ host: hostname, port: Number(port), ca: [ca1.cert, ca2.cert] }, () => {
      done(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
      socket.end();
    });
    socket.once('error', fail);
  });
}

const fingerprint = (pem: Pem) => new X509Certificate(pem.cert).fingerprint256;

function sdk(server: RunningServer, device: string, ca?: string, fetch?: typeof globalThis.fetch): Stratus {
  return new Stratus({
    server: server.url,
    app: 'demo',
    secret: server.demoSecret,
    device,
    storage: new MemoryStorage(),
    retry: { attempts: 3, baseMs: 10, capMs: 50 },
    ...(ca === undefined ? {} : { ca }),
    ...(fetch === undefined ? {} : { fetch }),
  });
}

describe('HTTPS with a private CA', () => {
  let server: RunningServer;
  let devicePort: number;
  let redirectPort: number;

  before(async () => {
    devicePort = await freePort();
    redirectPort = await freePort();
    server = await startServer({
      dataDir: join(dir, 'data-main'),
      args: ['--tls-cert', certA.certFile, '--tls-key', certA.keyFile, '--plain-device-port', String(devicePort), '--http-redirect-port', String(redirectPort)],
    });
  });
  after(async () => assert.equal(await server.stop(), 0, 'a clean stop with the plain listeners too'));

  it('listens on https:// and prints the plain device and redirect addresses', () => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.output(), new RegExp(`device API over plain HTTP \\(signed, no TLS\\): http://127\\.0\\.0\\.1:${devicePort}/v1/`));
    assert.match(server.output(), new RegExp(`redirect to HTTPS: http://127\\.0\\.0\\.1:${redirectPort}/`));
  });

  it('the SDK given the CA connects and verifies: publish, then read back over HTTPS', async () => {
    const writer = sdk(server, 'tls-writer', ca1.cert);
    const reader = sdk(server, 'tls-reader', ca1.cert);
    const got: string[] = [];
    reader.subscribe('readings', (_stream, data) => void got.push(data), { scope: 'fleet', limit: 10 });
    try {
      const receipt = await writer.publish('readings', { celsius: 21 }, { scope: 'fleet' });
      assert.ok(receipt.seq !== null && receipt.seq > 0, 'stored, with a sequence number');
      await reader.update();
      assert.deepEqual(got, ['{"celsius":21}']);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('the SDK refuses a certificate from another CA, or from none it trusts, with a clear error and no retries', async () => {
    for (const [label, trusting] of [['another CA', fetchTrusting(ca2.cert)], ['the system CAs', globalThis.fetch.bind(globalThis)]] as const) {
      let tries = 0;
      const counting = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
        tries++;
        return trusting(input, init);
      }) as typeof fetch;
      const client = sdk(server, 'tls-doubter', undefined, counting);
      client.on('error', () => undefined);
      try {
        const error = await client.update().then(
          () => assert.fail(`${label}: the update went through`),
          (e: unknown) => e,
        );
        assert.equal(tries, 1, `${label}: not retried (the same certificate would come back)`);
        assert.ok(error instanceof ClientError, `${label}: ${String(error)}`);
        assert.equal(error.code, 'network');
        assert.match(error.message, /TLS certificate is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\): pass the CA that signed it as the `ca` option/, label);
      } finally {
        await client.close();
      }
    }
    assert.throws(() => sdk(server, 'tls-both', ca1.cert, globalThis.fetch), /give `ca` or `fetch`, not both/);
  });

  it('the CLI with --ca (or STRATUS_CA) works; without it, it is refused with exit 3 and says to pass --ca', async () => {
    const base = ['--server', server.url, '--token', server.adminToken];
    const ok = await runCli([...base, '--ca', ca1.certFile, '--json', 'app', 'list']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout).map((a: { name: string }) => a.name), ['demo']);
    const fromEnv = await runCli([...base, 'app', 'list'], cleanEnv({ STRATUS_CA: ca1.certFile }));
    assert.equal(fromEnv.code, 0, fromEnv.stderr);

    const refused = await runCli([...base, 'app', 'list']);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /its TLS certificate is not trusted \(\w+\): pass --ca FILE \(STRATUS_CA\)/);
    const wrongCa = await runCli([...base, '--ca', ca2.certFile, 'app', 'list']);
    assert.equal(wrongCa.code, 3, wrongCa.stderr);

    const missing = await runCli([...base, '--ca', join(dir, 'nosuch.pem'), 'app', 'list']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--ca .*nosuch\.pem cannot be read: ENOENT/);
    const notPem = await runCli([...base, '--ca', certA.keyFile, 'app', 'list']);
    assert.equal(notPem.code, 2);
    assert.match(notPem.stderr, /holds no PEM certificate/);
  });

  it('the plain device port answers signed device calls and refuses the admin API and the console', async () => {
    const plain = `http://127.0.0.1:${devicePort}`;
    const device = new TestDevice(plain, 'demo', server.demoSecret, 'no-tls-board');
    const synced = await device.sync({ publish: [{ id: 'm1', scope: 'fleet', stream: 'plain', value: 'hello' }] });
    assert.equal(synced.status, 200, synced.text);
    assert.ok(synced.signatureValid, 'the answer is signed');
    assert.deepEqual(synced.json.accepted.map((a: { id: string }) => a.id), ['m1']);
    assert.equal((await device.send('GET', '/v1/config')).status, 200);

    const admin = await fetch(`${plain}/v1/admin/apps`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    assert.equal(admin.status, 404);
    const body = (await admin.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'not_found');
    assert.match(body.error.message, /serves only the signed device API .* the admin API and the console are on HTTPS port \d+/);
    assert.equal((await fetch(`${plain}/`)).status, 404, 'no console');
    assert.equal((await fetch(`${plain}/console/app.js`)).status, 404, 'no console assets');
    assert.equal((await fetch(`${plain}/openapi.json`)).status, 404);
    assert.equal((await fetch(`${plain}/healthz`)).status, 200, 'a load balancer can check it');

    // What a device sent over plain HTTP is there over HTTPS.
    const reader = sdk(server, 'tls-plain-reader', ca1.cert);
    const got: string[] = [];
    reader.subscribe('plain', (_stream, data) => void got.push(data), { scope: 'fleet', limit: 10 });
    try {
      await reader.update();
      assert.deepEqual(got, ['hello']);
    } finally {
      await reader.close();
    }
  });

  it('the redirect port sends every request to the same path over HTTPS (308 keeps the method)', async () => {
    const httpsPort = new URL(server.url).port;
    for (const [method, path] of [['GET', '/'], ['POST', '/v1/sync?x=1'], ['GET', '/v1/admin/apps']]) {
      const r = await fetch(`http://127.0.0.1:${redirectPort}${path}`, { method, redirect: 'manual' });
      assert.equal(r.status, 308, `${method} ${path}`);
      assert.equal(r.headers.get('location'), `https://127.0.0.1:${httpsPort}${path}`);
    }
    const byName = await fetch(`http://localhost:${redirectPort}/console/app.js`, { redirect: 'manual' });
    assert.equal(byName.headers.get('location'), `https://localhost:${httpsPort}/console/app.js`);
  });
});

describe('SIGHUP reloads the certificate', () => {
  it('an open live connection keeps working, new connections get the new certificate, a bad one is refused and the old kept', async () => {
    const files = join(dir, 'reload');
    mkdirSync(files);
    const certFile = join(files, 'tls.crt');
    const keyFile = join(files, 'tls.key');
    copyFileSync(certA.certFile, certFile);
    copyFileSync(certA.keyFile, keyFile);
    const server = await startServer({ dataDir: join(dir, 'data-reload'), args: ['--tls-cert', certFile, '--tls-key', keyFile, '--log-level', 'info'] });
    const listener = sdk(server, 'tls-listener', ca1.cert);
    const errors: Error[] = [];
    listener.on('error', (e) => void errors.push(e));
    let wake: () => void = () => undefined;
    const got: string[] = [];
    listener.subscribe(
      'alerts',
      (_stream, data) => {
        got.push(data);
        wake();
      },
      { scope: 'fleet' },
    );
    const nextMessage = () => new Promise<void>((done) => (wake = done));
    const live = listener.live();
    try {
      await live.opened;
      assert.equal(await servedFingerprint(server.url), fingerprint(certA));

      // Swap the files as a certificate renewal does (write aside, rename over), then SIGHUP.
      copyFileSync(certB.certFile, `${certFile}.new`);
      copyFileSync(certB.keyFile, `${keyFile}.new`);
      renameSync(`${certFile}.new`, certFile);
      renameSync(`${keyFile}.new`, keyFile);
      let mark = server.output().length;
      server.process.kill('SIGHUP');
      await waitForOutput(server, /TLS certificate reloaded/, mark);
      assert.equal(await servedFingerprint(server.url), fingerprint(certB), 'a new connection gets the new certificate');

      // The live connection opened under the old certificate still delivers (a reconnect could not:
      // the old CA no longer verifies the server).
      const publisher = sdk(server, 'tls-publisher', ca2.cert);
      try {
        const arrived = nextMessage();
        await publisher.publish('alerts', 'after-reload', { scope: 'fleet' });
        await arrived;
        assert.deepEqual(got, ['after-reload']);

        // A broken certificate on the next SIGHUP: logged, and the one in use stays.
        writeFileSync(certFile, '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
        mark = server.output().length;
        server.process.kill('SIGHUP');
        const log = await waitForOutput(server, /TLS certificate NOT reloaded/, mark);
        assert.match(log, /the old one stays: --tls-cert .*tls\.crt holds no PEM certificate/);
        assert.equal(await servedFingerprint(server.url), fingerprint(certB), 'still the reloaded certificate');
        const again = nextMessage();
        await publisher.publish('alerts', 'after-bad-reload', { scope: 'fleet' });
        await again;
        assert.deepEqual(got, ['after-reload', 'after-bad-reload']);
      } finally {
        await publisher.close();
      }
      assert.deepEqual(errors, [], 'the live connection never dropped');
    } finally {
      await live.close();
      await listener.close();
      assert.equal(await server.stop(), 0, 'a clean stop with TLS listeners');
    }
  });
});

describe('TLS settings are checked before anything is created', () => {
  const serve = (dataDir: string, args: string[]) => runCli(['serve', '--port', '0', '--data', dataDir, ...args]);

  it('refuses half-given or mismatched files with exit 2 and makes no database', async () => {
    const cases: [string[], RegExp][] = [
      [['--tls-cert', certA.certFile], /--tls-cert and --tls-key go together/],
      [['--tls-cert', certA.certFile, '--tls-key', certB.keyFile], /--tls-key .*server-b\.key: the key does not belong to the certificate/],
      [['--tls-cert', join(dir, 'nosuch.crt'), '--tls-key', certA.keyFile], /--tls-cert .*nosuch\.crt cannot be read: ENOENT/],
      [['--tls-cert', certA.keyFile, '--tls-key', certA.keyFile], /--tls-cert .*holds no PEM certificate/],
      [['--plain-device-port', '9999'], /are for TLS: give --tls-cert and --tls-key too/],
      [['--tls-cert', certA.certFile, '--tls-key', certA.keyFile, '--plain-device-port', '70000'], /--plain-device-port must be a TCP port up to 65535/],
      [['--tls-cert', certA.certFile, '--tls-key', certA.keyFile, '--plain-device-port', '9999', '--http-redirect-port', '9999'], /are both 9999/],
    ];
    for (const [args, message] of cases) {
      const dataDir = join(dir, `refused-${Math.random().toString(36).slice(2)}`);
      const r = await serve(dataDir, args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(existsSync(join(dataDir, 'stratus.db')), false, `${args.join(' ')}: no database made`);
    }
  });
});

describe('docs/operations.md', () => {
  it("the test CA commands make a CA and a server certificate the server accepts", () => {
    const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    const script = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string).find((block) => block.includes('openssl req -x509'));
    assert.ok(script, 'the block is there');
    const work = join(dir, 'docs-ca');
    mkdirSync(work);
    execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    const loaded = loadCertificate({ certFile: join(work, 'server.crt'), keyFile: join(work, 'server.key') });
    const leaf = new X509Certificate(loaded.cert);
    assert.ok(leaf.verify(new X509Certificate(readFileSync(join(work, 'ca.crt'))).publicKey), 'signed by the CA');
    assert.equal(leaf.checkHost('stratus.example'), 'stratus.example');
  });
});
