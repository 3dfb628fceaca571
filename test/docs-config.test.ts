// docs/config.md stays true: a row per server option with its flag and default, and the example
// file works, with flags and environment variables taking precedence over it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SERVER_OPTIONS } from '../src/server/options.js';
import { TestDevice } from './support/device-client.js';
import { ROOT, removeDir, startServer } from './support/server-process.js';

const doc = readFileSync(join(ROOT, 'docs/config.md'), 'utf8');
const rows = new Map(
  [...doc.matchAll(/^\| `(\w+)` \| `(--[a-z-]+)` \| `([^`]*)` \|/gm)].map((m) => [m[1] as string, { flag: m[2], value: m[3] }]),
);
const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

describe('docs/config.md', () => {
  it('has one row per server option with its flag and default, and no other rows', () => {
    assert.deepEqual([...rows.keys()].sort(), Object.keys(DEFAULT_SERVER_OPTIONS).sort());
    for (const [name, fallback] of Object.entries(DEFAULT_SERVER_OPTIONS)) {
      assert.deepEqual(rows.get(name), { flag: `--${kebab(name)}`, value: String(fallback) }, name);
    }
  });

  it('the example file is accepted; the environment and flags win over it', async () => {
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(doc)?.[1] ?? 'null') as Record<string, unknown>;
    assert.equal(example.host, '0.0.0.0');
    const dir = mkdtempSync(join(tmpdir(), 'stratus-docs-config-'));
    const file = join(dir, 'stratus.json');
    writeFileSync(file, JSON.stringify({ ...example, maxValueBytes: 10 }));
    const server = await startServer({
      dataDir: join(dir, 'data'),
      args: ['--config', file, '--host', '127.0.0.1'],
      env: { STRATUS_MAX_VALUE_BYTES: '20' },
    });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'the flags beat the file (host and port)');
      assert.notEqual(new URL(server.url).port, '8080');
      const device = new TestDevice(server.url, 'demo', server.demoSecret, 'doc-reader');
      const r = await device.sync({
        publish: [
          { id: 'fifteen', scope: 'a', stream: 'b', value: 'x'.repeat(15) },
          { id: 'twenty-five', scope: 'a', stream: 'b', value: 'x'.repeat(25) },
        ],
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.accepted.map((a: any) => a.id), ['fifteen'], 'STRATUS_MAX_VALUE_BYTES=20 beat the file’s 10');
      assert.deepEqual(r.json.rejected.map((x: any) => [x.id, x.code]), [['twenty-five', 'too_large']]);
    } finally {
      await server.stop();
      removeDir(dir);
    }
  });
});
