// The C/Arduino client on real 8-bit boards, the machinery: sketches built with Debian's
// arduino-core-avr and gcc-avr (no arduino-cli), firmware run in simavr through simrun, whose UART0
// carries a TCP bridge; and what signing a request costs there, in counted cycles.
// scripts/ensure-device-toolchain.sh installs the Debian packages when they are missing. Every
// figure is printed as a diagnostic for the docs. The rest: avr-vectors, avr-server, device-sizes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AVR_EXTRAS,
  AVR_FIRMWARE,
  buildSimrun,
  buildSketch,
  cyclesBetween,
  describeSize,
  ensureDeviceToolchain,
  ms,
  runSim,
  type SketchBuild,
} from '../support/device-toolchain.js';
import { ROOT, removeDir } from '../support/server-process.js';

describe('8-bit AVR: build, emulate, bridge', () => {
  let dir: string;
  let simrun: string;
  let echo: Server;
  let echoPort: number;
  const echoBuilds: Partial<Record<'uno' | 'mega', SketchBuild>> = {};

  before(async () => {
    ensureDeviceToolchain();
    dir = mkdtempSync(join(tmpdir(), 'stratus-avr-'));
    simrun = await buildSimrun(dir);
    for (const board of ['uno', 'mega'] as const) {
      echoBuilds[board] = await buildSketch(board, join(AVR_FIRMWARE, 'BridgeEcho'), join(dir, `echo-${board}`), { library: false, includes: [AVR_EXTRAS] });
    }
    // a firmware stopped mid-connection resets it: not the echo server's concern
    echo = createServer((socket) => socket.on('error', () => {}).pipe(socket));
    await new Promise<void>((done) => echo.listen(0, '127.0.0.1', done));
    echoPort = (echo.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise((done) => echo?.close(done));
    if (dir) removeDir(dir);
  });

  it('the toolchain script does nothing, quickly, when everything is installed', (t) => {
    const started = process.hrtime.bigint();
    const printed = execFileSync('bash', [join(ROOT, 'scripts/ensure-device-toolchain.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const took = Number(process.hrtime.bigint() - started) / 1e6;
    t.diagnostic(`ensure-device-toolchain.sh with everything installed: ${took.toFixed(0)} ms`);
    assert.equal(printed, '');
    assert.ok(took < 2000, `took ${took} ms`);
  });

  it('builds a sketch for the Uno (ATmega328P) and the Mega (ATmega2560) into ELF and HEX', (t) => {
    for (const board of ['uno', 'mega'] as const) {
      const build = echoBuilds[board];
      assert.ok(build && existsSync(build.elf) && existsSync(build.hex));
      t.diagnostic(describeSize('BridgeEcho test firmware', build.size));
      assert.ok(build.size.flash > 1000 && build.size.flash < build.size.flashMax);
      assert.ok(build.size.ram > 100 && build.size.ram < build.size.ramMax);
    }
  });

  for (const board of ['mega', 'uno'] as const) {
    it(`${board}: prints on UART0, marks cycles, and echoes 600 bytes through the bridge, paced for a 64-byte Serial buffer`, async (t) => {
      const build = echoBuilds[board] as SketchBuild;
      const result = await runSim(simrun, build.elf, { board, routes: [`*=127.0.0.1:${echoPort}`], wallSeconds: 30 });
      assert.equal(result.code, 0, result.stderr + result.stdout);
      assert.equal(result.reason, 'exit');
      assert.match(result.stdout, /^hello from the AVR\r\n/);
      assert.match(result.stdout, /echoed 600 bytes, 0 wrong\r\n/);
      assert.match(result.stdout, /after stop: closed\r\n/);
      assert.match(result.stderr, /bridge connect echo\.test:7 -> 127\.0\.0\.1:\d+: ok/);
      assert.match(result.stderr, /bridge sent 601 bytes, received 601 bytes/);
      const cycles = cyclesBetween(result.marks, 1, 2);
      t.diagnostic(`${board}: 601 bytes to the echo server and back through the bridge: ${cycles} cycles (${ms(cycles)} at 16 MHz), whole run ${result.cycles} cycles`);
    });
  }

  it('a connection refused comes back to the firmware as a failed connect', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as { port: number }).port;
    await new Promise((done) => closed.close(done));
    const result = await runSim(simrun, echoBuilds.mega?.elf as string, { routes: [`*=127.0.0.1:${port}`], wallSeconds: 30 });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /connect failed/);
    assert.match(result.stderr, /bridge connect echo\.test:7 -> 127\.0\.0\.1:\d+: failed/);
  });

  it('marks are deterministic: the same firmware counts the same cycles from start to first mark', async () => {
    const a = await runSim(simrun, echoBuilds.mega?.elf as string, { routes: [`*=127.0.0.1:${echoPort}`] });
    const b = await runSim(simrun, echoBuilds.mega?.elf as string, { routes: [`*=127.0.0.1:${echoPort}`] });
    assert.deepEqual(a.marks[0], b.marks[0]);
  });

  it('feeds raw input to UART0 (-i), paced by simavr', async () => {
    const build = await buildSketch('mega', join(AVR_FIRMWARE, 'UartInput'), join(dir, 'input'), { library: false, includes: [AVR_EXTRAS] });
    const result = await runSim(simrun, build.elf, { input: 'a line typed at the board\n', wallSeconds: 30 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'got: a line typed at the board\r\n');
  });

  it('stops a firmware that never ends at the cycle limit', async () => {
    const result = await runSim(simrun, echoBuilds.mega?.elf as string, { maxCycles: 2000, routes: [`*=127.0.0.1:${echoPort}`] });
    assert.equal(result.reason, 'timeout');
    assert.equal(result.code, 124);
  });

  for (const board of ['uno', 'mega'] as const) {
    it(`${board}: signing one 200-byte request costs a counted number of cycles at 16 MHz`, async (t) => {
      const build = await buildSketch(board, join(AVR_FIRMWARE, 'SignBench'), join(dir, `sign-${board}`), { includes: [AVR_EXTRAS] });
      const result = await runSim(simrun, build.elf, { board, wallSeconds: 60 });
      assert.equal(result.code, 0, result.stderr + result.stdout);
      // the same body and request head as SignBench.ino, signed by Node (PROTOCOL §2)
      const body = Array.from({ length: 200 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
      const bodySha = createHash('sha256').update(body).digest('hex');
      const toSign = ['STRATUS-HMAC-SHA256', 'POST', '/v1/sync', 'greenhouse', 'a4cf12fe0b11', '1732300000', 'n-000001', bodySha].join('\n');
      assert.match(result.stdout, new RegExp(`body sha256 ${bodySha}\r\n`, 'i'));
      assert.match(result.stdout, new RegExp(`signature ${createHmac('sha256', 's3cret-app-key').update(toSign).digest('hex')}\r\n`));
      const hash = cyclesBetween(result.marks, 1, 2);
      const sign = cyclesBetween(result.marks, 2, 3);
      t.diagnostic(
        `${board} signing at 16 MHz: SHA-256 of a 200-byte body ${hash} cycles (${ms(hash)}), HMAC of the string to sign ${sign} cycles (${ms(sign)}), ` +
          `one signed request ${hash + sign} cycles (${ms(hash + sign)}), stack peak ${result.stackBytes} B; rweather's Crypto: ~20 ms for 200 B on an Uno`,
      );
    });

    it(`${board}: SHA-256 of 0, 55, 56, 63, 64, 65 and 1000 bytes equals Node's`, async (t) => {
      const build = await buildSketch(board, join(AVR_FIRMWARE, 'Sha256Lengths'), join(dir, `sha-${board}`), { includes: [AVR_EXTRAS] });
      const result = await runSim(simrun, build.elf, { board, wallSeconds: 60 });
      assert.equal(result.code, 0, result.stderr + result.stdout);
      const lengths = [0, 55, 56, 63, 64, 65, 1000];
      const expected = lengths.map((n) => {
        const message = Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff));
        return `sha256 ${n} ${createHash('sha256').update(message).digest('hex').toUpperCase()}\r\n`;
      });
      assert.equal(result.stdout, expected.join(''));
      const cycles = cyclesBetween(result.marks, 1, 2);
      t.diagnostic(`${board}: SHA-256 of 1000 bytes (16 blocks) ${cycles} cycles (${ms(cycles)} at 16 MHz)`);
    });
  }
});

