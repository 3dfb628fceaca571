// deploy/stratus.service: `systemd-analyze verify` accepts it (systemd-analyze is installed when
// missing; when it cannot be, the test says so in a diagnostic and is skipped, never passed), it
// keeps the hardening docs/operations.md promises, and its commands do what the unit says:
// ExecStart starts the server, SIGHUP (ExecReload) leaves it running, SIGTERM stops it cleanly
// well within TimeoutStopSec.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SERVER_OPTIONS } from '../../src/server/options.js';
import { cleanEnv } from '../support/cli.js';
import { CLI, ROOT, removeDir } from '../support/server-process.js';
import { ensureOpsTools } from './tls-ca.js';

const UNIT = readFileSync(join(ROOT, 'deploy/stratus.service'), 'utf8');
const INSTALLED_BINARY = '/usr/local/bin/stratus';

/** Every `Key=value` of the [Service] section, in order (keys may repeat). */
function serviceEntries(): [string, string][] {
  const section = /^\[Service\]\n([\s\S]*?)(?=^\[)/m.exec(UNIT)?.[1] ?? '';
  return section
    .split('\n')
    .filter((line) => /^\w+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
}
const service = new Map(serviceEntries());

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'stratus-systemd-'));
});
after(() => removeDir(dir));

describe('deploy/stratus.service', () => {
  it('passes systemd-analyze verify', async (t) => {
    try {
      ensureOpsTools('systemd-analyze');
    } catch (error) {
      t.diagnostic(`NOT VERIFIED: systemd-analyze is missing and could not be installed (${(error as Error).message}); install the systemd package`);
      t.skip('systemd-analyze is missing');
      return;
    }
    // verify checks that ExecStart's program exists: point it at this build instead of the installed one.
    const unit = join(dir, 'stratus.service');
    writeFileSync(unit, UNIT.replace(INSTALLED_BINARY, `${process.execPath} ${CLI}`));
    const result = await new Promise<{ code: number; output: string }>((done) =>
      execFile('systemd-analyze', ['verify', unit], (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, output: stdout + stderr })),
    );
    const about = result.output.split('\n').filter((line) => line.includes('stratus.service'));
    assert.deepEqual(about, [], 'no warning about the unit (unknown keys, bad values)');
    assert.equal(result.code, 0, result.output);
  });

  it('keeps the hardening and the stop timing that match the server', () => {
    const expected: Record<string, string> = {
      User: 'stratus',
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      StateDirectory: 'stratus',
      CapabilityBoundingSet: 'CAP_NET_BIND_SERVICE',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX AF_NETLINK',
      SystemCallFilter: '@system-service',
      KillSignal: 'SIGTERM',
      ExecReload: '/bin/kill -HUP $MAINPID',
      RestartPreventExitStatus: '2',
    };
    for (const [key, value] of Object.entries(expected)) assert.equal(service.get(key), value, key);
    const stopSeconds = Number(service.get('TimeoutStopSec'));
    assert.ok(stopSeconds * 1000 >= DEFAULT_SERVER_OPTIONS.shutdownTimeoutMs * 2, `TimeoutStopSec ${stopSeconds} s leaves room after shutdownTimeoutMs`);
    assert.equal(service.get('MemoryDenyWriteExecute'), undefined, "Node's JIT needs writable executable memory");
    assert.match(service.get('ExecStart') ?? '', new RegExp(`^${INSTALLED_BINARY} serve --data \\$\\{STATE_DIRECTORY\\}$`));
  });

  it("ExecStart runs the server in the state directory; SIGHUP leaves it running; SIGTERM stops it with exit 0", async () => {
    const stateDirectory = join(dir, 'state');
    const args = (service.get('ExecStart') as string).replace('${STATE_DIRECTORY}', stateDirectory).split(' ').slice(1);
    // The unit's Environment= lines, then what a test needs (a free port, loopback only).
    const environment = Object.fromEntries(serviceEntries().filter(([k]) => k === 'Environment').map(([, v]) => v.split('=') as [string, string]));
    assert.deepEqual(Object.keys(environment).sort(), ['STRATUS_HOST', 'STRATUS_PORT']);
    const child = spawn(process.execPath, [CLI, ...args], {
      env: cleanEnv({ ...environment, STRATUS_HOST: '127.0.0.1', STRATUS_PORT: '0', STRATUS_LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const waiters = new Set<() => void>();
    const collect = (chunk: Buffer) => {
      out += chunk.toString();
      for (const wake of waiters) wake();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const seen = (pattern: RegExp) =>
      new Promise<void>((done, fail) => {
        const check = () => {
          if (!pattern.test(out)) return;
          waiters.delete(check);
          done();
        };
        waiters.add(check);
        child.once('exit', (code) => fail(new Error(`exited with ${code} before ${pattern}:\n${out}`)));
        check();
      });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      await seen(new RegExp(`listening on http://127\\.0\\.0\\.1:\\d+ \\(SQLite ${stateDirectory.replace(/[/.]/g, '\\$&')}/stratus\\.db\\)`));
      child.kill('SIGHUP');
      await seen(/SIGHUP: TLS is off \(no --tls-cert\), nothing to reload/);
      assert.equal(child.exitCode, null, 'SIGHUP did not stop it');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(out, /shutting down: finishing in-flight requests/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
