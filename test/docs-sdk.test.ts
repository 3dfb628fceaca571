// Every ```ts example of docs/sdk.md runs, as a user would paste it, against a real server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanEnv } from './support/cli.js';
import { ROOT, removeDir, startServer, type RunningServer } from './support/server-process.js';

const examples = [...readFileSync(join(ROOT, 'docs/sdk.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);

/** What each example prints, in order (a line each). */
const EXPECTED: RegExp[] = [/^interval 60 debug false$/m, /^0 published 0, delivered 0\n1 not yet\n2 not yet$/m, /^display got ring$/m, /^sent 1 waiting 1$/m];

describe('docs/sdk.md examples', () => {
  let s: RunningServer;
  let work: string;
  // Inside the package, so that `stratus/client` resolves to this package's own exports.
  const scripts = join(ROOT, 'dist', 'docs-examples');
  before(async () => {
    s = await startServer();
    work = mkdtempSync(join(tmpdir(), 'stratus-docs-sdk-'));
    mkdirSync(scripts, { recursive: true });
  });
  after(async () => {
    await s.stop();
    removeDir(work);
  });

  it('has the examples this test expects', () => {
    assert.equal(examples.length, EXPECTED.length);
  });

  examples.forEach((code, i) => {
    it(`example ${i + 1} runs and prints what it says`, async () => {
      const file = join(scripts, `sdk-${i + 1}.mts`);
      writeFileSync(file, code);
      const env = cleanEnv({ STRATUS_SERVER: s.url, STRATUS_SECRET: s.demoSecret });
      const { code: exit, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, ['--import', import.meta.resolve('tsx'), file], { cwd: work, env, timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        ),
      );
      assert.equal(exit, 0, stderr);
      assert.match(stdout, EXPECTED[i] as RegExp, stdout + stderr);
    });
  });
});
