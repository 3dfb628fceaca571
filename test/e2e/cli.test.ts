// The `stratus` CLI end to end: the built binary as a child process against a real `stratus serve`,
// asserting exit codes (docs/cli.md: 0 done, 1 refused/failed, 2 bad input, 3 unreachable) and --json.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyStaticConfig } from '../../src/protocol/index.js';
import { cleanEnv, runCli, type CliResult } from '../support/cli.js';
import { TestDevice } from '../support/device-client.js';
import { CLI, ROOT, removeDir, startServer, type RunningServer } from '../support/server-process.js';

/** Runs the CLI against one server with its admin token in the environment. */
function cliFor(server: RunningServer) {
  const env = cleanEnv({ STRATUS_SERVER: server.url, STRATUS_ADMIN_TOKEN: server.adminToken });
  const run = (...args: string[]): Promise<CliResult> => runCli(args, env);
  return {
    env,
    run,
    /** Runs with --json, expects exit 0 and returns the parsed output. */
    async json(...args: string[]): Promise<any> {
      const r = await run(...args, '--json');
      assert.equal(r.code, 0, `stratus ${args.join(' ')} failed: ${r.stderr}`);
      return JSON.parse(r.stdout);
    },
    /** Expects the exit code, nothing on stdout and an `error:` line on stderr matching `message`. */
    async fails(code: number, message: RegExp, ...args: string[]): Promise<CliResult> {
      const r = await run(...args);
      assert.equal(r.code, code, `stratus ${args.join(' ')} should exit ${code}: ${r.stderr}`);
      assert.equal(r.stdout, '', 'nothing on stdout');
      assert.match(r.stderr, /^error: /m);
      assert.match(r.stderr, message);
      return r;
    },
  };
}

async function started(): Promise<{ server: RunningServer; cli: ReturnType<typeof cliFor> }> {
  const server = await startServer();
  assert.ok(server.adminToken, 'the first start printed an admin token');
  return { server, cli: cliFor(server) };
}

async function stopped(server: RunningServer | undefined): Promise<void> {
  if (!server) return;
  await server.stop();
  removeDir(server.dataDir);
}

describe('stratus app', () => {
  let server: RunningServer;
  let cli: ReturnType<typeof cliFor>;
  before(async () => ({ server, cli } = await started()));
  after(() => stopped(server));

  it('create prints the app and its secret; defaults are policy approval and the server TTLs', async () => {
    const created = await cli.json('app', 'create', 'fleet');
    assert.equal(typeof created.secret, 'string');
    assert.ok(created.secret.length >= 32);
    assert.deepEqual(
      { name: created.app.name, policy: created.app.policy, ttl: created.app.defaultTtlSeconds, max: created.app.maxTtlSeconds },
      { name: 'fleet', policy: 'approval', ttl: 86_400, max: 31_536_000 },
    );
    const human = await cli.run('app', 'create', 'fleet-b', '--policy', 'open', '--default-ttl', '60', '--max-ttl', '120');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^created app fleet-b \(policy open\)\nsecret: \S{32,}\n/);
  });

  it('create refuses an existing name (exit 1) and bad input (exit 2)', async () => {
    await cli.fails(1, /conflict/, 'app', 'create', 'fleet');
    await cli.fails(2, /bad_request/, 'app', 'create', 'Bad Name');
    await cli.fails(2, /bad_request/, 'app', 'create', 'p', '--policy', 'sometimes');
    await cli.fails(2, /--default-ttl must be a whole number/, 'app', 'create', 'p', '--default-ttl', 'soon');
    const names = (await cli.json('app', 'list')).map((a: any) => a.name);
    assert.deepEqual(names.filter((n: string) => n === 'p'), [], 'nothing was created');
  });

  it('list and show; the secret is never shown again', async () => {
    const apps = await cli.json('app', 'list');
    assert.deepEqual(apps.map((a: any) => a.name).sort(), ['demo', 'fleet', 'fleet-b']);
    const shown = await cli.json('app', 'show', 'fleet-b');
    assert.deepEqual([shown.name, shown.policy, shown.defaultTtlSeconds, shown.maxTtlSeconds], ['fleet-b', 'open', 60, 120]);
    assert.equal(shown.secret, undefined);
    assert.deepEqual(shown.defaultGrants, [
      { action: 'publish', scope: '*', stream: '*' },
      { action: 'subscribe', scope: '*', stream: '*' },
    ]);
    const table = await cli.run('app', 'list');
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^NAME +POLICY/);
    assert.equal(table.stdout.trim().split('\n').length, 4, 'a header and three apps');
    await cli.fails(1, /not_found/, 'app', 'show', 'nope');
  });

  it('--json works before the command as well as after it', async () => {
    const r = await cli.run('--json', 'app', 'show', 'fleet');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).name, 'fleet');
  });

  it('set changes policy and TTLs; a refused change changes nothing', async () => {
    const changed = await cli.json('app', 'set', 'fleet', '--policy', 'closed', '--default-ttl', '30');
    assert.deepEqual([changed.policy, changed.defaultTtlSeconds], ['closed', 30]);
    assert.deepEqual((await cli.json('app', 'show', 'fleet')).policy, 'closed');
    const before = await cli.json('app', 'show', 'fleet');
    await cli.fails(2, /may not exceed/, 'app', 'set', 'fleet', '--default-ttl', '200', '--max-ttl', '100');
    await cli.fails(2, /bad_request/, 'app', 'set', 'fleet', '--policy', 'sometimes');
    await cli.fails(2, /bad_request/, 'app', 'set', 'fleet');
    assert.deepEqual(await cli.json('app', 'show', 'fleet'), before);
    await cli.fails(1, /not_found/, 'app', 'set', 'nope', '--policy', 'open');
  });

  it('rotate-secret: the old and the new secret both sign valid device requests during the overlap', async () => {
    const { secret: oldSecret } = await cli.json('app', 'create', 'rot', '--policy', 'open');
    const beforeRotation = Math.floor(Date.now() / 1000);
    const rotated = await cli.json('app', 'rotate-secret', 'rot', '--overlap', '600');
    assert.notEqual(rotated.secret, oldSecret);
    assert.ok(rotated.previousValidUntil >= beforeRotation + 600 && rotated.previousValidUntil <= beforeRotation + 602);
    for (const secret of [oldSecret, rotated.secret]) {
      const device = new TestDevice(server.url, 'rot', secret, 'rot-device');
      const r = await device.send('GET', '/v1/config');
      assert.equal(r.status, 200, r.text);
      assert.ok(r.signatureValid, 'the answer is signed with the secret that signed the request');
    }
    const wrong = await new TestDevice(server.url, 'rot', 'not-the-secret', 'rot-device').send('GET', '/v1/config');
    assert.equal(wrong.json?.error?.code, 'bad_signature');

    const human = await cli.run('app', 'rotate-secret', 'rot');
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^new secret: \S+\nold secrets valid until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    await cli.fails(2, /--overlap must be a whole number/, 'app', 'rotate-secret', 'rot', '--overlap', '-1');
    await cli.fails(1, /not_found/, 'app', 'rotate-secret', 'nope');
  });
});

describe('stratus device', () => {
  let server: RunningServer;
  let cli: ReturnType<typeof cliFor>;
  let secret: string;
  const device = (guid: string) => new TestDevice(server.url, 'gate', secret, guid);
  before(async () => {
    ({ server, cli } = await started());
    secret = (await cli.json('app', 'create', 'gate', '--policy', 'approval')).secret;
  });
  after(() => stopped(server));

  it('policy approval: a new device waits; requests and list show it; approve lets its sync through', async () => {
    const d1 = device('d1');
    const waiting = await d1.sync({});
    assert.equal(waiting.status, 403);
    assert.equal(waiting.json.error.code, 'pending_approval');

    const requests = await cli.json('device', 'requests', 'gate');
    assert.deepEqual(requests.pending.map((d: any) => [d.guid, d.status]), [['d1', 'pending']]);
    assert.ok(Array.isArray(requests.rejections));
    assert.deepEqual((await cli.json('device', 'list', 'gate', '--status', 'pending')).map((d: any) => d.guid), ['d1']);
    const human = await cli.run('device', 'requests', 'gate');
    assert.match(human.stdout, /^GUID +STATUS.*\nd1 +pending/);

    const approved = await cli.json('device', 'approve', 'gate', 'd1');
    assert.deepEqual([approved.guid, approved.status], ['d1', 'approved']);
    const ok = await d1.sync({});
    assert.equal(ok.status, 200, ok.text);
    assert.ok(ok.signatureValid);
    assert.deepEqual((await cli.json('device', 'requests', 'gate')).pending, []);
    const text = await cli.run('device', 'approve', 'gate', 'd1');
    assert.equal(text.stdout, 'd1: approved\n');
  });

  it('show and list: status, presence and the grants in force', async () => {
    const shown = await cli.json('device', 'show', 'gate', 'd1');
    assert.deepEqual([shown.guid, shown.status, shown.grants, shown.online], ['d1', 'approved', null, true]);
    assert.deepEqual(shown.effectiveGrants, [
      { action: 'publish', scope: '*', stream: '*' },
      { action: 'subscribe', scope: '*', stream: '*' },
    ]);
    assert.ok(shown.lastSeen >= shown.firstSeen && shown.firstSeen > 0);
    await cli.json('device', 'approve', 'gate', 'other-2'); // an unknown GUID is registered approved
    assert.deepEqual((await cli.json('device', 'list', 'gate')).map((d: any) => d.guid).sort(), ['d1', 'other-2']);
    assert.deepEqual((await cli.json('device', 'list', 'gate', '--search', 'other')).map((d: any) => d.guid), ['other-2']);
    assert.deepEqual((await cli.json('device', 'list', 'gate', '--limit', '1')).length, 1);
    assert.ok((await cli.json('device', 'list', 'gate', '--online')).some((d: any) => d.guid === 'd1'));
    assert.ok(!(await cli.json('device', 'list', 'gate', '--offline')).some((d: any) => d.guid === 'd1'));
    const table = await cli.run('device', 'list', 'gate', '--search', 'd1');
    assert.match(table.stdout, /^GUID +STATUS +ONLINE +LASTSEEN +LASTADDRESS +GRANTS\nd1 +approved +online .*publish:\*\/\*,subscribe:\*\/\* \(app default\)\n$/);
    await cli.fails(1, /not_found/, 'device', 'show', 'gate', 'nobody');
    await cli.fails(2, /--online or --offline/, 'device', 'list', 'gate', '--online', '--offline');
    await cli.fails(2, /bad_request/, 'device', 'list', 'gate', '--status', 'sleepy');
  });

  it("grant --publish 'home/*' makes the device publish-only; --default restores the app's grants", async () => {
    const d1 = device('d1');
    const granted = await cli.json('device', 'grant', 'gate', 'd1', '--publish', 'home/*');
    assert.deepEqual(granted.grants, [{ action: 'publish', scope: 'home', stream: '*' }]);
    assert.deepEqual(granted.effectiveGrants, granted.grants);

    const sub = await d1.sync({ subscribe: [{ scope: 'home', stream: 'cmd' }] });
    assert.equal(sub.status, 403);
    assert.equal(sub.json.error.code, 'forbidden');
    const pub = await d1.sync({ publish: [{ id: 'g1', scope: 'home', stream: 'temp', value: '21' }, { id: 'g2', scope: 'work', stream: 'temp', value: '1' }] });
    assert.equal(pub.status, 200);
    assert.deepEqual(pub.json.accepted, [{ id: 'g1', seq: 1 }]);
    assert.deepEqual(pub.json.rejected.map((r: any) => [r.id, r.code]), [['g2', 'forbidden']]);

    const both = await cli.json('device', 'grant', 'gate', 'd1', '--publish', 'home/temp', '--subscribe', 'home', '--subscribe', 'cfg/a*');
    assert.deepEqual(both.grants, [
      { action: 'publish', scope: 'home', stream: 'temp' },
      { action: 'subscribe', scope: 'home', stream: '*' },
      { action: 'subscribe', scope: 'cfg', stream: 'a*' },
    ]);
    assert.equal((await d1.sync({ subscribe: [{ scope: 'home', stream: 'cmd' }] })).status, 200);

    const reset = await cli.json('device', 'grant', 'gate', 'd1', '--default');
    assert.equal(reset.grants, null);
    assert.equal((await d1.sync({ subscribe: [{ scope: 'work', stream: 'cmd' }] })).status, 200);

    await cli.fails(2, /give --publish, --subscribe or --default/, 'device', 'grant', 'gate', 'd1');
    await cli.fails(2, /--default takes no/, 'device', 'grant', 'gate', 'd1', '--default', '--publish', 'a');
    await cli.fails(2, /bad_request/, 'device', 'grant', 'gate', 'd1', '--publish', 'bad scope');
    assert.equal((await cli.json('device', 'show', 'gate', 'd1')).grants, null, 'refused grants changed nothing');
    await cli.fails(1, /not_found/, 'device', 'grant', 'gate', 'nobody', '--publish', 'a');
  });

  it('deny shuts a device out; forget deletes it, and it has to ask again', async () => {
    const d1 = device('d1');
    const denied = await cli.json('device', 'deny', 'gate', 'd1');
    assert.equal(denied.status, 'denied');
    const refused = await d1.sync({});
    assert.deepEqual([refused.status, refused.json.error.code], [403, 'denied']);

    assert.deepEqual(await cli.json('device', 'forget', 'gate', 'd1'), { forgotten: 'd1' });
    await cli.fails(1, /not_found/, 'device', 'show', 'gate', 'd1');
    await cli.fails(1, /not_found/, 'device', 'forget', 'gate', 'd1');
    const again = await d1.sync({});
    assert.equal(again.json.error.code, 'pending_approval', 'a forgotten device is new again');
    const human = await cli.run('device', 'forget', 'gate', 'other-2');
    assert.deepEqual([human.code, human.stdout], [0, 'forgot other-2\n']);
  });
});

describe('stratus config and export-config', () => {
  let server: RunningServer;
  let cli: ReturnType<typeof cliFor>;
  let secret: string;
  const outDir = mkdtempSync(join(tmpdir(), 'stratus-export-'));
  const configText = async (guid: string) => {
    const r = await new TestDevice(server.url, 'conf', secret, guid).send('GET', '/v1/config');
    assert.equal(r.status, 200, r.text);
    return r.text;
  };
  before(async () => {
    ({ server, cli } = await started());
    secret = (await cli.json('app', 'create', 'conf', '--policy', 'open')).secret;
    // an open app admits devices on their first request
    await configText('dev-a');
    await configText('dev-b');
  });
  after(async () => {
    await stopped(server);
    removeDir(outDir);
  });

  it('set and list app-wide entries; a device override wins in merged and in GET /v1/config', async () => {
    const set = await cli.json('config', 'set', 'conf', 'refresh interval', '300');
    assert.deepEqual(set.map((e: any) => [e.key, e.value]), [['refresh interval', '300']]);
    await cli.json('config', 'set', 'conf', 'debug', '0');
    const override = await cli.json('config', 'set', 'conf', 'debug', '1', '--device', 'dev-a');
    assert.deepEqual(override.map((e: any) => [e.key, e.value]), [['debug', '1']]);

    const appWide = await cli.json('config', 'list', 'conf');
    assert.deepEqual(appWide.map((e: any) => [e.key, e.value]).sort(), [['debug', '0'], ['refresh interval', '300']]);
    assert.ok(appWide.every((e: any) => Number.isInteger(e.updatedAt)));
    assert.deepEqual((await cli.json('config', 'list', 'conf', '--device', 'dev-a')).map((e: any) => [e.key, e.value]), [['debug', '1']]);
    assert.deepEqual(await cli.json('config', 'list', 'conf', '--device', 'dev-b'), []);

    const merged = await cli.json('config', 'merged', 'conf', 'dev-a');
    assert.deepEqual(merged.values, { debug: '1', 'refresh interval': '300' });
    assert.equal(typeof merged.etag, 'string');
    const text = await cli.run('config', 'merged', 'conf', 'dev-a');
    assert.deepEqual([text.code, text.stdout], [0, 'debug: 1\nrefresh interval: 300\n']);

    assert.equal(await configText('dev-a'), 'debug: 1\nrefresh interval: 300\n');
    assert.equal(await configText('dev-b'), 'debug: 0\nrefresh interval: 300\n');
  });

  it('unset removes an override, and the app-wide value shows through again', async () => {
    assert.deepEqual(await cli.json('config', 'unset', 'conf', 'debug', '--device', 'dev-a'), []);
    assert.equal(await configText('dev-a'), 'debug: 0\nrefresh interval: 300\n');
    await cli.json('config', 'set', 'conf', 'tmp', 'x');
    const left = await cli.json('config', 'unset', 'conf', 'tmp');
    assert.deepEqual(left.map((e: any) => e.key).sort(), ['debug', 'refresh interval']);
    const human = await cli.run('config', 'list', 'conf');
    assert.match(human.stdout, /^KEY +VALUE +UPDATEDAT\ndebug +0 .*\nrefresh interval +300 /);
  });

  it('history lists changes newest first, app-wide and per device', async () => {
    const history = await cli.json('config', 'history', 'conf');
    assert.deepEqual(
      history.map((h: any) => [h.device, h.key, h.value]),
      [
        [null, 'tmp', null],
        [null, 'tmp', 'x'],
        ['dev-a', 'debug', null],
        ['dev-a', 'debug', '1'],
        [null, 'debug', '0'],
        [null, 'refresh interval', '300'],
      ],
    );
    assert.ok(history.every((h: any) => h.actor === 'admin'));
    const forDevice = await cli.json('config', 'history', 'conf', '--device', 'dev-a', '--limit', '1');
    assert.deepEqual(forDevice.map((h: any) => [h.device, h.key, h.value]), [['dev-a', 'debug', null]]);
    const human = await cli.run('config', 'history', 'conf', '--limit', '1');
    assert.match(human.stdout, /^TIME +DEVICE +KEY +VALUE +ACTOR\n\S+Z +- +tmp +\(unset\) +admin\n$/);
  });

  it('an invalid key or value exits 2 and changes nothing', async () => {
    const list = () => cli.json('config', 'list', 'conf');
    const before = await list();
    const beforeHistory = await cli.json('config', 'history', 'conf');
    await cli.fails(2, /bad_request.*may not contain ":"/, 'config', 'set', 'conf', 'bad:key', '1');
    await cli.fails(2, /bad_request/, 'config', 'set', 'conf', ' padded', '1');
    await cli.fails(2, /bad_request/, 'config', 'set', 'conf', 'stratus.refresh', 'soon');
    await cli.fails(2, /bad_request/, 'config', 'set', 'conf', 'stratus.unknown', '1');
    await cli.fails(2, /bad_request/, 'config', 'unset', 'conf', 'bad:key');
    assert.deepEqual(await list(), before);
    assert.deepEqual(await cli.json('config', 'history', 'conf'), beforeHistory);
    await cli.fails(1, /not_found.*first calls.*stratus device approve/, 'config', 'history', 'conf', '--device', 'nobody');
    await cli.fails(1, /not_found/, 'config', 'set', 'nope', 'k', 'v', '--device', 'nobody');
    await cli.fails(1, /not_found/, 'config', 'list', 'nope');
  });

  it('export-config --out writes default.txt and devices/<guid>.txt for devices with overrides, signed so verifyStaticConfig accepts them', async () => {
    await cli.json('config', 'set', 'conf', 'debug', '2', '--device', 'dev-b');
    const dir = join(outDir, 'nested', 'static');
    const result = await cli.json('export-config', 'conf', '--out', dir);
    assert.deepEqual([...result.files].sort(), ['default.txt', 'devices/dev-b.txt']);
    assert.deepEqual(result.skipped, []);
    assert.equal(result.out, dir);
    assert.deepEqual(readdirSync(dir).sort(), ['default.txt', 'devices']);
    assert.deepEqual(readdirSync(join(dir, 'devices')), ['dev-b.txt']);

    const all = await cli.json('export-config', 'conf', '--out', dir, '--all-devices');
    assert.deepEqual([...all.files].sort(), ['default.txt', 'devices/dev-a.txt', 'devices/dev-b.txt']);
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    assert.match(read('default.txt'), /^# stratus config v1 app=conf device=\*\n/);
    assert.match(read('devices/dev-b.txt'), /^# stratus config v1 app=conf device=dev-b\n/);
    assert.deepEqual(verifyStaticConfig(secret, read('default.txt')), { debug: '0', 'refresh interval': '300' });
    assert.deepEqual(verifyStaticConfig(secret, read('devices/dev-a.txt')), { debug: '0', 'refresh interval': '300' });
    assert.deepEqual(verifyStaticConfig(secret, read('devices/dev-b.txt')), { debug: '2', 'refresh interval': '300' });
    assert.equal(verifyStaticConfig('another-secret', read('devices/dev-b.txt')), null);
    assert.equal(verifyStaticConfig(secret, read('devices/dev-b.txt').replace('debug: 2', 'debug: 3')), null);

    const human = await cli.run('export-config', 'conf', '--out', dir);
    assert.deepEqual([human.code, human.stdout], [0, `wrote ${join(dir, 'default.txt')}\nwrote ${join(dir, 'devices/dev-b.txt')}\n2 files in ${dir}\n`]);
    await cli.fails(2, /required option '--out <dir>'/, 'export-config', 'conf');
    await cli.fails(1, /not_found/, 'export-config', 'nope', '--out', dir);
  });
});

describe('stratus config --device for a GUID that has not called yet', () => {
  let server: RunningServer;
  let cli: ReturnType<typeof cliFor>;
  const secrets: Record<string, string> = {};
  const getConfig = (app: string, guid: string) => new TestDevice(server.url, app, secrets[app] as string, guid).send('GET', '/v1/config');
  before(async () => {
    ({ server, cli } = await started());
    for (const [app, policy] of [['open-app', 'open'], ['approval-app', 'approval'], ['closed-app', 'closed']] as const) {
      secrets[app] = (await cli.json('app', 'create', app, '--policy', policy)).secret;
      await cli.json('config', 'set', app, 'debug', '0');
    }
  });
  after(() => stopped(server));

  it('set prepares the override without admitting the GUID; unset, list and merged work on it', async () => {
    const set = await cli.run('config', 'set', 'approval-app', 'debug', '4', '--device', 'new-board');
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /^KEY +VALUE +UPDATEDAT\ndebug +4 /);
    assert.match(set.stderr, /"new-board" has not called yet; these overrides are prepared for it/);
    await cli.json('config', 'set', 'approval-app', 'tmp', 'x', '--device', 'new-board');
    const unset = await cli.json('config', 'unset', 'approval-app', 'tmp', '--device', 'new-board');
    assert.deepEqual(unset.map((e: any) => [e.key, e.value]), [['debug', '4']]);
    assert.deepEqual((await cli.json('config', 'list', 'approval-app', '--device', 'new-board')).map((e: any) => e.key), ['debug']);
    const merged = await cli.run('config', 'merged', 'approval-app', 'new-board');
    assert.equal(merged.stdout, 'debug: 4\n');
    // not a device: not listed, not pending, not counted
    assert.deepEqual(await cli.json('device', 'list', 'approval-app'), []);
    await cli.fails(1, /not_found/, 'device', 'show', 'approval-app', 'new-board');
  });

  it('an approval app keeps the GUID pending until approved; then it receives the override', async () => {
    await cli.json('config', 'set', 'approval-app', 'mode', 'eco', '--device', 'board-2');
    const first = await getConfig('approval-app', 'board-2');
    assert.equal(first.status, 403);
    assert.match(first.text, /pending_approval/);
    assert.deepEqual((await cli.json('device', 'list', 'approval-app', '--status', 'pending')).map((d: any) => d.guid), ['board-2']);
    await cli.json('device', 'approve', 'approval-app', 'board-2');
    const admitted = await getConfig('approval-app', 'board-2');
    assert.equal(admitted.status, 200, admitted.text);
    assert.equal(admitted.text, 'debug: 0\nmode: eco\n');
    const history = await cli.json('config', 'history', 'approval-app', '--device', 'board-2');
    assert.deepEqual(history.map((h: any) => [h.device, h.key, h.value, h.actor]), [['board-2', 'mode', 'eco', 'admin']]);
    const list = await cli.run('config', 'list', 'approval-app', '--device', 'board-2');
    assert.equal(list.stderr, '', 'no "prepared" note for a device');
  });

  it('an open app admits the GUID on its first call, with the override', async () => {
    assert.equal((await getConfig('open-app', 'warm-up')).text, 'debug: 0\n', 'the app config is cached before the preset');
    await cli.json('config', 'set', 'open-app', 'debug', '5', '--device', 'board-3');
    const r = await getConfig('open-app', 'board-3');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, 'debug: 5\n');
  });

  it('a closed app denies the GUID and says how to let it in; approved ahead, it receives the override', async () => {
    await cli.json('config', 'set', 'closed-app', 'debug', '6', '--device', 'board-4');
    const denied = await getConfig('closed-app', 'board-4');
    assert.equal(denied.status, 403);
    assert.match(denied.text, /denied.*admits no new devices.*stratus device approve APP GUID/);
    await cli.json('device', 'approve', 'closed-app', 'board-4');
    const r = await getConfig('closed-app', 'board-4');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, 'debug: 6\n');
  });
});

describe('stratus pub and tail', () => {
  let server: RunningServer;
  let cli: ReturnType<typeof cliFor>;
  const tailLines = async (...args: string[]) => {
    const r = await cli.run('tail', ...args, '--json');
    assert.equal(r.code, 0, r.stderr);
    return r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
  };
  before(async () => ({ server, cli } = await started()));
  after(() => stopped(server));

  it('pub stores as $admin with increasing seqs; --id makes a retry store nothing new', async () => {
    assert.deepEqual(await cli.json('pub', 'demo', 'home/temp', '21.5'), { seq: 1 });
    assert.deepEqual(await cli.json('pub', 'demo', 'home/temp', '22', '--id', 'cli-1'), { seq: 2 });
    assert.deepEqual(await cli.json('pub', 'demo', 'home/temp', '22', '--id', 'cli-1'), { seq: 2 });
    const human = await cli.run('pub', 'demo', 'home/temp', '23', '--ttl', '600');
    assert.deepEqual([human.code, human.stdout], [0, 'published home/temp seq 3\n']);
    const device = new TestDevice(server.url, 'demo', server.demoSecret, 'sensor-1');
    const r = await device.sync({ publish: [{ id: 's1', scope: 'home', stream: 'temp', value: '24' }] });
    assert.deepEqual(r.json.accepted, [{ id: 's1', seq: 4 }]);
  });

  it('tail --json prints one JSON object a line, oldest first; -n and --after pick the window', async () => {
    const all = await tailLines('demo', 'home/temp');
    assert.deepEqual(all.map((m) => [m.seq, m.value, m.from]), [
      [1, '21.5', '$admin'],
      [2, '22', '$admin'],
      [3, '23', '$admin'],
      [4, '24', 'sensor-1'],
    ]);
    assert.ok(all.every((m) => Number.isInteger(m.time) && m.expiresAt > m.time));
    assert.equal(all[2].expiresAt - all[2].time, 600, '--ttl is the time to live');
    assert.deepEqual((await tailLines('demo', 'home/temp', '-n', '2')).map((m) => m.seq), [1, 2]);
    assert.deepEqual((await tailLines('demo', 'home/temp', '--limit', '1', '--after', '2')).map((m) => m.seq), [3]);
    assert.deepEqual(await tailLines('demo', 'home/temp', '--after', '4'), []);
    assert.deepEqual(await tailLines('demo', 'home/empty'), []);
  });

  it('tail prints a table with one header', async () => {
    const r = await cli.run('tail', 'demo', 'home/temp');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^SEQ +TIME +FROM +VALUE$/);
    assert.equal(lines.length, 5);
    assert.match(lines[4] ?? '', /^4 +\S+Z +sensor-1 +24$/);
    assert.equal((await cli.run('tail', 'demo', 'home/empty')).stdout, '(none)\n');
  });

  it('PRIVATE:<device>/stream addresses a device’s own space', async () => {
    assert.deepEqual(await cli.json('pub', 'demo', 'PRIVATE:sensor-1/settings', 'fast'), { seq: 1 });
    const device = new TestDevice(server.url, 'demo', server.demoSecret, 'sensor-1');
    const r = await device.sync({ subscribe: [{ scope: 'PRIVATE', stream: 'settings', limit: 10 }] });
    assert.deepEqual(r.json.messages.map((m: any) => [m.value, m.from]), [['fast', '$admin']]);
    assert.deepEqual((await tailLines('demo', 'PRIVATE:sensor-1/settings')).map((m) => m.value), ['fast']);
    assert.deepEqual(await tailLines('demo', 'PRIVATE:sensor-2/settings'), []);
  });

  it('tail reads every page, past 1000 messages', async () => {
    const device = new TestDevice(server.url, 'demo', server.demoSecret, 'bulk');
    const items = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${from + i}`, scope: 'bulk', stream: 's', value: String(from + i) }));
    assert.equal((await device.sync({ publish: items(1, 1000) })).json.accepted.length, 1000);
    assert.equal((await device.sync({ publish: items(1001, 5) })).json.accepted.length, 5);
    const all = await tailLines('demo', 'bulk/s');
    assert.equal(all.length, 1005);
    assert.deepEqual([all[0].seq, all.at(-1).seq], [1, 1005]);
    assert.equal((await tailLines('demo', 'bulk/s', '-n', '1003')).length, 1003);
    const table = await cli.run('tail', 'demo', 'bulk/s');
    assert.equal(table.stdout.trimEnd().split('\n').length, 1006, 'one header and every message');
  });

  it('tail -f prints new messages as they come, and stops on Ctrl-C with exit 0', async () => {
    await cli.json('pub', 'demo', 'live/feed', 'one');
    const child = spawn(process.execPath, [CLI, 'tail', 'demo', 'live/feed', '-f', '--interval', '50', '--json'], {
      env: cli.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<[number | null, string | null]>((done) => child.once('exit', (code, signal) => done([code, signal])));
    let out = '';
    let changed: () => void = () => undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      changed();
    });
    const waitForLines = async (n: number): Promise<string[]> => {
      let ended = false;
      void exited.then(() => ((ended = true), changed()));
      for (;;) {
        const lines = out.split('\n').filter((l) => l !== '');
        if (lines.length >= n) return lines;
        if (ended) throw new Error(`tail -f exited early: ${out}`);
        await new Promise<void>((done) => (changed = done));
      }
    };
    try {
      assert.deepEqual((await waitForLines(1)).map((l) => JSON.parse(l).value), ['one']);
      await cli.json('pub', 'demo', 'live/feed', 'two');
      assert.deepEqual((await waitForLines(2)).map((l) => JSON.parse(l).value), ['one', 'two']);
    } finally {
      child.kill('SIGINT');
    }
    assert.deepEqual(await exited, [0, null]);
  });

  it('tail of the $stratus/presence stream prints presence changes as JSON lines', async () => {
    const online = (lines: any[]) => lines.some((m) => JSON.parse(m.value).device === 'sensor-1' && JSON.parse(m.value).online === true);
    // the server records presence changes just after answering: read again until the change is there
    let lines = await tailLines('demo', '$stratus/presence');
    for (let i = 0; i < 20 && !online(lines); i++) lines = await tailLines('demo', '$stratus/presence');
    assert.ok(online(lines), 'sensor-1 came online');
    assert.ok(lines.every((m) => m.from === '$server'));
  });

  it('bad addresses and numbers exit 2', async () => {
    await cli.fails(2, /is not scope\/stream/, 'pub', 'demo', 'nostream', 'v');
    await cli.fails(2, /is not scope\/stream/, 'tail', 'demo', 'nostream');
    await cli.fails(2, /--ttl must be a whole number/, 'pub', 'demo', 'a/b', 'v', '--ttl', '0');
    await cli.fails(2, /--limit must be a whole number/, 'tail', 'demo', 'a/b', '-n', '0');
    await cli.fails(2, /--after must be a whole number/, 'tail', 'demo', 'a/b', '--after', 'x');
    await cli.fails(2, /bad_request/, 'pub', 'demo', 'PRIVATE/kv', 'v'); // PRIVATE needs its owner
    await cli.fails(2, /bad_request/, 'pub', 'demo', 'a/b', 'v', '--ttl', '999999999'); // over the app's maximum
    await cli.fails(1, /not_found/, 'pub', 'nope', 'a/b', 'v');
    assert.deepEqual(await tailLines('demo', 'a/b'), [], 'nothing was published');
  });
});

/** Every command path of the CLI, for --help and for docs/cli.md. */
const COMMANDS = [
  [],
  ['serve'],
  ['app'],
  ['app', 'create'],
  ['app', 'list'],
  ['app', 'show'],
  ['app', 'set'],
  ['app', 'rotate-secret'],
  ['device'],
  ['device', 'list'],
  ['device', 'show'],
  ['device', 'approve'],
  ['device', 'deny'],
  ['device', 'grant'],
  ['device', 'forget'],
  ['device', 'requests'],
  ['config'],
  ['config', 'list'],
  ['config', 'set'],
  ['config', 'unset'],
  ['config', 'merged'],
  ['config', 'history'],
  ['export-config'],
  ['pub'],
  ['tail'],
  ['sub'],
  ['nodes'],
  ['top'],
  ['token'],
  ['token', 'create'],
  ['backup'],
  ['restore'],
  ['migrate'],
  ['edge'],
  ['edge', 'run'],
  ['edge', 'status'],
  ['file'],
  ['file', 'list'],
  ['file', 'get'],
];

/** The long option names a help text lists, --help excepted. */
function optionsIn(help: string): string[] {
  const section = help.split(/^Options:$/m)[1]?.split(/^Commands:$/m)[0] ?? '';
  return [...section.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1] as string).filter((o) => o !== '--help');
}

describe('stratus help, usage errors and failures', () => {
  let server: RunningServer;
  before(async () => ({ server } = await started()));
  after(() => stopped(server));

  it('--help exits 0 for every command and group', async () => {
    // a few at a time: thirty Node processes started at once on two cores can outlast a CLI's timeout
    const results: Awaited<ReturnType<typeof runCli>>[] = [];
    for (let i = 0; i < COMMANDS.length; i += 4) results.push(...(await Promise.all(COMMANDS.slice(i, i + 4).map((path) => runCli([...path, '--help'])))));
    results.forEach((r, i) => {
      const path = COMMANDS[i] as string[];
      assert.equal(r.code, 0, `${path.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: stratus${path.map((p) => ` ${p}`).join('')} `));
      assert.equal(r.stderr, '');
    });
    const viaHelp = await runCli(['help', 'device']);
    assert.equal(viaHelp.code, 0);
    assert.match(viaHelp.stdout, /^Usage: stratus device /);
    const version = await runCli(['--version']);
    assert.deepEqual([version.code, version.stdout], [0, '0.1.0\n']);
  });

  it('an unknown command is a usage error (exit 2), with --help too', async () => {
    for (const args of [['nosuch'], ['nosuch', '--help'], ['--server', 'http://127.0.0.1:1', 'nosuch', '--help']]) {
      const r = await runCli(args);
      assert.deepEqual([r.code, r.stdout], [2, ''], args.join(' '));
      assert.match(r.stderr, /^error: unknown command 'nosuch'/);
    }
  });

  it('docs/cli.md has a section for every command and names each of its options', async () => {
    const doc = readFileSync(join(ROOT, 'docs/cli.md'), 'utf8');
    const configDoc = readFileSync(join(ROOT, 'docs/config.md'), 'utf8');
    const edgeDoc = readFileSync(join(ROOT, 'docs/edge.md'), 'utf8');
    const sections = new Map(
      doc.split(/^### /m).slice(1).map((s) => [/^`stratus ([a-z -]+?)(?: [<[].*)?`/.exec(s)?.[1]?.trim() ?? s.split('\n')[0], s] as const),
    );
    const globalHelp = (await runCli(['--help'])).stdout;
    for (const option of optionsIn(globalHelp)) assert.ok(doc.includes(`\`${option}`), `docs/cli.md names the global option ${option}`);
    for (const path of COMMANDS.filter((p) => p.length > 0 && !['app', 'device', 'config', 'token', 'edge', 'file'].includes(p.join(' ')))) {
      const name = path.join(' ');
      const section = sections.get(name);
      assert.ok(section, `docs/cli.md has a section "### \`stratus ${name} …\`"`);
      const help = (await runCli([...path, '--help'])).stdout;
      for (const option of optionsIn(help)) {
        // serve's server options have their rows in docs/config.md (test/docs-config.test.ts), the
        // gateway's in docs/edge.md's options table
        const where = name === 'serve' && !['--data', '--db', '--config'].includes(option) ? configDoc : name.startsWith('edge ') ? section + edgeDoc : section;
        assert.ok(where.includes(`\`${option}`), `docs: stratus ${name} ${option}`);
      }
    }
  });

  it('usage errors exit 2 with a message on stderr, before any request', async () => {
    // the server URL is unreachable: each of these fails before the CLI calls it
    const env = cleanEnv({ STRATUS_SERVER: 'http://127.0.0.1:9', STRATUS_ADMIN_TOKEN: 'unused' });
    const cases: [string[], RegExp][] = [
      [['nonsense'], /unknown command 'nonsense'/],
      [['app'], /Usage: stratus app/],
      [['app', 'create'], /missing required argument 'name'/],
      [['app', 'list', '--bogus'], /unknown option '--bogus'/],
      [['app', 'show', 'a', 'b'], /too many arguments/],
      [['device', 'list', 'demo', '--limit', 'many'], /--limit must be a whole number/],
      [['device', 'grant', 'demo', 'd'], /give --publish, --subscribe or --default/],
      [['device', 'grant', 'demo', 'd', '--publish', 'a/'], /is not scope or scope\/stream/],
      [['config', 'set', 'demo', 'key-only'], /missing required argument 'value'/],
      [['config', 'history', 'demo', '--limit', '0'], /--limit must be a whole number ≥ 1/],
      [['export-config', 'demo'], /required option '--out <dir>' not specified/],
      [['tail', 'demo', 'a/b', '--interval', '10'], /--interval must be a whole number ≥ 50/],
      [['serve', '--port', 'eighty'], /--port must be a whole number/],
      [['serve', '--trust-proxy', 'maybe'], /--trust-proxy must be true or false/],
      [['serve', '--log-level', 'loud'], /--log-level must be one of/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, env)));
    results.forEach((r, i) => {
      const [args, message] = cases[i] as [string[], RegExp];
      assert.equal(r.code, 2, `stratus ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, `stratus ${args.join(' ')}`);
      assert.equal(r.stdout, '');
    });
  });

  it('without a token: exit 1 and a message naming STRATUS_ADMIN_TOKEN; a wrong token: exit 1', async () => {
    const none = await runCli(['app', 'list'], cleanEnv({ STRATUS_SERVER: server.url }));
    assert.equal(none.code, 1);
    assert.match(none.stderr, /STRATUS_ADMIN_TOKEN/);
    assert.equal(none.stdout, '');
    const wrong = await runCli(['app', 'list'], cleanEnv({ STRATUS_SERVER: server.url, STRATUS_ADMIN_TOKEN: 'stratus_admin_wrong' }));
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /unauthorized/);
    const flags = await runCli(['app', 'list', '--server', server.url, '--token', server.adminToken, '--json']);
    assert.equal(flags.code, 0, flags.stderr);
    assert.deepEqual(JSON.parse(flags.stdout).map((a: any) => a.name), ['demo']);
    const slash = await runCli(['app', 'list', '--json'], cleanEnv({ STRATUS_SERVER: `${server.url}/`, STRATUS_ADMIN_TOKEN: server.adminToken }));
    assert.equal(slash.code, 0, slash.stderr);
  });

  it('an unreachable server exits 3; a server URL that is not a URL exits 2', async () => {
    const port = await freePort();
    const down = await runCli(['app', 'list'], cleanEnv({ STRATUS_SERVER: `http://127.0.0.1:${port}`, STRATUS_ADMIN_TOKEN: 't' }));
    assert.equal(down.code, 3);
    assert.match(down.stderr, /^error: cannot reach the Stratus server at http:\/\/127\.0\.0\.1:\d+/);
    const flag = await runCli(['device', 'list', 'demo', '--server', `http://127.0.0.1:${port}`, '--token', 't']);
    assert.equal(flag.code, 3);
    const notUrl = await runCli(['app', 'list'], cleanEnv({ STRATUS_SERVER: 'localhost-8080', STRATUS_ADMIN_TOKEN: 't' }));
    assert.equal(notUrl.code, 2);
    assert.match(notUrl.stderr, /STRATUS_SERVER/);
    assert.doesNotMatch(notUrl.stderr, /\n\s+at /, 'a message, not a stack trace');
  });

  it('something other than Stratus at the URL: exit 1 with a message, not a stack trace', async () => {
    const other = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<!DOCTYPE html><p>not here</p>'));
    await new Promise<void>((done) => other.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
      const r = await runCli(['app', 'list'], cleanEnv({ STRATUS_SERVER: url, STRATUS_ADMIN_TOKEN: 't' }));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /not JSON/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    } finally {
      await closeServer(other);
    }
  });

  it('serve: a bad --config file exits 2 before anything is created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stratus-cfg-'));
    try {
      const write = (name: string, content: string): string => {
        const file = join(dir, name);
        writeFileSync(file, content);
        return file;
      };
      const cases: [string, RegExp][] = [
        [write('unknown.json', '{"bodyLimit": 10}'), /unknown server option "bodyLimit"/],
        [write('type.json', '{"port": "8080"}'), /"port" must be like/],
        [write('level.json', '{"logLevel": "loud"}'), /"logLevel" must be like/],
        [write('broken.json', '{port: 1'), /--config .*broken\.json/],
        [write('array.json', '[]'), /expected a JSON object/],
        [join(dir, 'missing.json'), /ENOENT/],
      ];
      for (const [file, message] of cases) {
        const r = await runCli(['serve', '--data', join(dir, 'data'), '--config', file]);
        assert.equal(r.code, 2, `${file}: ${r.stderr}`);
        assert.match(r.stderr, message);
      }
      assert.deepEqual(readdirSync(dir).filter((f) => f === 'data'), [], 'no data directory was created');
    } finally {
      removeDir(dir);
    }
  });

  it('serve: a first start that cannot listen exits 1, and the next start still prints the admin token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stratus-first-'));
    let second: RunningServer | undefined;
    try {
      const port = new URL(server.url).port; // taken by the running server
      const first = await runCli(['serve', '--data', dataDir, '--port', port, '--log-level', 'silent']);
      assert.equal(first.code, 1);
      assert.match(first.stderr, /EADDRINUSE/);
      second = await startServer({ dataDir });
      assert.match(second.adminToken, /^stratus_admin_/, 'the token of the first successful start is shown');
      const r = await runCli(['app', 'list', '--json'], cleanEnv({ STRATUS_SERVER: second.url, STRATUS_ADMIN_TOKEN: second.adminToken }));
      assert.equal(r.code, 0, r.stderr);
    } finally {
      await second?.stop();
      removeDir(dataDir);
    }
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await closeServer(probe);
  return port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((done, fail) => server.close((error) => (error ? fail(error) : done())));
}
