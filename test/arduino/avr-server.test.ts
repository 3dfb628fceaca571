// The library's ordinary Client& path on an emulated 8-bit AVR against a real `stratus serve`:
// the firmware's UART0 carries the TCP connection through simrun's bridge, so update() really
// round-trips. Two firmwares: BridgedUpdate (prints what it got) and the design's sketch itself,
// unchanged but for the secret, whose EthernetClient is the bridge and whose LED shows the command.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestDevice, admin } from '../support/device-client.js';
import {
  AVR_EXTRAS,
  AVR_FIRMWARE,
  AVR_STUBS,
  buildSimrun,
  buildSketch,
  cyclesBetween,
  DESIGN_SKETCH,
  ensureDeviceToolchain,
  LED_PIN,
  ms,
  runSim,
} from '../support/device-toolchain.js';
import { openLive } from '../support/live-reader.js';
import { removeDir, startServer, type RunningServer } from '../support/server-process.js';

describe('8-bit firmware in simavr against a real server, through the UART bridge', () => {
  let dir: string;
  let simrun: string;
  let s: RunningServer;
  let secret: string;
  const messages = async (stream: string) =>
    (await admin(s.url, s.adminToken, 'GET', `/v1/admin/apps/greenhouse/messages?scope=home&stream=${stream}`)).json.messages as {
      value: string;
      from: string;
    }[];
  before(async () => {
    ensureDeviceToolchain();
    dir = mkdtempSync(join(tmpdir(), 'stratus-avr-e2e-'));
    simrun = await buildSimrun(dir);
    s = await startServer();
    const created = await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps', { name: 'greenhouse', policy: 'open' });
    assert.equal(created.status, 201);
    secret = created.json.secret;
    // a refresh interval of 1 s lets the design's sketch update again soon after its first update
    const config = await admin(s.url, s.adminToken, 'PATCH', '/v1/admin/apps/greenhouse/config', { set: { variable: '7', 'refresh interval': '1' } });
    assert.equal(config.status, 200);
  });
  after(async () => {
    await s?.stop();
    if (dir) removeDir(dir);
    if (s) removeDir(s.dataDir);
  });

  it('one update(): config read, one queued publish stored, one subscription delivered to its callback', async (t) => {
    await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/greenhouse/messages', { scope: 'home', stream: 'cmd', value: 'on' });

    const build = await buildSketch('mega', join(AVR_FIRMWARE, 'BridgedUpdate'), join(dir, 'build'), {
      includes: [AVR_EXTRAS],
      defines: [`TEST_SECRET="${secret}"`],
    });
    const port = new URL(s.url).port;
    const result = await runSim(simrun, build.elf, { routes: [`*=127.0.0.1:${port}`], wallSeconds: 90 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    // no clock on the board: the first answer is stale_time, which sets it, and the request is retried once
    assert.match(result.stdout, /log \d stale_time/);
    assert.match(result.stdout, /^message cmd on\r$/m);
    assert.match(result.stdout, /^update ok\r$/m);
    assert.match(result.stdout, /^variable 7\r$/m);
    assert.deepEqual(
      (await messages('temp')).filter((m) => m.from === 'avr-mega-1').map((m) => m.value),
      ['21.5'],
    );
    const cycles = cyclesBetween(result.marks, 1, 2);
    const traffic = /bridge sent (\d+) bytes, received (\d+) bytes/.exec(result.stderr);
    t.diagnostic(
      `mega in simavr, update() against stratus serve through the UART bridge (500 kbaud): ${cycles} cycles (${ms(cycles)} simulated, server time frozen), ` +
        `two signed round trips (stale_time, then the retry), ${traffic?.[1]} bytes sent, ${traffic?.[2]} received; firmware ${build.size.flash} B flash, ${build.size.ram} B static RAM, ` +
        `stack peak ${result.stackBytes} B (${result.stackHeadroom} B left above .bss)`,
    );
    assert.ok(result.stackHeadroom >= 0, `the stack ran ${-result.stackHeadroom} B into .bss`);
  });

  for (const board of ['uno', 'mega'] as const) {
    it(`${board}: the design's sketch itself, the same firmware, updates against the server and its LED follows the command`, async (t) => {
      // DesignSketch.ino unchanged but for the app's secret; its EthernetClient is the UART bridge
      const sketch = join(dir, `design-${board}`, 'DesignSketch');
      mkdirSync(sketch, { recursive: true });
      const source = readFileSync(join(DESIGN_SKETCH, 'DesignSketch.ino'), 'utf8');
      assert.ok(source.includes('"secret key"'), 'the sketch holds the placeholder secret');
      writeFileSync(join(sketch, 'DesignSketch.ino'), source.replace('"secret key"', JSON.stringify(secret)));
      // the bridge costs RAM a shield would not (Serial's buffers, the client's): kept small
      const build = await buildSketch(board, sketch, join(dir, `design-${board}`, 'build'), {
        libraries: [join(AVR_STUBS, 'EthernetOverBridge')],
        defines: ['SERIAL_RX_BUFFER_SIZE=32', 'SERIAL_TX_BUFFER_SIZE=16', 'SERIAL_BRIDGE_BUFFER_BYTES=24'],
      });

      const device = 'deadbeeffe01'; // the sketch's MAC, its GUID
      const storedBefore = (await messages('temp')).filter((m) => m.from === device).length;
      // the server pushes each stored reading to a live subscriber: that is how the test learns of it
      const temps = await openLive(new TestDevice(s.url, 'greenhouse', secret, `watch-${board}`), ['home/temp']);
      const readingStored = (async () => {
        for (let n = 1; !temps.ended; n++) if ((await temps.waitFor(n)).some((e) => e.data.from === device)) return;
      })();
      const port = new URL(s.url).port;
      let ended = false;
      let connects = 0;
      let nextConnect = () => {};
      const running = runSim(simrun, build.elf, {
        board,
        routes: [`*=127.0.0.1:${port}`],
        endOnPin: LED_PIN[board],
        maxCycles: 16e6 * 30,
        wallSeconds: 90,
        onLine: (line) => {
          if (!line.includes('bridge connect')) return;
          connects++;
          nextConnect();
        },
      });
      void running.then(() => {
        ended = true;
        nextConnect();
      });
      // its first update publishes a reading (queued, then sent) and subscribes at the stream's head;
      // once it connects again, that update is over: a command published now is after its cursor
      await Promise.race([readingStored, running]);
      await temps.close();
      const seen = connects;
      await new Promise<void>((resume) => {
        nextConnect = () => {
          if (ended || connects > seen) resume();
        };
        nextConnect();
      });
      await admin(s.url, s.adminToken, 'POST', '/v1/admin/apps/greenhouse/messages', { scope: 'home', stream: 'cmd', value: 'on' });
      const result = await running;
      t.diagnostic(
        `${board}: DesignSketch in simavr against stratus serve: ${result.reason} after ${result.cycles} cycles (${ms(result.cycles)}), ` +
          `stack peak ${result.stackBytes} B with ${build.size.ram} B static RAM (bridge buffers included): ${result.stackHeadroom} B left above .bss`,
      );
      assert.ok(result.stackHeadroom >= 0, `the stack ran ${-result.stackHeadroom} B into .bss:\n${result.stderr}`);
      assert.equal(result.reason, 'pin', `the LED never went on:\n${result.stderr}`);
      assert.ok((await messages('temp')).filter((m) => m.from === device).length > storedBefore, 'its reading was stored');
    });
  }
});

