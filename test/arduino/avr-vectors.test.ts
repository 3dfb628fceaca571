// Every case of spec/vectors.json reproduced by the C core on an emulated ATmega2560 (int is 16
// bits there), with the host tests' own harness (extras/test/vectors_test.c) and header generator
// (extras/test/vectors-to-c.mjs), one slice of the vectors at a time; each slice also runs on the
// host, and the AVR must run the same number of checks with none failing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  ARDUINO_LIBRARY,
  AVR_EXTRAS,
  AVR_FIRMWARE,
  buildSimrun,
  buildSketch,
  ensureDeviceToolchain,
  runSim,
} from '../support/device-toolchain.js';
import { ROOT, removeDir } from '../support/server-process.js';

const HOST_TESTS = join(ARDUINO_LIBRARY, 'extras/test');
const VECTORS = join(ROOT, 'spec/vectors.json');
const run = promisify(execFile);

/**
 * spec/vectors.json cut into slices whose strings fit the Mega's RAM beside the harness's stack
 * (avr-gcc keeps string literals in RAM): every array's items spread over the slices, every other
 * field (secret, contract, the sync request) in each. The responses check takes ~3 KB of stack
 * (an HTTP answer and its body on it), so its slices hold fewer strings.
 */
function sliceVectors(vectors: Record<string, unknown>): Record<string, unknown>[] {
  const budget = (group: string) => (group === 'responses' ? 2000 : 3500);
  const groups = Object.keys(vectors).filter((k) => Array.isArray(vectors[k]));
  const empty = () => Object.fromEntries(groups.map((g) => [g, [] as unknown[]])) as Record<string, unknown[]>;
  const slices: Record<string, unknown[]>[] = [];
  let size = Infinity;
  let last = '';
  for (const group of groups) {
    for (const item of vectors[group] as unknown[]) {
      const bytes = JSON.stringify(item).length;
      const apart = (group === 'responses') !== (last === 'responses');
      if (size + bytes > budget(group) || apart) {
        slices.push(empty());
        size = 0;
      }
      (slices[slices.length - 1] as Record<string, unknown[]>)[group]?.push(item);
      size += bytes;
      last = group;
    }
  }
  return slices.map((slice) => ({ ...vectors, ...slice }));
}

describe('the C core reproduces spec/vectors.json on an emulated ATmega2560', () => {
  let dir: string;
  let simrun: string;
  before(async () => {
    ensureDeviceToolchain();
    dir = mkdtempSync(join(tmpdir(), 'stratus-avr-vectors-'));
    simrun = await buildSimrun(dir);
  });
  after(() => {
    if (dir) removeDir(dir);
  });

  it('every case, slice by slice, with the same checks as on the host and no failure', async (t) => {
    const vectors = JSON.parse(readFileSync(VECTORS, 'utf8')) as Record<string, unknown>;
    const slices = sliceVectors(vectors);
    const src = join(ARDUINO_LIBRARY, 'src');
    let checks = 0;
    let cycles = 0;
    let maxRam = 0;
    let minHeadroom = Infinity;
    for (const [i, slice] of slices.entries()) {
      // the host tests' own harness and generator, beside the AVR wrapper sketch
      const sketch = join(dir, `slice-${i}`, 'Vectors');
      mkdirSync(sketch, { recursive: true });
      copyFileSync(join(AVR_FIRMWARE, 'Vectors/Vectors.ino'), join(sketch, 'Vectors.ino'));
      for (const file of ['vectors_test.c', 'check.h']) copyFileSync(join(HOST_TESTS, file), join(sketch, file));
      writeFileSync(join(dir, `slice-${i}.json`), JSON.stringify(slice));
      await run('node', [join(HOST_TESTS, 'vectors-to-c.mjs'), join(dir, `slice-${i}.json`), join(sketch, 'vectors.h')]);

      const hostMain = join(dir, `slice-${i}`, 'host_main.c');
      writeFileSync(hostMain, '#include <stdio.h>\nunsigned checks_run, checks_failed;\nvoid vectors_tests(void);\nint main(void) { vectors_tests(); printf("vectors: %u checks, %u failed\\n", checks_run, checks_failed); return checks_failed != 0; }\n');
      const hostBinary = join(dir, `slice-${i}`, 'host');
      await run('gcc', ['-std=c99', '-O0', `-I${sketch}`, `-I${src}`, '-o', hostBinary, hostMain, join(sketch, 'vectors_test.c'), ...cFiles(src)]);
      const host = (await run(hostBinary)).stdout;

      const build = await buildSketch('mega', sketch, join(dir, `slice-${i}`, 'build'), {
        includes: [AVR_EXTRAS],
        defines: ['V_HTTP_BYTES=1024', 'V_BODY_BYTES=768'],
        cache: join(dir, 'cache'),
      });
      const result = await runSim(simrun, build.elf, { maxCycles: 16e6 * 600, wallSeconds: 120 });
      const summary = /vectors: (\d+) checks, (\d+) failed/.exec(result.stdout);
      const headroom = Number(/stack headroom: (\d+)/.exec(result.stdout)?.[1] ?? 0);
      const groups = Object.entries(slice).filter(([, v]) => Array.isArray(v) && v.length > 0).map(([k, v]) => `${k}:${(v as unknown[]).length}`);
      assert.equal(result.code, 0, `slice ${i} (${groups.join(' ')}):\n${result.stdout}\n${result.stderr}`);
      assert.ok(summary, result.stdout);
      assert.equal(`vectors: ${summary[1]} checks, ${summary[2]} failed\n`, host, `slice ${i}: the AVR ran the host's checks`);
      assert.ok(headroom >= 128, `slice ${i}: the stack came within ${headroom} B of the heap/.bss`);
      checks += Number(summary[1]);
      cycles += result.cycles;
      maxRam = Math.max(maxRam, build.size.ram);
      minHeadroom = Math.min(minHeadroom, headroom);
    }
    const cases = Object.values(vectors).filter(Array.isArray).reduce((n, v) => n + (v as unknown[]).length, 0);
    t.diagnostic(
      `vectors on an ATmega2560 (simavr, int 16 bits): ${cases} cases in ${slices.length} slices, ${checks} checks, 0 failed, the same checks as the host harness; ` +
        `${cycles} cycles (${(cycles / 16e6).toFixed(1)} s at 16 MHz); largest slice ${maxRam} B static RAM, smallest stack headroom ${minHeadroom} B. ` +
        `The Uno's 2 KB RAM holds no useful slice beside the harness's stack (its responses check alone needs ~3 KB), so the vectors run on the Mega.`,
    );
  });
});

function cFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.c'))
    .map((f) => join(dir, f));
}

