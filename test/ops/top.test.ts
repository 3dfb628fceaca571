// `stratus top` in a real terminal (tmux) against a real server on a clock the test moves: a device
// comes online on its first sync and goes offline once the test moves the clock past its presence
// window (stratus.refresh = 1 s: a 2 s window; the server's presence timer notices within 100 ms),
// a pending device is approved with a key, the view survives resizes, and q quits; `--once` and
// `--json` print a snapshot for scripts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cleanEnv, runCli } from '../support/cli.js';
import { TestDevice, admin } from '../support/device-client.js';
import { startInProcess, type InProcessServer } from '../support/in-process.js';
import { CLI } from '../support/server-process.js';
import { TmuxSession, ensureTmux } from './tmux.js';

/** Lines of the screen that mention `text`. */
const linesWith = (screen: string, text: string): string[] => screen.split('\n').filter((l) => l.includes(text));
/** The apps table row of one app: its columns split on runs of spaces. */
const appRow = (screen: string, app: string): string[] | undefined =>
  screen
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((cells) => cells[0] === app && ['open', 'approval', 'closed'].includes(cells[1] as string));

describe('stratus top', () => {
  let server: InProcessServer;
  let gateSecret: string;
  const demoSecret = 'demo-secret';

  before(async () => {
    ensureTmux();
    server = await startInProcess({ presenceFlushMs: 100 });
    await server.createApp('demo', demoSecret);
    const refresh = await admin(server.url, server.adminToken, 'PATCH', '/v1/admin/apps/demo/config', { set: { 'stratus.refresh': '1' } });
    assert.equal(refresh.status, 200, JSON.stringify(refresh.json));
    const gate = await admin(server.url, server.adminToken, 'POST', '/v1/admin/apps', { name: 'gate', policy: 'approval' });
    assert.equal(gate.status, 201, JSON.stringify(gate.json));
    gateSecret = gate.json.secret;
  });
  after(() => server.close());

  it('shows devices come online and go offline, approves a pending one with a key, resizes, and quits on q', async () => {
    const term = new TmuxSession([process.execPath, CLI, 'top', '--interval', '250'], 120, 40, {
      STRATUS_SERVER: server.url,
      STRATUS_ADMIN_TOKEN: server.adminToken,
    });
    try {
      await term.waitFor('the live view with both apps', (s) => s.includes('live') && appRow(s, 'demo') !== undefined && appRow(s, 'gate') !== undefined);

      // Online on its first sync, offline two refresh intervals (2 s) after its last one.
      const sensor = new TestDevice(server.url, 'demo', demoSecret, 'sensor-1', server.now);
      assert.equal((await sensor.sync({ publish: [{ scope: 'telemetry', stream: 'temp', value: '21.5' }] })).status, 200);
      await term.waitFor('sensor-1 online', (s) => linesWith(s, 'sensor-1').some((l) => /\bonline\b/.test(l)));
      await term.waitFor('demo with 1 device, online', (s) => appRow(s, 'demo')?.slice(2, 6).join(' ') === '1 1 0 0');
      server.advance(3);
      let screen = await term.waitFor('sensor-1 offline', (s) => linesWith(s, 'sensor-1').some((l) => /\boffline\b/.test(l)));
      await term.waitFor('demo with 0 online, 1 offline', (s) => appRow(s, 'demo')?.slice(2, 6).join(' ') === '1 0 1 0');

      // A device of an approval app asks; it is listed as pending and approved with `a`.
      const door = new TestDevice(server.url, 'gate', gateSecret, 'door-7', server.now);
      assert.equal((await door.sync({})).status, 403);
      screen = await term.waitFor('door-7 pending and selected', (s) => linesWith(s, 'door-7').some((l) => l.startsWith('>')) && /PENDING \(1\)/.test(s));
      assert.ok(linesWith(screen, 'door-7').some((l) => l.includes('asked for access')), screen);
      term.sendKeys('a');
      await term.waitFor('the approval', (s) => s.includes('approved door-7 in gate') && /PENDING \(0\)/.test(s));
      const shown = await admin(server.url, server.adminToken, 'GET', '/v1/admin/apps/gate/devices/door-7');
      assert.equal(shown.json.device.status, 'approved');
      assert.equal((await door.sync({})).status, 200, 'the approved device is let in');

      // Sort and filter.
      term.sendKeys('s');
      await term.waitFor('sort by online', (s) => s.includes('sort: online'));
      term.sendKeys('/');
      term.type('gate');
      term.sendKeys('Enter');
      screen = await term.waitFor('only gate', (s) => s.includes('filter: gate') && appRow(s, 'gate') !== undefined);
      assert.equal(appRow(screen, 'demo'), undefined, `the filter hides demo:\n${screen}`);
      term.sendKeys('Escape');
      await term.waitFor('the filter cleared', (s) => s.includes('filter: -') && appRow(s, 'demo') !== undefined);

      // Resizes: the whole view is redrawn to the new size, the key line at the bottom.
      for (const [width, height] of [[80, 24], [60, 16], [120, 40]] as const) {
        term.resize(width, height);
        screen = await term.waitFor(`a ${width}×${height} view`, (s) => {
          const lines = s.replace(/\n$/, '').split('\n');
          return lines.length === height && lines[0]!.startsWith('stratus top') && lines[height - 1]!.startsWith('q quit') && lines.every((l) => l.length <= width);
        });
      }
      assert.ok(appRow(screen, 'demo'), screen);

      term.sendKeys('q');
      assert.equal(await term.exited(), 0);
      assert.doesNotMatch(term.capture(), /stratus top/, 'the normal screen is back');
    } finally {
      term.kill();
    }
  });

  it('--once prints the fleet as tables and --json as JSON; a bad token exits 1, a bad --interval 2', async () => {
    const env = cleanEnv({ STRATUS_SERVER: server.url, STRATUS_ADMIN_TOKEN: server.adminToken });
    const once = await runCli(['top', '--once'], env);
    assert.equal(once.code, 0, once.stderr);
    assert.match(once.stdout, /^NAME +POLICY +DEVICES +ONLINE +OFFLINE +PENDING/m);
    assert.match(once.stdout, /^gate +approval +\d+ +/m);
    const json = await runCli(['top', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const snap = JSON.parse(json.stdout);
    assert.deepEqual(snap.apps.map((a: { name: string }) => a.name).sort(), ['demo', 'gate']);
    assert.equal(snap.nodes.length, 1);
    assert.equal(snap.nodes[0].alive, true);
    assert.equal((await runCli(['top', '--once'], cleanEnv({ STRATUS_SERVER: server.url, STRATUS_ADMIN_TOKEN: 'wrong' }))).code, 1);
    const bad = await runCli(['top', '--interval', '5'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--interval must be milliseconds from 250 to 60000/);
    const noTerminal = await runCli(['top'], env);
    assert.equal(noTerminal.code, 2);
    assert.match(noTerminal.stderr, /needs a terminal; use --once or --json/);
  });
});
