// The gateway's options: defaults < config file < STRATUS_EDGE_* < flags, clear refusals, and docs
// that name every option and command.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OPTIONS, envOf, flagOf, resolveConfig } from '../../src/edge/config.js';
import { cleanEnv, runCli } from '../support/cli.js';
import { ROOT } from '../support/server-process.js';

const identity = { app: 'demo', device: 'gw', secret: 's3cret' };

describe('edge config', () => {
  it('takes the file, then the environment, then the flags', () => {
    const file = { ...identity, store: { maxBytes: 10_000 }, tcp: [{ port: 7001, stream: 'log' }] };
    const c = resolveConfig(file, { STRATUS_EDGE_STORE_MAX_BYTES: '20000', STRATUS_EDGE_UPLINK_POLL_MS: '700' }, { 'uplink.pollMs': '900' });
    assert.equal(c.store.maxBytes, 20_000);
    assert.equal(c.store.eviction, 'lowest-oldest', 'defaults fill what the file leaves out');
    assert.equal(c.uplink.pollMs, 900);
    assert.deepEqual(c.tcp, [{ scope: 'PRIVATE', stream: 'log', priority: 0, ttl: null, host: '127.0.0.1', port: 7001, ack: false }]);
    const json = resolveConfig(identity, { STRATUS_EDGE_POLICY_PRIORITIES: '{"0":{"links":["unmetered"]}}' }, {});
    assert.deepEqual(json.policy.priorities, { '0': { links: ['unmetered'], windows: [] } });
  });

  it('names every option as a flag and a variable', () => {
    assert.equal(flagOf('store.priorityMaxBytes'), 'store-priority-max-bytes');
    assert.equal(envOf('store.priorityMaxBytes'), 'STRATUS_EDGE_STORE_PRIORITY_MAX_BYTES');
    assert.equal(new Set(OPTIONS.map((o) => envOf(o.path))).size, OPTIONS.length);
  });

  it('refuses bad options with a message that says what to fix', () => {
    const bad: [Record<string, unknown>, Record<string, string>, RegExp][] = [
      [{}, {}, /app is required \(--app, STRATUS_EDGE_APP/],
      [{ ...identity, nosuch: 1 }, {}, /unknown key "nosuch"/],
      [identity, { 'store.maxBytes': 'lots' }, /--store-max-bytes must be a whole number/],
      [identity, { 'store.eviction': 'newest' }, /store.eviction must be one of lowest-oldest, oldest, reject/],
      [{ ...identity, tcp: [{ port: 7001, stream: 'bad stream' }] }, {}, /tcp\[0\].stream must match/],
      [{ ...identity, folders: [{ path: '/x', chunkBytes: 60_000 }] }, {}, /chunkBytes must be 1–48000/],
      [{ ...identity, downstream: [{ stream: 'cmd' }] }, {}, /exactly one of listen/],
      [{ ...identity, policy: { priorities: { '3': { windows: ['25:00-26:00'] } } } }, {}, /windows must be a list of HH:MM-HH:MM/],
      [identity, { upstream: 'ftp://x' }, /upstream must be an http/],
    ];
    for (const [file, flags, message] of bad) assert.throws(() => resolveConfig(file, {}, flags), (e: Error & { code?: string }) => e.code === 'bad_request' && message.test(e.message));
  });

  it('stratus edge run exits 2 on bad options and --help lists the variables', async () => {
    const r = await runCli(['edge', 'run', '--app', 'demo', '--device', 'gw'], cleanEnv());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad_request: secret is required \(--secret, STRATUS_EDGE_SECRET or the config file\)/);
    const help = await runCli(['edge', 'run', '--help'], cleanEnv());
    assert.equal(help.code, 0);
    for (const o of OPTIONS) assert.ok(help.stdout.includes(`--${flagOf(o.path)}`) && help.stdout.includes(envOf(o.path)), o.path);
  });
});

describe('edge docs', () => {
  it('docs/edge.md has a row with the flag and variable of every option; docs/cli.md a section per command', async () => {
    const edgeDoc = readFileSync(join(ROOT, 'docs/edge.md'), 'utf8');
    const rows = edgeDoc.split('\n').filter((l) => l.startsWith('| `'));
    for (const o of OPTIONS) {
      const row = rows.find((r) => r.includes(`\`--${flagOf(o.path)}\``));
      assert.ok(row, `docs/edge.md has a row for --${flagOf(o.path)}`);
      const env = envOf(o.path);
      assert.ok(row.includes(env) || row.includes(`…_${env.split('_').slice(2).join('_')}`), `the row of ${o.path} names ${env}`);
    }
    const cliDoc = readFileSync(join(ROOT, 'docs/cli.md'), 'utf8');
    const sections = cliDoc.split(/^### /m);
    for (const [command, options] of [
      ['edge run', ['--config']],
      ['edge status', ['--config', '--url', '--metrics', '--json']],
      ['file list', []],
      ['file get', ['--out']],
    ] as const) {
      const section = sections.find((s) => s.startsWith(`\`stratus ${command}`));
      assert.ok(section, `docs/cli.md has a section for stratus ${command}`);
      for (const option of options) assert.ok(section.includes(`\`${option}`), `docs/cli.md: stratus ${command} ${option}`);
      const help = await runCli([...command.split(' '), '--help'], cleanEnv());
      assert.equal(help.code, 0);
    }
  });
});
